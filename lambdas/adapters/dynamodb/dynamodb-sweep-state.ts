/**
 * Each scope's sweep checkpoint (replaced whole by a versioned put) and its sweep lease (one
 * sweep at a time; a lapsed lease may be taken over).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { scopeKey, type SourceScope } from '../../core/session/session';
import type { SweepState } from '../../core/sweep/sweep-state';
import { LEASES_PARTITION, SOURCES_PARTITION } from './archive-table';
import { sweepStateFromItem, sweepStateToItem } from './archive-items';
import type { ArchiveTableAccess } from './dynamodb-archive-access';
import { putIfVersion } from './versioned-put';

export async function loadSweepState(table: ArchiveTableAccess, scope: SourceScope): Promise<SweepState | undefined> {
  const result = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: { pk: SOURCES_PARTITION, sk: scopeKey(scope) }, ConsistentRead: true }),
  );
  return result.Item ? sweepStateFromItem(result.Item) : undefined;
}

export async function saveSweepState(table: ArchiveTableAccess, scope: SourceScope, state: SweepState, expectedVersion: number): Promise<boolean> {
  table.stats.stateWrites++;
  return putIfVersion(table.client, table.tableName, { pk: SOURCES_PARTITION, sk: scopeKey(scope), ...scope, ...sweepStateToItem(state) }, expectedVersion);
}

export async function acquireSweepLease(table: ArchiveTableAccess, scope: SourceScope, owner: string, nowMs: number, untilMs: number): Promise<boolean> {
  table.stats.stateWrites++;
  try {
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { pk: LEASES_PARTITION, sk: scopeKey(scope), owner, until: untilMs },
        ConditionExpression: 'attribute_not_exists(pk) OR #until < :now OR #owner = :owner',
        ExpressionAttributeNames: { '#until': 'until', '#owner': 'owner' },
        ExpressionAttributeValues: { ':now': nowMs, ':owner': owner },
      }),
    );
    return true;
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export async function releaseSweepLease(table: ArchiveTableAccess, scope: SourceScope, owner: string): Promise<void> {
  table.stats.stateWrites++;
  try {
    await table.client.send(
      new DeleteCommand({
        TableName: table.tableName,
        Key: { pk: LEASES_PARTITION, sk: scopeKey(scope) },
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
  } catch (error: unknown) {
    // Lapsed and taken by another sweep meanwhile: theirs now.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
