/**
 * The HTTP side of the emulator: AWS JSON 1.1 over node:http (POST /, X-Amz-Target,
 * SigV4 Authorization present but not verified), fault injection, stats, and the
 * in-process SsmEmulator handle that tests drive.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { callerFrom, endpointHost, operationFrom, readBody, send } from './http';
import type { AddressInfo } from 'node:net';
import { ManualClock, type EmulatorClock } from './clock';
import { SsmApiError } from './errors';
import { FaultInjector, type FaultSettings } from './faults';
import { generateSessions, type GenerateOptions } from './generator';
import { DEFAULT_GUESSES, resolveGuesses, visibilityRules, type EmulatorGuesses } from './guesses';
import { NextTokenCodec } from './next-token';
import { OPERATION_NAMES, runOperation, type EmulatorCore } from './operations';
import { SessionIndex } from './session-index';
import {
  everInHistory,
  toSsmShape,
  visibilityAt,
  type EmulatedSession,
  type SessionState,
  type SessionVisibility,
  type SsmSessionShape,
} from './session-model';
import { ShownLog, type ShownRecorder } from './shown-recorder';
import { UnstablePages } from './unstable-pages';
import { parseJsonBody } from './validation';

export interface EmulatorOptions extends Partial<EmulatorGuesses> {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** The host's clock. Default: a ManualClock starting at Date.now(). SSM's clock is this plus `clockOffsetMs`. */
  clock?: EmulatorClock;
  /** Default 30. */
  retentionDays?: number;
  faults?: FaultSettings;
  /** How long TerminateSession leaves a session Terminating before it ends. Default 0 (ends at once). */
  terminatingMs?: number;
}

export interface EmulatorStats {
  requests: number;
  byOperation: Record<string, number>;
  /** DescribeSessions calls answered with a page (not failed by a fault or a bad request), by State. */
  describeByState: { Active: number; History: number };
  faultsInjected: number;
  /** Follow-up pages that unstable paging shifted. */
  unstablePages: { skipped: number; repeated: number };
}

export interface SsmEmulator {
  readonly endpoint: string;
  /** The host's clock. */
  readonly clock: EmulatorClock;
  /** SSM's notion of now: the host's clock plus the clock offset. */
  ssmNow(): number;
  /** The guesses in force. */
  readonly guesses: Readonly<EmulatorGuesses>;
  /** Changes some guesses while running (the rest stay); a bad value throws and changes nothing. */
  setGuesses(changes: Partial<EmulatorGuesses>): void;
  /** Every session returned in a DescribeSessions page, as shown. */
  readonly shown: ShownRecorder;
  /** The sessions a complete listing of `state` would return at SSM time `atMs`, as it would show them. */
  visibleAt(state: SessionState, atMs: number): SsmSessionShape[];
  /** Adds copies of the sessions. May include future start times: a session exists only once clock >= startMs. */
  addSessions(sessions: EmulatedSession[]): void;
  /** Generates AND adds; returns the stored sessions (treat as read-only). */
  generateSessions(opts: GenerateOptions): EmulatedSession[];
  /** Ends an open session now (or at atMs). No-op for a session that has already ended. */
  terminate(sessionId: string, atMs?: number): void;
  /** Ground truth, newest first, including purged and not-yet-started sessions. Treat as read-only. */
  allSessions(): readonly EmulatedSession[];
  /** Where the session is listed at nowMs (SSM time; default SSM's now). */
  stateOf(s: EmulatedSession, nowMs?: number): SessionVisibility;
  /** Whether the session was listed under State=History at some moment up to nowMs (SSM time). */
  everInHistory(s: EmulatedSession, nowMs?: number): boolean;
  /** What DescribeSessions returns for the session at nowMs (SSM time). */
  toSsmShape(s: EmulatedSession, nowMs?: number): Record<string, unknown>;
  setFaults(f: FaultSettings | undefined): void;
  readonly stats: EmulatorStats;
  resetStats(): void;
  close(): Promise<void>;
}


export async function startSsmEmulator(options: EmulatorOptions = {}): Promise<SsmEmulator> {
  const retentionDays = options.retentionDays ?? 30;
  if (!(retentionDays > 0)) throw new RangeError('retentionDays must be > 0');
  let guesses = resolveGuesses(DEFAULT_GUESSES, options);
  const hostClock = options.clock ?? new ManualClock(Date.now());
  const ssmClock: EmulatorClock = { now: () => hostClock.now() + guesses.clockOffsetMs };
  const terminatingMs = options.terminatingMs ?? 0;
  if (!(terminatingMs >= 0)) throw new RangeError('terminatingMs must be >= 0');

  const index = new SessionIndex();
  const faults = new FaultInjector(options.faults);
  const stats = emptyStats();
  const core: EmulatorCore = {
    index,
    clock: ssmClock,
    rules: visibilityRules(guesses, retentionDays),
    filtersAfterMaxResults: guesses.filtersAfterMaxResults,
    tokens: new NextTokenCodec(guesses.nextTokenTtlMs),
    unstable: new UnstablePages(guesses.unstablePageRate, guesses.unstablePageSeed),
    shown: new ShownLog(),
    terminatingMs,
    onDescribeAnswered: (state) => {
      stats.describeByState[state] += 1;
    },
  };
  stats.unstablePages = core.unstable.counts;
  const applyGuesses = (changes: Partial<EmulatorGuesses>): void => {
    const next = resolveGuesses(guesses, changes);
    if (next.unstablePageRate !== guesses.unstablePageRate || next.unstablePageSeed !== guesses.unstablePageSeed || changes.unstablePageSeed !== undefined) {
      core.unstable.configure(next.unstablePageRate, next.unstablePageSeed);
    }
    guesses = next;
    core.rules = visibilityRules(guesses, retentionDays);
    core.filtersAfterMaxResults = guesses.filtersAfterMaxResults;
    core.tokens.ttlMs = guesses.nextTokenTtlMs;
  };
  const pendingDelays = new Set<NodeJS.Timeout>();

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        pendingDelays.delete(timer);
        resolve();
      }, ms);
      pendingDelays.add(timer);
    });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    stats.requests += 1;
    const requestId = randomUUID();
    const rawBody = await readBody(request);
    if (rawBody === undefined) {
      request.socket.destroy();
      return;
    }
    try {
      if (request.method !== 'POST' || (request.url ?? '/').split('?')[0] !== '/') {
        throw new SsmApiError('UnknownOperationException', 'Only POST / is supported by the AWS JSON 1.1 protocol');
      }
      const caller = callerFrom(request.headers.authorization);
      const operation = operationFrom(request.headers['x-amz-target']);
      stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;

      const fault = faults.decide(operation);
      if (fault.delayMs > 0) {
        stats.faultsInjected += 1;
        await delay(fault.delayMs);
      }
      if (fault.failure) stats.faultsInjected += 1;
      if (fault.failure === 'drop') {
        request.socket.destroy();
        return;
      }
      if (fault.failure === 'throttle') throw new SsmApiError('ThrottlingException', 'Rate exceeded');
      if (fault.failure === 'error') {
        throw new SsmApiError('InternalServerError', 'An internal error occurred (injected fault). Retry the request.');
      }

      const result = runOperation(operation, parseJsonBody(rawBody), core, caller);
      send(response, 200, result, requestId, ssmClock.now());
    } catch (error) {
      if (error instanceof SsmApiError) {
        send(response, error.status, error.toBody(), requestId, ssmClock.now());
      } else {
        // A bug in the emulator: answer like AWS would, but leave a trace for whoever runs it.
        console.error('SSM emulator: unexpected error', error);
        const body = { __type: 'InternalServerError', message: 'Unexpected emulator error', Message: 'Unexpected emulator error' };
        send(response, 500, body, requestId, ssmClock.now());
      }
    }
  }

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const endpoint = `http://${endpointHost(options.host ?? '127.0.0.1')}:${address.port}`;

  let closing: Promise<void> | undefined;
  const emulator: SsmEmulator = {
    endpoint,
    clock: hostClock,
    stats,
    ssmNow: () => ssmClock.now(),
    get guesses() {
      return { ...guesses };
    },
    setGuesses: applyGuesses,
    shown: core.shown,
    visibleAt: (state, atMs) =>
      index
        .all()
        .filter((session) => visibilityAt(session, atMs, core.rules) === state)
        .map((session) => toSsmShape(session, atMs)),
    addSessions(sessions) {
      index.add(sessions);
    },
    generateSessions(generateOptions) {
      return index.add(generateSessions(generateOptions, index));
    },
    terminate(sessionId, atMs) {
      const session = index.get(sessionId);
      if (!session) throw new Error(`No session ${JSON.stringify(sessionId)} in the emulator`);
      const endMs = atMs ?? ssmClock.now();
      if (endMs < session.startMs) throw new RangeError(`Cannot end session ${sessionId} before it starts`);
      if (session.endMs !== null && session.endMs <= endMs) return;
      session.endMs = endMs;
    },
    allSessions: () => index.all(),
    stateOf: (session, nowMs) => visibilityAt(session, nowMs ?? ssmClock.now(), core.rules),
    everInHistory: (session, nowMs) => everInHistory(session, nowMs ?? ssmClock.now(), core.rules),
    toSsmShape: (session, nowMs) => toSsmShape(session, nowMs ?? ssmClock.now()),
    setFaults: (settings) => faults.configure(settings),
    resetStats() {
      core.unstable.counts.skipped = 0;
      core.unstable.counts.repeated = 0;
      Object.assign(stats, emptyStats(), { unstablePages: core.unstable.counts });
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of pendingDelays) clearTimeout(timer);
        pendingDelays.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
  return emulator;
}

function emptyStats(): EmulatorStats {
  const byOperation: Record<string, number> = {};
  for (const name of OPERATION_NAMES) byOperation[name] = 0;
  return { requests: 0, byOperation, describeByState: { Active: 0, History: 0 }, faultsInjected: 0, unstablePages: { skipped: 0, repeated: 0 } };
}
