/**
 * The archive table's layout, shared by the DynamoDB adapter, the local store and the CDK
 * construct so that all three agree on key names and indexes.
 *
 * Session item:  pk = SESSION#<sessionId>, sk = <source>#<accountId>#<region>
 * Sweep state:   pk = SOURCES,             sk = <source>#<accountId>#<region>
 * Sweep lease:   pk = LEASES,              sk = <source>#<accountId>#<region>
 * Finding item:  pk = FINDING#<sessionId>, sk = <source>#<accountId>#<region>#<rule>
 * Bounds:        pk = ARCHIVE,             sk = BOUNDS
 * Migration:     pk = ARCHIVE,             sk = MIGRATION#<name>
 * Evidence head:  pk = EVIDENCE,            sk = <source>#<accountId>#<region>
 * Evidence journal: pk = EVIDENCE#<source>#<accountId>#<region>, sk = <sequence, 12 digits>#<entry, 6 digits>
 *
 * The session indexes sort by `startKey` = <ISO startDate>#<sessionId>, so a time range is a key
 * range. The sparse `eventsAndFindings` index holds two kinds of item under their own attribute
 * names (so the session indexes never see a finding): sessions whose `Session Archived` event is
 * not published yet (partition PENDING#<scope>), and findings (partition FINDINGS#<YYYY-MM> of the
 * session's start, sorted by <ISO startDate>#<sessionId>). One index for both because
 * CloudFormation adds only one global secondary index per table update.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const KEY = { partition: 'pk', sort: 'sk' } as const;
export const START_KEY = 'startKey';

export interface ArchiveIndex {
  name: string;
  partitionKey: string;
  /** The index's sort key attribute; `startKey` when absent. */
  sortKey?: string;
}

/** Sessions by month of StartDate: the time-range index until an archive has `startDay` on every session. */
export const BY_START_MONTH: ArchiveIndex = { name: 'byStartMonth', partitionKey: 'startMonth' };
/**
 * Sessions by day of StartDate: the time-range index at organisation scale (a backfill of many
 * targets spreads its writes over days, not one month partition; docs/operations.md). Queries use
 * it once the `add-start-day` migration has put `startDay` on every session item.
 */
export const BY_START_DAY: ArchiveIndex = { name: 'byStartDay', partitionKey: 'startDay' };
export const BY_TARGET: ArchiveIndex = { name: 'byTarget', partitionKey: 'target' };
export const BY_OWNER: ArchiveIndex = { name: 'byOwner', partitionKey: 'owner' };
/** Sparse: only sessions whose last known status is not final carry `openScope`. */
export const OPEN_SESSIONS: ArchiveIndex = { name: 'openSessions', partitionKey: 'openScope' };

/**
 * Sparse, two kinds of item: the event outbox (sessions whose `Session Archived` event is still to
 * be published) and the compliance findings. Its attributes are its own, never a session field.
 */
export const EVENTS_AND_FINDINGS: ArchiveIndex = { name: 'eventsAndFindings', partitionKey: 'eventsAndFindingsPartition', sortKey: 'eventsAndFindingsSort' };

export const ARCHIVE_INDEXES: readonly ArchiveIndex[] = [BY_START_MONTH, BY_TARGET, BY_OWNER, OPEN_SESSIONS, EVENTS_AND_FINDINGS, BY_START_DAY];

/** The sort key attribute of an index. */
export function sortKeyOf(index: ArchiveIndex): string {
  return index.sortKey ?? START_KEY;
}

/** Outbox marks on a session item: who claimed the unpublished event, and until when (epoch ms). */
export const EVENT_CLAIM_OWNER = 'eventClaimOwner';
export const EVENT_CLAIM_UNTIL = 'eventClaimUntil';

/** The outbox partition of a scope in `eventsAndFindings`. */
export function pendingEventsPartition(scopeKey: string): string {
  return `PENDING#${scopeKey}`;
}

/** The findings partition of a month (`2026-11`) in `eventsAndFindings`. */
export function findingsPartition(month: string): string {
  return `FINDINGS#${month}`;
}

export function findingKey(sessionId: string, scopeKey: string, rule: string): { pk: string; sk: string } {
  return { pk: findingPartitionKey(sessionId), sk: `${scopeKey}#${rule}` };
}

/** The table partition of a session's findings. */
export function findingPartitionKey(sessionId: string): string {
  return `FINDING#${sessionId}`;
}

export const SOURCES_PARTITION = 'SOURCES';
/** Sweep leases, one item per target (pk = LEASES, sk = scope): apart from the checkpoint, which is replaced whole on every save. */
export const LEASES_PARTITION = 'LEASES';
/** Epoch-seconds attribute the table's TTL reads when a retention period is set. */
export const EXPIRES_AT = 'expiresAt';

/** The evidence chain head of each target (docs/evidence.md, "Write path"). */
export const EVIDENCE_PARTITION = 'EVIDENCE';

/** The journal of a target's reserved evidence sequence: the sessions written under it, noted before each write. */
export function evidenceJournalPartition(scopeKey: string): string {
  return `${EVIDENCE_PARTITION}#${scopeKey}`;
}

export function sessionKey(sessionId: string, scopeKey: string): { pk: string; sk: string } {
  return { pk: `SESSION#${sessionId}`, sk: scopeKey };
}

export function startKeyOf(startDate: string, sessionId: string): string {
  return `${startDate}#${sessionId}`;
}

/** `2026-11-22T10:00:00.000Z` → `2026-11-22`. */
export function startDayOf(startDate: string): string {
  return startDate.slice(0, 10);
}

/**
 * The earliest and latest StartDate of every archived session (`earliestStart`, `latestStart`):
 * the query walks no time bucket outside them. Widened by the store before it writes sessions.
 */
export const ARCHIVE_BOUNDS_KEY = { pk: 'ARCHIVE', sk: 'BOUNDS' } as const;

/** Archive-wide items (bounds, migrations) share one partition: the query reads them in one Query. */
export const ARCHIVE_PARTITION = ARCHIVE_BOUNDS_KEY.pk;

/** A migration's progress item: one per migration, named by it. */
export function migrationKey(name: string): { pk: string; sk: string } {
  return { pk: ARCHIVE_PARTITION, sk: `MIGRATION#${name}` };
}

/** Puts `startDay` on sessions written before `byStartDay` existed, and records the archive's bounds. */
export const ADD_START_DAY_MIGRATION = 'add-start-day';

/** `2026-11-22T10:00:00.000Z` → `2026-11`. */
export function startMonthOf(startDate: string): string {
  return startDate.slice(0, 7);
}

/** The CreateTable request for local stores and tests (CDK builds the same shape). */
export function createArchiveTableInput(tableName: string): CreateTableCommandInput {
  const stringAttribute = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: KEY.partition, KeyType: 'HASH' },
      { AttributeName: KEY.sort, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [...new Set([KEY.partition, KEY.sort, ...ARCHIVE_INDEXES.flatMap((index) => [index.partitionKey, sortKeyOf(index)])])].map(stringAttribute),
    GlobalSecondaryIndexes: ARCHIVE_INDEXES.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: sortKeyOf(index), KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
