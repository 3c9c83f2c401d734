/**
 * What the archive already holds of a page of sessions, read in batches before writing: enough to
 * skip an unchanged session (so a re-sweep of unchanged data writes nothing) and to hash a state
 * under evidence.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { chunk, sleep } from '../../core/shared/concurrency';
import { sessionKey } from './archive-table';
import type { ArchiveTableAccess } from './dynamodb-archive-access';
import { TRACKING_ATTRIBUTES } from './dynamodb-session-writes';

const BATCH_GET_LIMIT = 100;
const MAX_UNPROCESSED_RETRIES = 8;

export interface StoredFingerprint {
  contentHash: string;
  isFinal: boolean;
  firstArchivedAt: string;
  /** The archive holds tracking marks for it (missing, looked for, ended unobserved). */
  tracked: boolean;
}

/** Reads contentHash, isFinal and tracking of existing records, retrying keys DynamoDB left unprocessed. */
export async function readFingerprints(table: ArchiveTableAccess, sessionIds: string[], scopeId: string): Promise<Map<string, StoredFingerprint>> {
  const found = new Map<string, StoredFingerprint>();
  for (const ids of chunk(sessionIds, BATCH_GET_LIMIT)) {
    let keys: Record<string, unknown>[] = ids.map((id) => sessionKey(id, scopeId));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > MAX_UNPROCESSED_RETRIES) throw new Error(`DynamoDB left ${keys.length} keys unprocessed after ${MAX_UNPROCESSED_RETRIES} retries`);
      if (attempt > 0) await sleep(Math.min(2_000, 25 * 2 ** attempt));
      table.stats.sessionReads++;
      const result = await table.client.send(
        new BatchGetCommand({
          RequestItems: {
            [table.tableName]: { Keys: keys, ProjectionExpression: `sessionId, contentHash, isFinal, firstArchivedAt, ${TRACKING_ATTRIBUTES.join(', ')}`, ConsistentRead: true },
          },
        }),
      );
      for (const item of result.Responses?.[table.tableName] ?? []) {
        found.set(String(item.sessionId), {
          contentHash: String(item.contentHash),
          isFinal: item.isFinal === true,
          firstArchivedAt: String(item.firstArchivedAt),
          tracked: TRACKING_ATTRIBUTES.some((attribute) => item[attribute] !== undefined),
        });
      }
      keys = result.UnprocessedKeys?.[table.tableName]?.Keys ?? [];
    }
  }
  return found;
}
