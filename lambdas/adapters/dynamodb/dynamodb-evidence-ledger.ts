/**
 * The evidence chain heads and journals in the archive table (layout in archive-table.ts). The head
 * is replaced whole by a versioned put; journal entries are written once and deleted together when
 * their object is written.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chunk, mapWithConcurrency, sleep } from '../../core/shared/concurrency';
import type { EvidenceChainHead, EvidenceLedger } from '../../core/evidence/ledger';
import { scopeKey, type SessionRecord, type SourceScope } from '../../core/session/session';
import { EVIDENCE_PARTITION, evidenceJournalPartition, sessionKey } from './archive-table';
import { sessionRecordFromItem } from './archive-items';
import { putIfVersion } from './versioned-put';

const BATCH_GET_LIMIT = 100;
const DELETE_CONCURRENCY = 8;
const MAX_UNPROCESSED_RETRIES = 8;

const sequenceText = (sequence: number) => String(sequence).padStart(12, '0');
const text = (value: unknown) => (typeof value === 'string' ? value : null);

export class DynamoEvidenceLedger implements EvidenceLedger {
  /** Requests this ledger made: the benchmarks read these. */
  readonly stats = { headWrites: 0, journalWrites: 0, reads: 0 };

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async loadChainHead(scope: SourceScope): Promise<EvidenceChainHead | undefined> {
    this.stats.reads++;
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: EVIDENCE_PARTITION, sk: scopeKey(scope) }, ConsistentRead: true }));
    const item = result.Item;
    if (!item) return undefined;
    return {
      lastSequence: Number(item.lastSequence ?? 0),
      lastHash: text(item.lastHash),
      keyId: text(item.keyId),
      reservedSequence: typeof item.reservedSequence === 'number' ? item.reservedSequence : null,
      reservedAt: text(item.reservedAt),
      version: Number(item.version ?? 0),
    };
  }

  async saveChainHead(scope: SourceScope, head: EvidenceChainHead, expectedVersion: number): Promise<boolean> {
    this.stats.headWrites++;
    return putIfVersion(this.client, this.tableName, { pk: EVIDENCE_PARTITION, sk: scopeKey(scope), ...scope, ...head }, expectedVersion);
  }

  async journal(scope: SourceScope, sequence: number, entry: number, sessionIds: readonly string[]): Promise<void> {
    this.stats.journalWrites++;
    const sk = `${sequenceText(sequence)}#${String(entry).padStart(6, '0')}`;
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { pk: evidenceJournalPartition(scopeKey(scope)), sk, sessionIds: [...sessionIds] } }));
  }

  async journalled(scope: SourceScope, sequence: number): Promise<string[]> {
    const ids = new Set<string>();
    for await (const item of this.journalItems(scope, 'begins_with(sk, :prefix)', { ':prefix': `${sequenceText(sequence)}#` })) {
      for (const id of (item.sessionIds as unknown[] | undefined) ?? []) if (typeof id === 'string') ids.add(id);
    }
    return [...ids];
  }

  /**
   * One DeleteItem per entry (a handful per sweep): the table's resource policy allows the sweeper
   * deletes in its own partitions only, and batch writes to no function.
   */
  async clearJournal(scope: SourceScope, sequence: number): Promise<void> {
    const keys: Record<string, unknown>[] = [];
    for await (const item of this.journalItems(scope, 'sk < :upper', { ':upper': sequenceText(sequence + 1) })) keys.push({ pk: item.pk, sk: item.sk });
    await mapWithConcurrency(keys, DELETE_CONCURRENCY, async (key) => {
      this.stats.journalWrites++;
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: key }));
    });
  }

  async readRecords(scope: SourceScope, sessionIds: readonly string[]): Promise<SessionRecord[]> {
    const found = new Map<string, SessionRecord>();
    for (const ids of chunk([...sessionIds], BATCH_GET_LIMIT)) {
      let keys: Record<string, unknown>[] = ids.map((id) => sessionKey(id, scopeKey(scope)));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > MAX_UNPROCESSED_RETRIES) throw new Error(`DynamoDB left ${keys.length} keys unprocessed after ${MAX_UNPROCESSED_RETRIES} retries`);
        if (attempt > 0) await sleep(Math.min(2_000, 25 * 2 ** attempt));
        this.stats.reads++;
        const result = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of result.Responses?.[this.tableName] ?? []) found.set(String(item.sessionId), sessionRecordFromItem(item));
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return sessionIds.flatMap((id) => found.get(id) ?? []);
  }

  async setEvidenceHash(scope: SourceScope, sessionId: string, sequence: number, hash: string): Promise<boolean> {
    return setEvidenceHash(this.client, this.tableName, scope, sessionId, sequence, hash);
  }

  private async *journalItems(scope: SourceScope, skCondition: string, values: Record<string, string>): AsyncIterable<Record<string, unknown>> {
    let startKey: Record<string, unknown> | undefined;
    do {
      this.stats.reads++;
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: `pk = :pk AND ${skCondition}`,
          ExpressionAttributeValues: { ':pk': evidenceJournalPartition(scopeKey(scope)), ...values },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      yield* page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

/** Sets a record's evidence hash, only while it still carries `sequence` (no newer state replaced it). */
export async function setEvidenceHash(client: DynamoDBDocumentClient, tableName: string, scope: SourceScope, sessionId: string, sequence: number, hash: string): Promise<boolean> {
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: sessionKey(sessionId, scopeKey(scope)),
        UpdateExpression: 'SET #hash = :hash',
        ConditionExpression: '#sequence = :sequence',
        ExpressionAttributeNames: { '#hash': 'evidenceHash', '#sequence': 'evidenceSequence' },
        ExpressionAttributeValues: { ':hash': hash, ':sequence': sequence },
      }),
    );
    return true;
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
