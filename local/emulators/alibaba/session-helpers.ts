/** What tests do to the emulated sessions: add, generate, connect, disconnect, and ask what a listing would hold. */
import type { AlibabaWireSession } from '../../../lambdas/core/sources/alibaba/alibaba-session';
import type { EmulatorClock } from '../../ssm-emulator/clock';
import type { ListingContext } from './describe-terminal-sessions';
import { generateTerminalSessions, type GenerateTerminalSessionsOptions } from './generator';
import { DEFAULT_REGION } from './regions';
import { retainedAt } from './retention';
import { toWireSession, type ConnectionEnd, type EmulatedConnection, type EmulatedTerminalSession } from './session-model';
import type { TerminalSessionStore } from './session-store';

/** A session to add: only the id is required; the rest has plain defaults (created now, no connections). */
export type NewTerminalSession = Pick<EmulatedTerminalSession, 'sessionId'> & Partial<EmulatedTerminalSession>;

export interface ConnectOptions {
  instanceId: string;
  /** Default: Alibaba's now. */
  atMs?: number;
  /** Default 0: Connected at once. */
  connectingMs?: number;
}

export interface DisconnectOptions {
  /** Default: Alibaba's now. */
  atMs?: number;
  /** Default 'Terminated'. */
  status?: ConnectionEnd;
  closedReason?: string;
  failedDetail?: string;
}

export interface SessionHelpers {
  /** Adds one session; returns the stored copy (mutate it only through these helpers). */
  addSession(session: NewTerminalSession): EmulatedTerminalSession;
  addSessions(sessions: readonly EmulatedTerminalSession[]): EmulatedTerminalSession[];
  /** Generates and adds (region default cn-hangzhou); returns the stored sessions. */
  generateSessions(options: GenerateTerminalSessionsOptions): EmulatedTerminalSession[];
  /** Opens a new connection of the session (a reconnect when it had one before). */
  connect(sessionId: string, options: ConnectOptions): EmulatedConnection;
  /** Ends every connection of the session still open at `atMs`. */
  disconnect(sessionId: string, options?: DisconnectOptions): void;
  /** Ground truth, newest first, every region, including dropped and future sessions. Treat as read-only. */
  allSessions(): readonly EmulatedTerminalSession[];
  /** The sessions a full listing of the region holds at `atMs` (default now), newest first. */
  retained(regionId?: string, atMs?: number): EmulatedTerminalSession[];
  /** What DescribeTerminalSessions shows of the session at `atMs` (default now). */
  toWire(session: EmulatedTerminalSession, atMs?: number): AlibabaWireSession;
}

export function sessionHelpers(store: TerminalSessionStore, clock: EmulatorClock, context: ListingContext): SessionHelpers {
  const sessionOf = (sessionId: string): EmulatedTerminalSession => {
    const session = store.get(sessionId);
    if (!session) throw new Error(`No session ${JSON.stringify(sessionId)} in the emulator`);
    return session;
  };
  return {
    addSession(session) {
      const [stored] = store.add([withDefaults(session, clock.now())]);
      return stored as EmulatedTerminalSession;
    },
    addSessions: (sessions) => store.add(sessions),
    generateSessions: (options) => store.add(generateTerminalSessions(options, store)),
    connect(sessionId, options) {
      const session = sessionOf(sessionId);
      const startMs = options.atMs ?? clock.now();
      const previous = session.connections[session.connections.length - 1];
      if (startMs < session.creationMs || (previous && startMs < previous.startMs)) throw new RangeError(`session ${sessionId}: a connection cannot start before the session or its last connection`);
      const connection: EmulatedConnection = { instanceId: options.instanceId, startMs, connectingMs: options.connectingMs ?? 0, endMs: null, endStatus: 'Terminated' };
      session.connections.push(connection);
      return connection;
    },
    disconnect(sessionId, options = {}) {
      const session = sessionOf(sessionId);
      const endMs = options.atMs ?? clock.now();
      for (const connection of session.connections) {
        if (connection.startMs > endMs || (connection.endMs !== null && connection.endMs <= endMs)) continue;
        connection.endMs = endMs;
        connection.endStatus = options.status ?? 'Terminated';
        if (options.closedReason !== undefined) connection.closedReason = options.closedReason;
        if (options.failedDetail !== undefined) connection.failedDetail = options.failedDetail;
      }
    },
    allSessions: () => store.all(),
    retained: (regionId = DEFAULT_REGION, atMs = clock.now()) => retainedAt(store.inRegion(regionId), atMs, context.retention),
    toWire: (session, atMs = clock.now()) => toWireSession(session, atMs),
  };
}

function withDefaults(session: NewTerminalSession, nowMs: number): EmulatedTerminalSession {
  return {
    regionId: DEFAULT_REGION,
    creationMs: nowMs,
    principalId: '2000000000000001',
    username: 'tester@example.onaliyun.com',
    identityType: 'RAMUser',
    clientIp: '10.0.0.1',
    portNumber: 22,
    targetServer: '192.168.0.10',
    connections: [],
    ...session,
  };
}
