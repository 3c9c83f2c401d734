/**
 * Reads the archive for the query API. Every read is a Query on one partition of one index with
 * a key range and a Limit (DynamoDB's Limit counts items evaluated before filters, so it bounds
 * the work of each call); the core decides how many calls a request may make.
 *
 * Read amplification: with only key conditions (time range, target, owner) every evaluated item
 * is returned. Conditions on status, document, access type, reason (or owner when the target index
 * serves the query) are FilterExpressions: items they reject were still read and paid for.
 */
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { SourceScope } from '../../core/session/session';
import type { FilterCondition, IndexKind } from '../../core/query/plan';
import type {
  CoverageReader,
  IndexPosition,
  PartitionPage,
  PartitionRead,
  SessionIndexReader,
  SessionLookup,
  SweepStateEntry,
  TargetError,
  TimeIndexState,
  TimeIndexStateReader,
} from '../../core/query/ports';
import type { SessionRecord } from '../../core/session/session';
import {
  ADD_START_DAY_MIGRATION,
  ARCHIVE_BOUNDS_KEY,
  ARCHIVE_PARTITION,
  BY_OWNER,
  BY_START_DAY,
  BY_START_MONTH,
  BY_TARGET,
  KEY,
  migrationKey,
  SOURCES_PARTITION,
  START_KEY,
  sessionKey,
  type ArchiveIndex,
} from './archive-table';
import { boundsFromItem } from './dynamodb-archive-bounds';
import { isMigrationComplete } from './dynamodb-add-start-day';
import { sessionRecordFromItem, sweepStateFromItem } from './archive-items';

const INDEX_OF: Record<IndexKind, ArchiveIndex> = { time: BY_START_MONTH, target: BY_TARGET, owner: BY_OWNER };
const DAY_LENGTH = '2026-01-01'.length;
const START_DATE_LENGTH = '2026-01-01T00:00:00.000Z'.length;

export interface DynamoSessionReaderOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** Totals since construction (or the last reset): tests and benchmarks read amplification from these. */
export interface ReaderStats {
  queries: number;
  /** Items DynamoDB evaluated (ScannedCount). */
  scanned: number;
  /** Items it returned (Count). */
  returned: number;
}

export class DynamoSessionReader implements SessionIndexReader, SessionLookup, CoverageReader, TimeIndexStateReader {
  readonly stats: ReaderStats = { queries: 0, scanned: 0, returned: 0 };
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoSessionReaderOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  resetStats(): void {
    Object.assign(this.stats, { queries: 0, scanned: 0, returned: 0 });
  }

  async readPartition(read: PartitionRead): Promise<PartitionPage> {
    // Time buckets name their index: a day (2026-11-30) is in byStartDay, a month in byStartMonth.
    const index = read.index === 'time' && read.partition.length === DAY_LENGTH ? BY_START_DAY : INDEX_OF[read.index];
    const names: Record<string, string> = { '#partition': index.partitionKey, '#startKey': START_KEY };
    const values: Record<string, unknown> = { ':partition': read.partition, ':lowest': read.keyRange.lowest, ':highest': read.keyRange.highest };
    const filter = filterExpression(read.conditions, names, values);
    const output = await this.query({
      IndexName: index.name,
      KeyConditionExpression: '#partition = :partition AND #startKey BETWEEN :lowest AND :highest',
      FilterExpression: filter,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: read.order === 'asc',
      Limit: read.maxEvaluated,
      ExclusiveStartKey: read.startAfter ? exclusiveStartKey(index, read.partition, read.startAfter) : undefined,
    });
    const page: PartitionPage = {
      sessions: (output.Items ?? []).map((item) => ({ record: sessionRecordFromItem(item), position: positionOf(item) })),
      evaluated: output.ScannedCount ?? 0,
    };
    if (output.LastEvaluatedKey) page.lastEvaluated = positionOf(output.LastEvaluatedKey);
    return page;
  }

  /**
   * One strongly consistent Query of the archive-wide partition (the bounds and the migration
   * items): a session written before this request began lies inside the bounds it returns. Not an
   * index read, so not in `stats`.
   */
  async readTimeIndexState(): Promise<TimeIndexState> {
    const output = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': KEY.partition },
        ExpressionAttributeValues: { ':pk': ARCHIVE_PARTITION },
        ConsistentRead: true,
      }),
    );
    const items = output.Items ?? [];
    const find = (key: { pk: string; sk: string }) => items.find((item) => item[KEY.sort] === key.sk);
    if (!isMigrationComplete(find(migrationKey(ADD_START_DAY_MIGRATION)))) return { dayIndex: false };
    const bounds = boundsFromItem(find(ARCHIVE_BOUNDS_KEY));
    return { dayIndex: true, bounds: bounds ? { earliest: Date.parse(bounds.earliest), latest: Date.parse(bounds.latest) } : null };
  }

  async findSession(sessionId: string): Promise<SessionRecord[]> {
    const records: SessionRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.query({
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': KEY.partition },
        ExpressionAttributeValues: { ':pk': sessionKey(sessionId, '').pk },
        ExclusiveStartKey: startKey,
      });
      for (const item of output.Items ?? []) records.push(sessionRecordFromItem(item));
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  async listSweepStates(): Promise<SweepStateEntry[]> {
    const entries: SweepStateEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.query({
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': KEY.partition },
        ExpressionAttributeValues: { ':pk': SOURCES_PARTITION },
        ExclusiveStartKey: startKey,
      });
      for (const item of output.Items ?? []) entries.push({ scope: scopeOf(item), state: sweepStateFromItem(item), lastError: targetErrorFromItem(item.lastError) });
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return entries;
  }

  private async query(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>): Promise<QueryCommandOutput> {
    const output = await this.client.send(new QueryCommand({ TableName: this.tableName, ...input }));
    this.stats.queries++;
    this.stats.scanned += output.ScannedCount ?? 0;
    this.stats.returned += output.Count ?? 0;
    return output;
  }
}

/** Conditions joined by AND, with placeholders for every name and value (user text never enters the expression). */
function filterExpression(conditions: readonly FilterCondition[], names: Record<string, string>, values: Record<string, unknown>): string | undefined {
  const terms = conditions.map((condition, i) => {
    names[`#c${i}`] = condition.field;
    values[`:c${i}`] = condition.value;
    return condition.match === 'contains' ? `contains(#c${i}, :c${i})` : `#c${i} = :c${i}`;
  });
  return terms.length > 0 ? terms.join(' AND ') : undefined;
}

/** A GSI's start key holds the table key and the index key. */
function exclusiveStartKey(index: ArchiveIndex, partition: string, position: IndexPosition): Record<string, unknown> {
  const sessionId = position.startKey.slice(START_DATE_LENGTH + 1);
  return { ...sessionKey(sessionId, position.scope), [index.partitionKey]: partition, [START_KEY]: position.startKey };
}

function positionOf(item: Record<string, unknown>): IndexPosition {
  return { startKey: String(item[START_KEY]), scope: String(item[KEY.sort]) };
}

/** The sweeper writes `lastError` as { kind, message, since }; anything else reads as no error. */
function targetErrorFromItem(value: unknown): TargetError | null {
  if (typeof value !== 'object' || value === null) return null;
  const { kind, message, since } = value as Record<string, unknown>;
  if (typeof kind !== 'string' || typeof message !== 'string' || typeof since !== 'string') return null;
  return { kind, message, since };
}

function scopeOf(item: Record<string, unknown>): SourceScope {
  const [source = '', accountId = '', region = ''] = String(item[KEY.sort]).split('#');
  return {
    source: typeof item.source === 'string' ? item.source : source,
    accountId: typeof item.accountId === 'string' ? item.accountId : accountId,
    region: typeof item.region === 'string' ? item.region : region,
  };
}
