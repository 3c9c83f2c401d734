/**
 * The archive's earliest and latest session start, kept in one item so that a query with a far
 * `from` or `to` walks no empty time bucket. Each bound only ever widens, by a conditional
 * UpdateItem (`earliestStart > :start`), so concurrent writers never narrow it. A writer remembers
 * what it has already made sure of: a sweep writing inside the known bounds costs nothing, and a
 * backfill costs at most two small writes per page (measured against the per-item limit in
 * docs/operations.md).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ARCHIVE_BOUNDS_KEY } from './archive-table';

export interface StartBounds {
  /** ISO-8601 StartDates, inclusive. */
  earliest: string;
  latest: string;
}

export class DynamoArchiveBounds {
  /** Bounds this writer knows the item to cover already (the item's may be wider). */
  private known: StartBounds | undefined;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Widens the stored bounds to cover these start dates. Call before writing the sessions. */
  async cover(startDates: readonly string[]): Promise<void> {
    if (startDates.length === 0) return;
    let earliest = startDates[0] as string;
    let latest = earliest;
    for (const start of startDates) {
      if (start < earliest) earliest = start;
      if (start > latest) latest = start;
    }
    const known = this.known;
    await Promise.all([
      known && known.earliest <= earliest ? undefined : this.widen('earliestStart', '>', earliest),
      known && known.latest >= latest ? undefined : this.widen('latestStart', '<', latest),
    ]);
    this.known = known ? { earliest: min(known.earliest, earliest), latest: max(known.latest, latest) } : { earliest, latest };
  }

  async read(consistent = true): Promise<StartBounds | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { ...ARCHIVE_BOUNDS_KEY }, ConsistentRead: consistent }));
    return boundsFromItem(Item);
  }

  private async widen(attribute: 'earliestStart' | 'latestStart', beyond: '>' | '<', start: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { ...ARCHIVE_BOUNDS_KEY },
          UpdateExpression: 'SET #bound = :start',
          ConditionExpression: `attribute_not_exists(#bound) OR #bound ${beyond} :start`,
          ExpressionAttributeNames: { '#bound': attribute },
          ExpressionAttributeValues: { ':start': start },
        }),
      );
    } catch (error: unknown) {
      // The stored bound already covers this start: nothing to do.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

export function boundsFromItem(item: Record<string, unknown> | undefined): StartBounds | undefined {
  const earliest = item?.earliestStart;
  const latest = item?.latestStart;
  return typeof earliest === 'string' && typeof latest === 'string' ? { earliest, latest } : undefined;
}

const min = (a: string, b: string) => (a < b ? a : b);
const max = (a: string, b: string) => (a > b ? a : b);
