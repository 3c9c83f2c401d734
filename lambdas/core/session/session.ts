/**
 * The archived session: one record per Session Manager session, in the camelCase shape the
 * query API serves. Times are ISO-8601 strings with millisecond precision, so they sort as text.
 */
export const SESSION_STATUSES = ['Connected', 'Connecting', 'Disconnected', 'Terminated', 'Terminating', 'Failed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const ACCESS_TYPES = ['Standard', 'JustInTime'] as const;
export type AccessType = (typeof ACCESS_TYPES)[number];

/** Statuses after which a session never changes again. */
const FINAL_STATUSES: ReadonlySet<string> = new Set<SessionStatus>(['Terminated', 'Failed']);

export interface OutputUrl {
  s3OutputUrl?: string;
  cloudWatchOutputUrl?: string;
}

/** Where a session came from: one source (e.g. `ssm`) in one account and region. */
export interface SourceScope {
  source: string;
  accountId: string;
  region: string;
}

/** What a source reports about a session, before the archive adds its own bookkeeping. */
export interface ObservedSession {
  sessionId: string;
  target: string;
  status: string;
  startDate: string;
  endDate?: string;
  documentName?: string;
  owner?: string;
  reason?: string;
  details?: string;
  outputUrl?: OutputUrl;
  maxSessionDuration?: string;
  accessType?: string;
  /** Alibaba Cloud: every distinct instance the session's connections reached, only when more than one. */
  instanceIds?: string[];
  /** Alibaba Cloud: the RAM identity's user name (`owner` holds its PrincipalId). */
  username?: string;
  /** Alibaba Cloud: RAMUser, Account, AssumedRoleUser, … */
  identityType?: string;
  clientIp?: string;
  portNumber?: number;
  targetServer?: string;
  /** Alibaba Cloud: each connection of the session (reconnects add more), in the order the source gave. */
  connections?: SessionConnection[];
}

/** One connection of an Alibaba Cloud terminal session. Times are ISO-8601 with milliseconds. */
export interface SessionConnection {
  instanceId: string;
  startTime?: string;
  endTime?: string;
  status: string;
  closedReason?: string;
  failedDetail?: string;
}

export interface SessionRecord extends ObservedSession, SourceScope {
  /** When the archive first stored this session; never changes afterwards. */
  firstArchivedAt: string;
  /** When a sweep last wrote a change of this session (a new status, an end date). */
  lastSeenAt: string;
  /**
   * Set when the session was open, then vanished from the source before its final state could be
   * read (it ended and was purged while no sweep ran). `status` is then the last one seen.
   */
  endedUnobservedAt?: string;
  /**
   * The canonical hash of this state (core/evidence/canonical.ts) and the sequence number of the
   * evidence object of its target that holds it; absent when the archive keeps no evidence.
   */
  evidenceHash?: string;
  evidenceSequence?: number;
}

export function isFinalStatus(status: string): boolean {
  return FINAL_STATUSES.has(status);
}

/** A stable key for a source scope, used in checkpoints and metrics dimensions. */
export function scopeKey(scope: SourceScope): string {
  return `${scope.source}#${scope.accountId}#${scope.region}`;
}

/**
 * The fields that make up a session's observed state, in a fixed order, so that two observations
 * of the same state compare equal regardless of how the source ordered its JSON.
 */
export function observedFingerprint(session: ObservedSession): string {
  const shared = [
    session.sessionId,
    session.target,
    session.status,
    session.startDate,
    session.endDate ?? null,
    session.documentName ?? null,
    session.owner ?? null,
    session.reason ?? null,
    session.details ?? null,
    session.outputUrl?.s3OutputUrl ?? null,
    session.outputUrl?.cloudWatchOutputUrl ?? null,
    session.maxSessionDuration ?? null,
    session.accessType ?? null,
  ];
  const extra = sourceSpecificFingerprint(session);
  // Only sources that have these fields append them: SSM records keep the hashes they were stored with.
  return JSON.stringify(extra === undefined ? shared : [...shared, ...extra]);
}

/** Fields only some sources report (Alibaba Cloud's), in the order records, columns and hashes list them. */
export const SOURCE_SPECIFIC_FIELDS = ['instanceIds', 'username', 'identityType', 'clientIp', 'portNumber', 'targetServer', 'connections'] as const;

/** Alibaba Cloud's fields, when the session has any. */
function sourceSpecificFingerprint(session: ObservedSession): unknown[] | undefined {
  if (SOURCE_SPECIFIC_FIELDS.every((name) => session[name] === undefined)) return undefined;
  const { instanceIds, username, identityType, clientIp, portNumber, targetServer, connections } = session;
  return [
    instanceIds ?? null,
    username ?? null,
    identityType ?? null,
    clientIp ?? null,
    portNumber ?? null,
    targetServer ?? null,
    connections?.map((c) => [c.instanceId, c.startTime ?? null, c.endTime ?? null, c.status, c.closedReason ?? null, c.failedDetail ?? null]) ?? null,
  ];
}
