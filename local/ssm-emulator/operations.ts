/**
 * The five Session Manager operations, as functions from a parsed JSON body to a JSON
 * response body. Errors are thrown as SsmApiError and turned into HTTP by the server.
 */
import { randomBytes } from 'node:crypto';
import type { EmulatorClock } from './clock';
import { SsmApiError } from './errors';
import { EMULATED_ACCOUNT_ID } from './generator';
import type { NextTokenCodec } from './next-token';
import type { SessionIndex } from './session-index';
import type { ShownLog } from './shown-recorder';
import type { UnstablePages } from './unstable-pages';
import { hasEnded, toSsmShape, visibilityAt, type EmulatedSession, type SessionState, type VisibilityRules } from './session-model';
import {
  parseDescribeSessions,
  parseGetConnectionStatus,
  parseSessionIdRequest,
  parseStartSession,
} from './validation';

export const OPERATION_NAMES = [
  'DescribeSessions',
  'StartSession',
  'TerminateSession',
  'ResumeSession',
  'GetConnectionStatus',
] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

export function isOperationName(name: string): name is OperationName {
  return (OPERATION_NAMES as readonly string[]).includes(name);
}

/** Who is calling, from the SigV4 Credential scope (never verified). */
export interface CallerIdentity {
  accessKeyId: string;
  region: string;
}

/** The emulator's state the operations read; `rules` and `filtersAfterMaxResults` change when the guesses do. */
export interface EmulatorCore {
  index: SessionIndex;
  /** SSM's clock: the host's plus the clock offset. */
  clock: EmulatorClock;
  rules: VisibilityRules;
  filtersAfterMaxResults: boolean;
  tokens: NextTokenCodec;
  unstable: UnstablePages;
  shown: ShownLog;
  /** How long a session stays Terminating after TerminateSession (0 = ends at once). */
  terminatingMs: number;
  onDescribeAnswered(state: SessionState): void;
}

type JsonObject = Record<string, unknown>;

/** Instances GetConnectionStatus reports as connected even with no sessions. */
export const FIXED_FLEET: readonly string[] = ['i-0123456789abcdef0', 'i-0fedcba9876543210', 'mi-0123456789abcdef0'];

/** Documents AWS owns; other AWS-/SSM- names do not exist. Customer documents are accepted as is. */
const AWS_SESSION_DOCUMENTS = new Set([
  'SSM-SessionManagerRunShell',
  'AWS-StartPortForwardingSession',
  'AWS-StartPortForwardingSessionToRemoteHost',
  'AWS-StartSSHSession',
  'AWS-StartInteractiveCommand',
  'AWS-StartNonInteractiveCommand',
  'AWS-PasswordReset',
]);

export function runOperation(operation: OperationName, body: JsonObject, core: EmulatorCore, caller: CallerIdentity): JsonObject {
  switch (operation) {
    case 'DescribeSessions':
      return describeSessions(body, core);
    case 'StartSession':
      return startSession(body, core, caller);
    case 'TerminateSession':
      return terminateSession(body, core);
    case 'ResumeSession':
      return resumeSession(body, core, caller);
    case 'GetConnectionStatus':
      return getConnectionStatus(body, core);
  }
}

function describeSessions(body: JsonObject, core: EmulatorCore): JsonObject {
  const input = parseDescribeSessions(body);
  const nowMs = core.clock.now();
  const binding = { state: input.state, filters: input.filters };
  // An empty string is what some clients send for "no token".
  const after = input.nextToken ? core.tokens.read(input.nextToken, binding, nowMs) : undefined;
  const changed = (fromMs: number, toMs: number): boolean => core.index.changedBetween(input.state, fromMs, toMs, core.rules);
  const shift = after ? core.unstable.shift(after.issuedAtMs, nowMs, changed) : 0;
  const page = core.index.page({
    shift,
    state: input.state,
    criteria: input.criteria,
    maxResults: input.maxResults,
    after,
    nowMs,
    rules: core.rules,
    filtersAfterMaxResults: core.filtersAfterMaxResults,
  });
  core.onDescribeAnswered(input.state);
  const shapes = page.sessions.map((session) => toSsmShape(session, nowMs));
  core.shown.record(input.state, nowMs, shapes);
  const response: JsonObject = { Sessions: shapes };
  if (page.nextCursor) response.NextToken = core.tokens.issue(page.nextCursor, binding, nowMs);
  return response;
}

function startSession(body: JsonObject, core: EmulatorCore, caller: CallerIdentity): JsonObject {
  const input = parseStartSession(body);
  const documentName = input.documentName;
  if (documentName && /^(AWS|SSM)-/.test(documentName) && !AWS_SESSION_DOCUMENTS.has(documentName)) {
    throw new SsmApiError('InvalidDocument', `Document with name ${documentName} does not exist.`);
  }
  // Session ids are "<caller name>-<17 hex>" and at most 96 characters.
  const sessionName = caller.accessKeyId.slice(0, 64);
  let sessionId: string;
  do {
    sessionId = `${sessionName}-${randomBytes(9).toString('hex').slice(0, 17)}`;
  } while (core.index.has(sessionId));
  const session: EmulatedSession = {
    sessionId,
    target: input.target,
    owner: `arn:aws:iam::${EMULATED_ACCOUNT_ID}:user/${sessionName}`,
    accessType: 'Standard',
    startMs: core.clock.now(),
    endMs: null,
    endStatus: 'Terminated',
  };
  if (documentName !== undefined) session.documentName = documentName;
  if (input.reason !== undefined) session.reason = input.reason;
  core.index.add([session]);
  return connectionDetails(sessionId, caller);
}

/** Idempotent like AWS: unknown or already ended sessions still answer with their SessionId. */
function terminateSession(body: JsonObject, core: EmulatorCore): JsonObject {
  const { sessionId } = parseSessionIdRequest(body);
  const session = core.index.get(sessionId);
  const nowMs = core.clock.now();
  if (session && nowMs >= session.startMs && !hasEnded(session, nowMs) && !isAlreadyTerminating(session, nowMs)) {
    session.endMs = nowMs + core.terminatingMs;
    session.endStatus = 'Terminated';
    if (core.terminatingMs > 0) session.terminatingMs = core.terminatingMs;
  }
  return { SessionId: sessionId };
}

function isAlreadyTerminating(session: EmulatedSession, nowMs: number): boolean {
  return session.endMs !== null && session.terminatingMs !== undefined && nowMs >= session.endMs - session.terminatingMs;
}

function resumeSession(body: JsonObject, core: EmulatorCore, caller: CallerIdentity): JsonObject {
  const { sessionId } = parseSessionIdRequest(body);
  const session = core.index.get(sessionId);
  const nowMs = core.clock.now();
  const resumable =
    session !== undefined &&
    visibilityAt(session, nowMs, core.rules) === 'Active' &&
    !hasEnded(session, nowMs) &&
    !isAlreadyTerminating(session, nowMs);
  if (!session || !resumable) {
    throw new SsmApiError('DoesNotExistException', `Session with id ${sessionId} does not exist or can no longer be resumed.`);
  }
  session.disconnected = false;
  return connectionDetails(sessionId, caller);
}

function getConnectionStatus(body: JsonObject, core: EmulatorCore): JsonObject {
  const { target } = parseGetConnectionStatus(body);
  const known = core.index.hasTarget(target) || FIXED_FLEET.includes(target);
  return { Target: target, Status: known ? 'connected' : 'notconnected' };
}

function connectionDetails(sessionId: string, caller: CallerIdentity): JsonObject {
  return {
    SessionId: sessionId,
    TokenValue: randomBytes(120).toString('base64'),
    StreamUrl: `wss://ssmmessages.${caller.region}.amazonaws.com/v1/data-channel/${sessionId}?role=publish_subscribe`,
  };
}
