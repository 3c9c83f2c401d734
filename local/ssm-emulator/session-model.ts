/**
 * The emulated session (ground truth) and the rules that decide, for a given
 * emulator-clock time, which DescribeSessions list shows it and with what status.
 * Everything here is a pure function of the session, the time and the rules.
 */

export type SessionState = 'Active' | 'History';
export type SessionStatus = 'Connected' | 'Connecting' | 'Disconnected' | 'Terminated' | 'Terminating' | 'Failed';
export type SessionAccessType = 'Standard' | 'JustInTime';
/** Where a session stands at some time: not started yet, listed in one of the two states, or dropped by retention. */
export type SessionVisibility = 'Pending' | SessionState | 'Purged';

export interface EmulatedSession {
  sessionId: string;
  target: string;
  owner: string;
  documentName?: string;
  reason?: string;
  accessType: SessionAccessType;
  maxSessionDuration?: string;
  details?: string;
  outputUrl?: { s3OutputUrl?: string; cloudWatchOutputUrl?: string };
  startMs: number;
  /** null = open until terminated. */
  endMs: number | null;
  /** Status once ended. */
  endStatus: 'Terminated' | 'Failed';
  /** Open sessions: Disconnected instead of Connected. */
  disconnected?: boolean;
  /**
   * Length of the Terminating phase just before endMs: during [endMs - terminatingMs, endMs)
   * the session shows status Terminating, in the list chosen by `terminatingIn`.
   */
  terminatingMs?: number;
}

export interface VisibilityRules {
  retentionDays: number;
  retentionFrom: 'StartDate' | 'EndDate';
  failedIn: SessionState;
  terminatingIn: SessionState;
  /**
   * A session shows up in a list only once it has belonged there this long: in Active this long
   * after it starts, in History this long after it ends. In between it is in neither list.
   */
  visibilityLagMs: number;
}

export const DEFAULT_VISIBILITY_RULES: VisibilityRules = {
  retentionDays: 30,
  retentionFrom: 'StartDate',
  failedIn: 'History',
  terminatingIn: 'Active',
  visibilityLagMs: 0,
};

const DAY_MS = 86_400_000;

/** The DescribeSessions wire shape of one session (timestamps in epoch seconds). */
export type SsmSessionShape = {
  SessionId: string;
  Target: string;
  Status: SessionStatus;
  StartDate: number;
  EndDate?: number;
  DocumentName?: string;
  Owner: string;
  Reason?: string;
  Details?: string;
  OutputUrl?: { S3OutputUrl?: string; CloudWatchOutputUrl?: string };
  MaxSessionDuration?: string;
  AccessType: SessionAccessType;
};

export function hasEnded(session: EmulatedSession, nowMs: number): boolean {
  return session.endMs !== null && nowMs >= session.endMs;
}

function isTerminating(session: EmulatedSession, nowMs: number): boolean {
  if (session.endMs === null || !session.terminatingMs || session.terminatingMs <= 0) return false;
  return nowMs >= session.endMs - session.terminatingMs && nowMs < session.endMs;
}

/** A started session that the lag hides: it belongs to a list it has not shown up in yet. */
export type LaggedVisibility = SessionVisibility | 'Lagging';

/** Status as DescribeSessions would report it at nowMs (Connecting before the session starts). */
export function statusAt(session: EmulatedSession, nowMs: number): SessionStatus {
  if (nowMs < session.startMs) return 'Connecting';
  if (hasEnded(session, nowMs)) return session.endStatus;
  if (isTerminating(session, nowMs)) return 'Terminating';
  return session.disconnected ? 'Disconnected' : 'Connected';
}

/** True once the retention window no longer covers the session (only meaningful for sessions not open-Active). */
function isPastRetention(session: EmulatedSession, nowMs: number, rules: VisibilityRules): boolean {
  const anchorMs = rules.retentionFrom === 'StartDate' ? session.startMs : session.endMs;
  if (anchorMs === null) return false;
  return anchorMs < nowMs - rules.retentionDays * DAY_MS;
}

/** The list a started, not purged session belongs to at nowMs, ignoring retention. */
function listAt(session: EmulatedSession, nowMs: number, rules: VisibilityRules): SessionState {
  if (hasEnded(session, nowMs)) return session.endStatus === 'Failed' ? rules.failedIn : 'History';
  if (isTerminating(session, nowMs)) return rules.terminatingIn;
  return 'Active';
}

export function visibilityAt(session: EmulatedSession, nowMs: number, rules: VisibilityRules): SessionVisibility {
  const visibility = laggedVisibilityAt(session, nowMs, rules);
  // Not listed anywhere yet: to a caller of DescribeSessions it does not exist yet.
  return visibility === 'Lagging' ? 'Pending' : visibility;
}

/**
 * Like visibilityAt, but tells a session the lag hides ('Lagging': started, in neither list
 * right now) from one that has not started.
 */
export function laggedVisibilityAt(session: EmulatedSession, nowMs: number, rules: VisibilityRules): LaggedVisibility {
  if (nowMs < session.startMs) return 'Pending';
  const list = listAt(session, nowMs, rules);
  // Open sessions listed as Active are never purged; anything ended or History-listed is.
  const subjectToRetention = list === 'History' || hasEnded(session, nowMs);
  if (subjectToRetention && isPastRetention(session, nowMs, rules)) return 'Purged';
  const lag = rules.visibilityLagMs;
  // Lists only change Active -> (Terminating's list) -> History, so "the same list `lag` ago"
  // means "in this list for at least `lag`".
  if (lag > 0 && (nowMs - lag < session.startMs || listAt(session, nowMs - lag, rules) !== list)) return 'Lagging';
  return list;
}

/**
 * Whether the session was listed under State=History at some moment up to nowMs.
 * Purging is monotone in time, so it suffices to check the moment it first entered History.
 */
export function everInHistory(session: EmulatedSession, nowMs: number, rules: VisibilityRules): boolean {
  const entered = historyEntryMs(session, rules);
  if (entered === null) return false;
  const enteredHistoryMs = entered + rules.visibilityLagMs;
  if (enteredHistoryMs > nowMs) return false;
  return !isPastRetention(session, enteredHistoryMs, rules);
}

function historyEntryMs(session: EmulatedSession, rules: VisibilityRules): number | null {
  if (session.endMs === null) return null;
  if (rules.terminatingIn === 'History' && session.terminatingMs && session.terminatingMs > 0) {
    return Math.max(session.startMs, session.endMs - session.terminatingMs);
  }
  if (session.endStatus === 'Failed' && rules.failedIn !== 'History') return null;
  return Math.max(session.startMs, session.endMs);
}

/** Epoch seconds with the millisecond fraction, as the JSON 1.1 protocol sends timestamps. */
export function toEpochSeconds(ms: number): number {
  return ms / 1000;
}

export function toSsmShape(session: EmulatedSession, nowMs: number): SsmSessionShape {
  const shape: SsmSessionShape = {
    SessionId: session.sessionId,
    Target: session.target,
    Status: statusAt(session, nowMs),
    StartDate: toEpochSeconds(session.startMs),
    Owner: session.owner,
    AccessType: session.accessType,
  };
  if (session.endMs !== null && hasEnded(session, nowMs)) shape.EndDate = toEpochSeconds(session.endMs);
  if (session.documentName !== undefined) shape.DocumentName = session.documentName;
  if (session.reason !== undefined) shape.Reason = session.reason;
  if (session.details !== undefined) shape.Details = session.details;
  if (session.maxSessionDuration !== undefined) shape.MaxSessionDuration = session.maxSessionDuration;
  if (session.outputUrl) {
    const outputUrl: NonNullable<SsmSessionShape['OutputUrl']> = {};
    if (session.outputUrl.s3OutputUrl !== undefined) outputUrl.S3OutputUrl = session.outputUrl.s3OutputUrl;
    if (session.outputUrl.cloudWatchOutputUrl !== undefined) {
      outputUrl.CloudWatchOutputUrl = session.outputUrl.cloudWatchOutputUrl;
    }
    shape.OutputUrl = outputUrl;
  }
  return shape;
}

/** Keyset order of DescribeSessions results: newest StartDate first, ties by SessionId ascending. */
export function compareNewestFirst(
  a: { startMs: number; sessionId: string },
  b: { startMs: number; sessionId: string },
): number {
  if (a.startMs !== b.startMs) return b.startMs - a.startMs;
  return a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0;
}

/** Rejects sessions AWS could never return, so test set-ups fail loudly instead of silently. */
export function assertValidSession(session: EmulatedSession): void {
  const problem = findSessionProblem(session);
  if (problem) throw new RangeError(`session ${JSON.stringify(session.sessionId)}: ${problem}`);
}

function findSessionProblem(session: EmulatedSession): string | undefined {
  const lengthOk = (value: unknown, min: number, max: number): boolean =>
    typeof value === 'string' && value.length >= min && value.length <= max;
  const optionalLengthOk = (value: unknown, min: number, max: number): boolean => value === undefined || lengthOk(value, min, max);
  if (!lengthOk(session.sessionId, 1, 96)) return 'sessionId must be a string of 1-96 characters';
  if (!lengthOk(session.target, 1, 400)) return 'target must be a string of 1-400 characters';
  if (!lengthOk(session.owner, 1, 256)) return 'owner must be a string of 1-256 characters';
  if (!optionalLengthOk(session.reason, 1, 256)) return 'reason must be 1-256 characters';
  if (!optionalLengthOk(session.details, 1, 1024)) return 'details must be 1-1024 characters';
  if (session.accessType !== 'Standard' && session.accessType !== 'JustInTime') return 'accessType must be Standard or JustInTime';
  if (session.endStatus !== 'Terminated' && session.endStatus !== 'Failed') return 'endStatus must be Terminated or Failed';
  if (!Number.isFinite(session.startMs)) return 'startMs must be a finite number';
  if (session.endMs !== null && !(Number.isFinite(session.endMs) && session.endMs >= session.startMs)) {
    return 'endMs must be null or >= startMs';
  }
  if (session.terminatingMs !== undefined && !(session.terminatingMs >= 0)) return 'terminatingMs must be >= 0';
  return undefined;
}
