/**
 * Writes restored records into an archive table as the sweep's store would have left them: the
 * same keys, index attributes (start key, month, day, open scope), content hash and finality, and
 * the evidence hash and sequence. BatchWriteItem, 25 items a request, several in flight, keys
 * DynamoDB leaves unprocessed sent again. The archive's start bounds are widened first, as the
 * store does, so the API plans its queries over every restored session.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chunk, mapWithConcurrency, sleep } from '../../core/shared/concurrency';
import { contentHash } from '../../core/session/content-hash';
import type { RestoreSink } from '../../core/evidence/restore';
import type { ArchivedRecord } from '../../core/evidence/verify-findings';
import { isFinalStatus, scopeKey, type ObservedSession } from '../../core/session/session';
import { OPEN_SESSIONS, sessionKey, startDayOf, startKeyOf, startMonthOf } from './archive-table';
import { DynamoArchiveBounds } from './dynamodb-archive-bounds';

const BATCH_WRITE_LIMIT = 25;
const MAX_UNPROCESSED_RETRIES = 8;
/** The fields of what the source reported: the store's content hash covers these. */
const OBSERVED_FIELDS = ['sessionId', 'target', 'status', 'startDate', 'endDate', 'documentName', 'owner', 'reason', 'details', 'outputUrl', 'maxSessionDuration', 'accessType'] as const;

/** The item the store keeps for `record` (writeSession in dynamodb-session-writes.ts, markEndedUnobserved in dynamodb-open-sessions.ts). */
export function sessionItemOf(record: ArchivedRecord): Record<string, unknown> {
  const observed: Record<string, unknown> = {};
  for (const field of OBSERVED_FIELDS) if (record[field] !== undefined) observed[field] = record[field];
  const final = isFinalStatus(record.status);
  const item: Record<string, unknown> = {
    ...sessionKey(record.sessionId, scopeKey(record)),
    ...record,
    startKey: startKeyOf(record.startDate, record.sessionId),
    startMonth: startMonthOf(record.startDate),
    startDay: startDayOf(record.startDate),
    contentHash: contentHash(observed as unknown as ObservedSession),
    isFinal: final,
  };
  // Open and still followed by the sweep: in the open-sessions index, as the store keeps it.
  if (!final && record.endedUnobservedAt === undefined) item[OPEN_SESSIONS.partitionKey] = scopeKey(record);
  for (const key of Object.keys(item)) if (item[key] === undefined) delete item[key];
  return item;
}

export class DynamoRestoreWriter implements RestoreSink {
  private readonly bounds: DynamoArchiveBounds;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly concurrency = 8,
  ) {
    this.bounds = new DynamoArchiveBounds(client, tableName);
  }

  async write(records: readonly ArchivedRecord[]): Promise<void> {
    await this.bounds.cover(records.map((record) => record.startDate));
    await mapWithConcurrency(chunk(records.map(sessionItemOf), BATCH_WRITE_LIMIT), this.concurrency, (items) => this.writeBatch(items));
  }

  private async writeBatch(items: Record<string, unknown>[]): Promise<void> {
    let requests = items.map((item) => ({ PutRequest: { Item: item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > MAX_UNPROCESSED_RETRIES) throw new Error(`DynamoDB left ${requests.length} writes unprocessed after ${MAX_UNPROCESSED_RETRIES} retries`);
      if (attempt > 0) await sleep(Math.min(2_000, 25 * 2 ** attempt));
      const result = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
      requests = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
    }
  }
}
