/**
 * The HTTP side of the emulator: AWS JSON 1.1 over node:http (POST /, X-Amz-Target,
 * SigV4 Authorization present but not verified), fault injection, stats, and the
 * in-process SsmEmulator handle that tests drive.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock, type EmulatorClock } from './clock';
import { SsmApiError } from './errors';
import { FaultInjector, type FaultSettings } from './faults';
import { generateSessions, type GenerateOptions } from './generator';
import { DEFAULT_NEXT_TOKEN_TTL_MS, NextTokenCodec } from './next-token';
import { OPERATION_NAMES, isOperationName, runOperation, type CallerIdentity, type EmulatorCore, type OperationName } from './operations';
import { SessionIndex } from './session-index';
import {
  everInHistory,
  toSsmShape,
  visibilityAt,
  type EmulatedSession,
  type SessionVisibility,
  type VisibilityRules,
} from './session-model';
import { parseJsonBody } from './validation';

export interface EmulatorOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default: a ManualClock starting at Date.now(). */
  clock?: EmulatorClock;
  /** Default 30. */
  retentionDays?: number;
  /** Which date the retention window counts from. Default 'StartDate' (the harsher). */
  retentionFrom?: 'StartDate' | 'EndDate';
  /** true = take MaxResults raw items of the state's list, THEN filter (short/empty pages that still carry NextToken). */
  filtersAfterMaxResults?: boolean;
  /** Where Failed sessions are listed. Default 'History'. */
  failedIn?: 'History' | 'Active';
  /** Where Terminating sessions are listed. Default 'Active'. */
  terminatingIn?: 'Active' | 'History';
  faults?: FaultSettings;
  /** Default 24h of emulator-clock time. */
  nextTokenTtlMs?: number;
  /** How long TerminateSession leaves a session Terminating before it ends. Default 0 (ends at once). */
  terminatingMs?: number;
}

export interface EmulatorStats {
  requests: number;
  byOperation: Record<string, number>;
  /** DescribeSessions calls answered with a page (not failed by a fault or a bad request), by State. */
  describeByState: { Active: number; History: number };
  faultsInjected: number;
}

export interface SsmEmulator {
  readonly endpoint: string;
  readonly clock: EmulatorClock;
  /** Adds copies of the sessions. May include future start times: a session exists only once clock >= startMs. */
  addSessions(sessions: EmulatedSession[]): void;
  /** Generates AND adds; returns the stored sessions (treat as read-only). */
  generateSessions(opts: GenerateOptions): EmulatedSession[];
  /** Ends an open session now (or at atMs). No-op for a session that has already ended. */
  terminate(sessionId: string, atMs?: number): void;
  /** Ground truth, newest first, including purged and not-yet-started sessions. Treat as read-only. */
  allSessions(): readonly EmulatedSession[];
  stateOf(s: EmulatedSession, nowMs?: number): SessionVisibility;
  /** Whether the session was listed under State=History at some moment up to nowMs. */
  everInHistory(s: EmulatedSession, nowMs?: number): boolean;
  /** What DescribeSessions returns for the session at nowMs. */
  toSsmShape(s: EmulatedSession, nowMs?: number): Record<string, unknown>;
  setFaults(f: FaultSettings | undefined): void;
  readonly stats: EmulatorStats;
  resetStats(): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const TARGET_PREFIX = 'AmazonSSM.';
const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/;

export async function startSsmEmulator(options: EmulatorOptions = {}): Promise<SsmEmulator> {
  const rules = visibilityRulesFrom(options);
  const clock = options.clock ?? new ManualClock(Date.now());
  const terminatingMs = options.terminatingMs ?? 0;
  if (!(terminatingMs >= 0)) throw new RangeError('terminatingMs must be >= 0');
  const nextTokenTtlMs = options.nextTokenTtlMs ?? DEFAULT_NEXT_TOKEN_TTL_MS;
  if (!(nextTokenTtlMs > 0)) throw new RangeError('nextTokenTtlMs must be > 0');

  const index = new SessionIndex();
  const faults = new FaultInjector(options.faults);
  const stats = emptyStats();
  const core: EmulatorCore = {
    index,
    clock,
    rules,
    filtersAfterMaxResults: options.filtersAfterMaxResults ?? false,
    tokens: new NextTokenCodec(nextTokenTtlMs),
    terminatingMs,
    onDescribeAnswered: (state) => {
      stats.describeByState[state] += 1;
    },
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
    // SSM's own clock, as a real endpoint shows it: the sweep plans its listings in this time.
    response.setHeader('Date', new Date(clock.now()).toUTCString());
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
      send(response, 200, result, requestId);
    } catch (error) {
      if (error instanceof SsmApiError) {
        send(response, error.status, error.toBody(), requestId);
      } else {
        // A bug in the emulator: answer like AWS would, but leave a trace for whoever runs it.
        console.error('SSM emulator: unexpected error', error);
        send(response, 500, { __type: 'InternalServerError', message: 'Unexpected emulator error', Message: 'Unexpected emulator error' }, requestId);
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
    clock,
    stats,
    addSessions(sessions) {
      index.add(sessions);
    },
    generateSessions(generateOptions) {
      return index.add(generateSessions(generateOptions, index));
    },
    terminate(sessionId, atMs) {
      const session = index.get(sessionId);
      if (!session) throw new Error(`No session ${JSON.stringify(sessionId)} in the emulator`);
      const endMs = atMs ?? clock.now();
      if (endMs < session.startMs) throw new RangeError(`Cannot end session ${sessionId} before it starts`);
      if (session.endMs !== null && session.endMs <= endMs) return;
      session.endMs = endMs;
    },
    allSessions: () => index.all(),
    stateOf: (session, nowMs) => visibilityAt(session, nowMs ?? clock.now(), rules),
    everInHistory: (session, nowMs) => everInHistory(session, nowMs ?? clock.now(), rules),
    toSsmShape: (session, nowMs) => toSsmShape(session, nowMs ?? clock.now()),
    setFaults: (settings) => faults.configure(settings),
    resetStats() {
      Object.assign(stats, emptyStats());
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

function visibilityRulesFrom(options: EmulatorOptions): VisibilityRules {
  const retentionDays = options.retentionDays ?? 30;
  if (!(retentionDays > 0)) throw new RangeError('retentionDays must be > 0');
  return {
    retentionDays,
    retentionFrom: options.retentionFrom ?? 'StartDate',
    failedIn: options.failedIn ?? 'History',
    terminatingIn: options.terminatingIn ?? 'Active',
  };
}

function emptyStats(): EmulatorStats {
  const byOperation: Record<string, number> = {};
  for (const name of OPERATION_NAMES) byOperation[name] = 0;
  return { requests: 0, byOperation, describeByState: { Active: 0, History: 0 }, faultsInjected: 0 };
}

/** Reads the whole body; undefined when it is too large or the client went away. */
function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', () => resolve(undefined));
  });
}

/** The access key id and region from the SigV4 Credential scope; the signature itself is not checked. */
function callerFrom(authorization: string | undefined): CallerIdentity {
  if (!authorization) {
    throw new SsmApiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const match = CREDENTIAL_SCOPE.exec(authorization);
  if (!authorization.startsWith('AWS4-HMAC-SHA256 ') || !match) {
    throw new SsmApiError(
      'IncompleteSignatureException',
      'Authorization header requires a Credential parameter of the form Credential=<key>/<date>/<region>/ssm/aws4_request',
    );
  }
  return { accessKeyId: match[1] as string, region: match[2] as string };
}

function operationFrom(target: string | string[] | undefined): OperationName {
  if (typeof target !== 'string' || target === '') {
    throw new SsmApiError('UnknownOperationException', 'Missing X-Amz-Target header');
  }
  const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  if (!isOperationName(name)) {
    throw new SsmApiError('UnknownOperationException', `Unknown operation ${target}`);
  }
  return name;
}

function send(response: ServerResponse, status: number, body: Record<string, unknown>, requestId: string): void {
  if (response.destroyed || response.writableEnded) return;
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(payload),
    'x-amzn-RequestId': requestId,
  });
  response.end(payload);
}

function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
