/**
 * The `add-start-day` migration's DynamoDB side: a parallel Scan of the archive table (only session
 * items are kept), conditional UpdateItems that add `startDay`, the archive bounds, and the
 * progress item (`ARCHIVE` / `MIGRATION#add-start-day`). Run it with `migrateAddStartDay` once per scheduled
 * run (or at start-up locally) until it reports `complete`.
 */
import { ConditionalCheckFailedException, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DEFAULT_MIGRATION_RUN,
  runAddStartDay,
  type AddStartDayPorts,
  type MigrationProgress,
  type MigrationRunOptions,
  type MigrationRunResult,
  type ScannedSession,
  type ScanPage,
} from '../../core/migrations/add-start-day';
import { ADD_START_DAY_MIGRATION, BY_START_DAY, KEY, migrationKey, startDayOf } from './archive-table';
import { DynamoArchiveBounds } from './dynamodb-archive-bounds';
import { putIfVersion } from './versioned-put';

const SESSION_PREFIX = 'SESSION#';

/** Whether a migration progress item says the migration finished. */
export function isMigrationComplete(item: Record<string, unknown> | undefined): boolean {
  return item?.complete === true;
}

export class DynamoAddStartDayStore implements AddStartDayPorts {
  private readonly bounds: DynamoArchiveBounds;
  private readonly key = migrationKey(ADD_START_DAY_MIGRATION);

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.bounds = new DynamoArchiveBounds(client, tableName);
  }

  async loadProgress(): Promise<MigrationProgress | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }));
    if (!Item) return undefined;
    return {
      version: Number(Item.version ?? 0),
      totalSegments: Number(Item.totalSegments),
      segments: (Item.segments as MigrationProgress['segments'] | undefined) ?? [],
      complete: Item.complete === true,
      itemsSeen: Number(Item.itemsSeen ?? 0),
      itemsUpdated: Number(Item.itemsUpdated ?? 0),
    };
  }

  async saveProgress(progress: MigrationProgress, expectedVersion: number): Promise<boolean> {
    return putIfVersion(this.client, this.tableName, { ...this.key, ...progress, updatedAt: new Date().toISOString() }, expectedVersion);
  }

  async scanSegment(segment: number, totalSegments: number, resumeAfter: string | undefined, pageSize: number): Promise<ScanPage> {
    const output = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        Segment: segment,
        TotalSegments: totalSegments,
        Limit: pageSize,
        ExclusiveStartKey: resumeAfter === undefined ? undefined : (JSON.parse(resumeAfter) as Record<string, unknown>),
        FilterExpression: 'begins_with(#pk, :session) AND attribute_exists(#startDate)',
        ProjectionExpression: '#pk, #sk, #startDate, #startDay',
        ExpressionAttributeNames: { '#pk': KEY.partition, '#sk': KEY.sort, '#startDate': 'startDate', '#startDay': BY_START_DAY.partitionKey },
        ExpressionAttributeValues: { ':session': SESSION_PREFIX },
      }),
    );
    const sessions = (output.Items ?? []).map(
      (item): ScannedSession => ({
        key: { pk: String(item[KEY.partition]), sk: String(item[KEY.sort]) },
        startDate: String(item.startDate),
        hasStartDay: typeof item[BY_START_DAY.partitionKey] === 'string',
      }),
    );
    return output.LastEvaluatedKey ? { sessions, resumeAfter: JSON.stringify(output.LastEvaluatedKey) } : { sessions };
  }

  async setStartDay(session: ScannedSession): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: session.key,
          UpdateExpression: 'SET #startDay = :day',
          // Never on a deleted item (no resurrection), never over a day a writer set meanwhile.
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#startDay) AND #startDate = :start',
          ExpressionAttributeNames: { '#pk': KEY.partition, '#startDay': BY_START_DAY.partitionKey, '#startDate': 'startDate' },
          ExpressionAttributeValues: { ':day': startDayOf(session.startDate), ':start': session.startDate },
        }),
      );
      return true;
    } catch (error: unknown) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  coverBounds(startDates: readonly string[]): Promise<void> {
    return this.bounds.cover(startDates);
  }

  async indexReady(): Promise<boolean> {
    const { Table } = await (this.client as unknown as DynamoDBClient).send(new DescribeTableCommand({ TableName: this.tableName }));
    return (Table?.GlobalSecondaryIndexes ?? []).some((index) => index.IndexName === BY_START_DAY.name && index.IndexStatus === 'ACTIVE');
  }
}

/** One bounded run of the migration over a table. */
export function migrateAddStartDay(client: DynamoDBDocumentClient, tableName: string, options: MigrationRunOptions = DEFAULT_MIGRATION_RUN): Promise<MigrationRunResult> {
  return runAddStartDay(new DynamoAddStartDayStore(client, tableName), options);
}
