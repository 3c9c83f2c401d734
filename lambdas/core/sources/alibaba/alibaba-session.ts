/**
 * One Alibaba Cloud ECS terminal session (DescribeTerminalSessions) as the archive observes it.
 * The wire shape is Alibaba's JSON (PascalCase, ISO times in whole seconds, empty strings for
 * values not set); the result has the archive's ISO times with milliseconds and no empty strings.
 */
import type { ObservedSession, SessionConnection } from '../../session/session';
import { toIso } from '../../shared/time';

export type { SessionConnection } from '../../session/session';

/** An observed Alibaba session: ObservedSession with its Alibaba fields set (lambdas/core/session/session.ts). */
export type AlibabaObservedSession = ObservedSession;

export interface AlibabaWireConnection {
  InstanceId?: string;
  StartTime?: string;
  EndTime?: string;
  /** Connecting, Connected, Terminated or Failed. */
  Status?: string;
  ClosedReason?: string;
  FailedDetail?: string;
}

export interface AlibabaWireSession {
  SessionId?: string;
  CreationTime?: string;
  TargetServer?: string;
  PortNumber?: number | string;
  PrincipalId?: string;
  Username?: string;
  ClientIP?: string;
  IdentityType?: string;
  Connections?: { Connection?: AlibabaWireConnection[] };
}

/** What a session's target is when none of its connections names an instance. */
export const UNKNOWN_TARGET = '(unknown)';

const ENDED: ReadonlySet<string> = new Set(['Terminated', 'Failed']);

export class MalformedAlibabaSessionError extends Error {
  override readonly name = 'MalformedAlibabaSessionError';
}

export function toObservedAlibabaSession(wire: AlibabaWireSession): AlibabaObservedSession {
  const sessionId = present(wire.SessionId);
  const creationTime = present(wire.CreationTime);
  if (sessionId === undefined || creationTime === undefined) {
    throw new MalformedAlibabaSessionError(`DescribeTerminalSessions returned a session without ${sessionId === undefined ? 'SessionId' : 'CreationTime'}: ${JSON.stringify(wire)}`);
  }
  const connections = (wire.Connections?.Connection ?? []).map((connection) => toConnection(connection, sessionId));
  const observed: AlibabaObservedSession = {
    sessionId,
    target: firstInstance(connections),
    status: sessionStatus(connections),
    startDate: isoOf(creationTime, 'CreationTime', sessionId),
  };
  const instanceIds = [...new Set(connections.map((connection) => connection.instanceId))];
  if (instanceIds.length > 1) observed.instanceIds = instanceIds;
  const endDate = sessionEnd(connections);
  if (endDate !== undefined) observed.endDate = endDate;
  assignPresent(observed, 'owner', wire.PrincipalId);
  assignPresent(observed, 'username', wire.Username);
  assignPresent(observed, 'identityType', wire.IdentityType);
  assignPresent(observed, 'clientIp', wire.ClientIP);
  assignPresent(observed, 'targetServer', wire.TargetServer);
  const port = portOf(wire.PortNumber);
  if (port !== undefined) observed.portNumber = port;
  if (connections.length > 0) observed.connections = connections;
  return observed;
}

/**
 * Connected while any connection is, else Connecting while any is (or none exists yet), else
 * Failed when every one failed, else Terminated. A status this code does not know keeps the
 * session open, so the archive looks at it again rather than closing it on a guess.
 */
export function sessionStatus(connections: readonly SessionConnection[]): string {
  if (connections.length === 0) return 'Connecting';
  if (connections.some((connection) => connection.status === 'Connected')) return 'Connected';
  if (connections.some((connection) => !ENDED.has(connection.status))) return 'Connecting';
  return connections.every((connection) => connection.status === 'Failed') ? 'Failed' : 'Terminated';
}

/** The latest EndTime, once every connection has ended. */
function sessionEnd(connections: readonly SessionConnection[]): string | undefined {
  if (connections.length === 0 || !connections.every((connection) => ENDED.has(connection.status))) return undefined;
  const ends = connections.flatMap((connection) => (connection.endTime === undefined ? [] : [connection.endTime]));
  return ends.length === 0 ? undefined : ends.reduce((latest, end) => (end > latest ? end : latest));
}

/** The instance of the earliest connection by StartTime (source order breaks ties and missing times). */
function firstInstance(connections: readonly SessionConnection[]): string {
  let first: SessionConnection | undefined;
  for (const connection of connections) {
    if (first === undefined || (connection.startTime !== undefined && (first.startTime === undefined || connection.startTime < first.startTime))) first = connection;
  }
  return first?.instanceId ?? UNKNOWN_TARGET;
}

function toConnection(wire: AlibabaWireConnection, sessionId: string): SessionConnection {
  const connection: SessionConnection = {
    instanceId: present(wire.InstanceId) ?? UNKNOWN_TARGET,
    status: present(wire.Status) ?? 'Unknown',
  };
  const start = present(wire.StartTime);
  if (start !== undefined) connection.startTime = isoOf(start, 'StartTime', sessionId);
  const end = present(wire.EndTime);
  if (end !== undefined) connection.endTime = isoOf(end, 'EndTime', sessionId);
  const closedReason = present(wire.ClosedReason);
  if (closedReason !== undefined) connection.closedReason = closedReason;
  const failedDetail = present(wire.FailedDetail);
  if (failedDetail !== undefined) connection.failedDetail = failedDetail;
  return connection;
}

function isoOf(text: string, field: string, sessionId: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new MalformedAlibabaSessionError(`Session ${sessionId} has a ${field} that is not a date: ${JSON.stringify(text)}`);
  return toIso(ms);
}

function portOf(value: number | string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  return Number.isInteger(port) && port >= 0 ? port : undefined;
}

/** Alibaba sends "" for a value not set: the archive leaves it out. */
function present(value: string | undefined | null): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

type OptionalText = 'owner' | 'username' | 'identityType' | 'clientIp' | 'targetServer';

function assignPresent(observed: AlibabaObservedSession, field: OptionalText, value: string | undefined): void {
  const text = present(value);
  if (text !== undefined) observed[field] = text;
}
