/**
 * Reads findings for `GET /findings`: one Query on one month partition of the sparse
 * `eventsAndFindings` index, with a key range on <startDate>#<sessionId> and a Limit, so the core
 * bounds the work of each request as it does for sessions. Rule, target and owner are filter
 * expressions: the findings they reject were still read.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FindingFilter } from '../../core/query/findings-plan';
import type { FindingIndexReader, FindingsPartitionPage, FindingsPartitionRead, IndexPosition } from '../../core/query/ports';
import { EVENTS_AND_FINDINGS, KEY, findingPartitionKey, findingsPartition, sortKeyOf } from './archive-table';
import { findingFromItem } from './archive-items';

const START_DATE_LENGTH = '2026-01-01T00:00:00.000Z'.length;
/** Where each filter's value sits in a finding item. */
const FILTER_PATHS: Record<FindingFilter['field'], readonly string[]> = {
  rule: ['rule'],
  target: ['session', 'target'],
  owner: ['session', 'owner'],
  accountId: ['session', 'accountId'],
  region: ['session', 'region'],
  source: ['session', 'source'],
};

export interface DynamoFindingsReaderOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

export class DynamoFindingsReader implements FindingIndexReader {
  readonly stats = { queries: 0, scanned: 0, returned: 0 };
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoFindingsReaderOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async readFindingsPartition(read: FindingsPartitionRead): Promise<FindingsPartitionPage> {
    const partition = findingsPartition(read.month);
    const sortKey = sortKeyOf(EVENTS_AND_FINDINGS);
    const names: Record<string, string> = { '#partition': EVENTS_AND_FINDINGS.partitionKey, '#sort': sortKey };
    const values: Record<string, unknown> = { ':partition': partition, ':lowest': read.keyRange.lowest, ':highest': read.keyRange.highest };
    const terms = read.conditions.map((condition, i) => {
      const path = FILTER_PATHS[condition.field].map((segment, j) => {
        names[`#f${i}_${j}`] = segment;
        return `#f${i}_${j}`;
      });
      values[`:f${i}`] = condition.value;
      return `${path.join('.')} = :f${i}`;
    });
    const output = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: EVENTS_AND_FINDINGS.name,
        KeyConditionExpression: '#partition = :partition AND #sort BETWEEN :lowest AND :highest',
        FilterExpression: terms.length > 0 ? terms.join(' AND ') : undefined,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: read.order === 'asc',
        Limit: read.maxEvaluated,
        ExclusiveStartKey: read.startAfter ? exclusiveStartKey(partition, read.startAfter) : undefined,
      }),
    );
    this.stats.queries++;
    this.stats.scanned += output.ScannedCount ?? 0;
    this.stats.returned += output.Count ?? 0;
    const page: FindingsPartitionPage = {
      findings: (output.Items ?? []).map((item) => ({ record: findingFromItem(item), position: positionOf(item) })),
      evaluated: output.ScannedCount ?? 0,
    };
    if (output.LastEvaluatedKey) page.lastEvaluated = positionOf(output.LastEvaluatedKey);
    return page;
  }
}

/** The index key and the table key: the finding's pk is derived from the session id in the sort key. */
function exclusiveStartKey(partition: string, position: IndexPosition): Record<string, unknown> {
  const sessionId = position.startKey.slice(START_DATE_LENGTH + 1);
  return {
    [KEY.partition]: findingPartitionKey(sessionId),
    [KEY.sort]: position.scope,
    [EVENTS_AND_FINDINGS.partitionKey]: partition,
    [sortKeyOf(EVENTS_AND_FINDINGS)]: position.startKey,
  };
}

/** A finding's position: its index sort key and its table sort key (`<scope>#<rule>`). */
function positionOf(item: Record<string, unknown>): IndexPosition {
  return { startKey: String(item[sortKeyOf(EVENTS_AND_FINDINGS)]), scope: String(item[KEY.sort]) };
}
