/**
 * What the parts of the archive store (dynamodb-archive-store.ts) share: the table, and the
 * store's count of the requests it made.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Requests the store made, by kind: the benchmarks and tests read these. */
export interface ArchiveStoreStats {
  sessionWrites: number;
  sessionReads: number;
  stateWrites: number;
  outboxWrites: number;
}

export interface ArchiveTableAccess {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly stats: ArchiveStoreStats;
}
