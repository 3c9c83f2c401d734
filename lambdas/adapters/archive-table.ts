/**
 * The archive table's layout, shared by the DynamoDB adapter, the local store and the CDK
 * construct so that all three agree on key names and indexes.
 *
 * Session item:  pk = SESSION#<sessionId>, sk = <source>#<accountId>#<region>
 * Sweep state:   pk = SOURCES,             sk = <source>#<accountId>#<region>
 *
 * Every index sorts by `startKey` = <ISO startDate>#<sessionId>, so a time range is a key range.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const KEY = { partition: 'pk', sort: 'sk' } as const;
export const START_KEY = 'startKey';

export interface ArchiveIndex {
  name: string;
  partitionKey: string;
}

/** Sessions by month of StartDate: the time-range index. */
export const BY_START_MONTH: ArchiveIndex = { name: 'byStartMonth', partitionKey: 'startMonth' };
export const BY_TARGET: ArchiveIndex = { name: 'byTarget', partitionKey: 'target' };
export const BY_OWNER: ArchiveIndex = { name: 'byOwner', partitionKey: 'owner' };
/** Sparse: only sessions whose last known status is not final carry `openScope`. */
export const OPEN_SESSIONS: ArchiveIndex = { name: 'openSessions', partitionKey: 'openScope' };

export const ARCHIVE_INDEXES: readonly ArchiveIndex[] = [BY_START_MONTH, BY_TARGET, BY_OWNER, OPEN_SESSIONS];

export const SOURCES_PARTITION = 'SOURCES';
/** Epoch-seconds attribute the table's TTL reads when a retention period is set. */
export const EXPIRES_AT = 'expiresAt';

export function sessionKey(sessionId: string, scopeKey: string): { pk: string; sk: string } {
  return { pk: `SESSION#${sessionId}`, sk: scopeKey };
}

export function startKeyOf(startDate: string, sessionId: string): string {
  return `${startDate}#${sessionId}`;
}

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
    AttributeDefinitions: [KEY.partition, KEY.sort, START_KEY, ...ARCHIVE_INDEXES.map((index) => index.partitionKey)].map(stringAttribute),
    GlobalSecondaryIndexes: ARCHIVE_INDEXES.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: START_KEY, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
