/**
 * An emulated ECS terminal session: when it was created, who opened it, and its connections
 * (a reconnect adds one). What DescribeTerminalSessions shows of it depends on the moment asked:
 * a connection exists from its start, is Connecting for a moment, then Connected until it ends.
 */
import type { AlibabaWireConnection, AlibabaWireSession } from '../../../lambdas/core/sources/alibaba/alibaba-session';

export type ConnectionEnd = 'Terminated' | 'Failed';

export interface EmulatedConnection {
  instanceId: string;
  startMs: number;
  /** How long the connection is Connecting before it is Connected. Default 0. One that fails before then never connected. */
  connectingMs?: number;
  /** When it ended; null while open. */
  endMs: number | null;
  endStatus: ConnectionEnd;
  closedReason?: string;
  failedDetail?: string;
}

export interface EmulatedTerminalSession {
  sessionId: string;
  regionId: string;
  creationMs: number;
  principalId: string;
  username: string;
  identityType: string;
  clientIp: string;
  portNumber: number;
  targetServer: string;
  /** In start order. */
  connections: EmulatedConnection[];
}

export type ConnectionStatus = 'Connecting' | 'Connected' | ConnectionEnd;

export function connectionStatusAt(connection: EmulatedConnection, atMs: number): ConnectionStatus {
  if (connection.endMs !== null && atMs >= connection.endMs) return connection.endStatus;
  return atMs < connection.startMs + (connection.connectingMs ?? 0) ? 'Connecting' : 'Connected';
}

/** Whether a listing at `atMs` can show the session at all (it has been created). */
export function existsAt(session: EmulatedTerminalSession, atMs: number): boolean {
  return session.creationMs <= atMs;
}

/** Whether any connection that has started by `atMs` is still open then. */
export function isOpenAt(session: EmulatedTerminalSession, atMs: number): boolean {
  const started = session.connections.filter((connection) => connection.startMs <= atMs);
  return started.length === 0 || started.some((connection) => connection.endMs === null || connection.endMs > atMs);
}

/** The session as DescribeTerminalSessions returns it at `atMs`: whole-second times, "" for what is not set. */
export function toWireSession(session: EmulatedTerminalSession, atMs: number): AlibabaWireSession {
  return {
    SessionId: session.sessionId,
    CreationTime: wireTime(session.creationMs),
    TargetServer: session.targetServer,
    PortNumber: session.portNumber,
    PrincipalId: session.principalId,
    Username: session.username,
    ClientIP: session.clientIp,
    IdentityType: session.identityType,
    Connections: {
      Connection: session.connections.filter((connection) => connection.startMs <= atMs).map((connection) => toWireConnection(connection, atMs)),
    },
  };
}

function toWireConnection(connection: EmulatedConnection, atMs: number): AlibabaWireConnection {
  const status = connectionStatusAt(connection, atMs);
  const ended = status === 'Terminated' || status === 'Failed';
  return {
    InstanceId: connection.instanceId,
    StartTime: wireTime(connection.startMs),
    EndTime: ended && connection.endMs !== null ? wireTime(connection.endMs) : '',
    Status: status,
    ClosedReason: ended ? (connection.closedReason ?? '') : '',
    FailedDetail: status === 'Failed' ? (connection.failedDetail ?? '') : '',
  };
}

/** `2024-01-19T09:15:46Z`: Alibaba's times have whole seconds. */
export function wireTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function assertValidSession(session: EmulatedTerminalSession): void {
  if (!/^[\w.-]{1,128}$/.test(session.sessionId)) throw new RangeError(`sessionId ${JSON.stringify(session.sessionId)} is not a valid session id`);
  if (!Number.isFinite(session.creationMs)) throw new RangeError(`session ${session.sessionId}: creationMs must be a finite number`);
  let previousStart = session.creationMs;
  for (const connection of session.connections) {
    if (!(connection.startMs >= previousStart)) throw new RangeError(`session ${session.sessionId}: connections must start in order, after the session's creation`);
    if (connection.endMs !== null && !(connection.endMs >= connection.startMs)) throw new RangeError(`session ${session.sessionId}: a connection cannot end before it starts`);
    previousStart = connection.startMs;
  }
}
