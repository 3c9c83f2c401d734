/**
 * Every session record of the archive table, page by page: a Scan kept to `SESSION#` items. The
 * scheduled verify reads the table itself (not through the API), so it also sees records the
 * API's indexes would not show.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ArchivedRecord } from '../../core/evidence/verify-findings';
import { sessionRecordFromItem } from './archive-items';

export class DynamoSessionScan {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async *pages(): AsyncIterable<ArchivedRecord[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'begins_with(pk, :session)',
          ExpressionAttributeValues: { ':session': 'SESSION#' },
          ExclusiveStartKey: startKey,
        }),
      );
      yield (page.Items ?? []).map(archivedRecordOf);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

function archivedRecordOf(item: Record<string, unknown>): ArchivedRecord {
  const record: ArchivedRecord = sessionRecordFromItem(item);
  if (typeof item.evidenceHash === 'string') record.evidenceHash = item.evidenceHash;
  if (typeof item.evidenceSequence === 'number') record.evidenceSequence = item.evidenceSequence;
  return record;
}
