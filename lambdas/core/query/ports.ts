/**
 * What the query core needs from the archive: one bounded read of one index partition at a time.
 * The DynamoDB adapter implements it with a single Query call; tests can hand in a plain array.
 */
import type { ComplianceFinding } from '../compliance/finding';
import type { SessionRecord, SourceScope } from '../session/session';
import type { SweepState } from '../sweep/sweep-state';
import type { PositionedItem } from './collect-page';
import type { FindingFilter } from './findings-plan';
import type { TokenSecrets } from './page-token';
import type { FilterCondition, IndexKind } from './plan';
import type { SortOrder } from './parameters';

/**
 * A position in an index: DynamoDB resumes strictly after it. The table key (pk is derived from
 * the session id in startKey, sk is the scope) breaks ties between equal startKeys.
 */
export interface IndexPosition {
  startKey: string;
  /** The item's sort key: `<source>#<accountId>#<region>`. */
  scope: string;
}

export interface PartitionRead {
  index: IndexKind;
  partition: string;
  keyRange: { lowest: string; highest: string };
  conditions: readonly FilterCondition[];
  order: SortOrder;
  /** Evaluate at most this many items (DynamoDB's Limit: counted before the conditions). */
  maxEvaluated: number;
  startAfter?: IndexPosition;
}

export interface PositionedSession {
  record: SessionRecord;
  position: IndexPosition;
}

export interface PartitionPage {
  /** Matches, in index order. */
  sessions: PositionedSession[];
  /** Items read, matching or not (DynamoDB's ScannedCount). */
  evaluated: number;
  /** Where reading stopped when the partition has (or may have) more; absent when it is exhausted. */
  lastEvaluated?: IndexPosition;
}

export interface SessionIndexReader {
  readPartition(read: PartitionRead): Promise<PartitionPage>;
}

/** How the time index can be walked now: read once per request that walks it. */
export interface TimeIndexState {
  /** Every session item carries `startDay` and the `byStartDay` index is ready: walk days. */
  dayIndex: boolean;
  /**
   * The earliest and latest StartDate (epoch ms, inclusive) of every archived session; null when
   * nothing is archived; absent when the archive cannot vouch for them (not migrated yet).
   */
  bounds?: { earliest: number; latest: number } | null;
}

export interface TimeIndexStateReader {
  readTimeIndexState(): Promise<TimeIndexState>;
}

export interface SessionLookup {
  /** Every archived record with this id: one per source scope that reported it (almost always one). */
  findSession(sessionId: string): Promise<SessionRecord[]>;
}

export interface SweepStateEntry {
  scope: SourceScope;
  state: SweepState;
  /** The target's last failure, kept on its sweep state until a sweep succeeds; null when none. */
  lastError?: TargetError | null;
}

/** Why a target's sweep last failed (access denied, role missing, throttled...) and since when. */
export interface TargetError {
  kind: string;
  message: string;
  /** ISO-8601. */
  since: string;
}

export interface CoverageReader {
  listSweepStates(): Promise<SweepStateEntry[]>;
}

/** One bounded read of one month of findings; positions are <startDate>#<sessionId> plus the item's sort key. */
export interface FindingsPartitionRead {
  /** `2026-11`. */
  month: string;
  keyRange: { lowest: string; highest: string };
  conditions: readonly FindingFilter[];
  order: SortOrder;
  maxEvaluated: number;
  startAfter?: IndexPosition;
}

export interface FindingsPartitionPage {
  findings: PositionedItem<ComplianceFinding>[];
  evaluated: number;
  lastEvaluated?: IndexPosition;
}

export interface FindingIndexReader {
  readFindingsPartition(read: FindingsPartitionRead): Promise<FindingsPartitionPage>;
}

/** Where the API's token secrets come from: Secrets Manager when deployed, the environment locally. */
export interface TokenSecretSource {
  /** The current secret (signs and verifies) and the previous one (verifies), each checked. */
  load(): Promise<TokenSecrets>;
}
