/**
 * The event outbox on the session records: a record that owes its `Session Archived` event carries
 * a mark in the sparse `eventsAndFindings` index (written with the state, dynamodb-session-writes.ts).
 * The marks are listed, claimed, cleared and released here with conditional writes on the record alone.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ClaimedRecord, EventClaim, PendingEventRef } from '../../core/sweep/ports';
import { scopeKey, type SourceScope } from '../../core/session/session';
import { EVENT_CLAIM_OWNER, EVENT_CLAIM_UNTIL, EVENTS_AND_FINDINGS, pendingEventsPartition, sessionKey, sortKeyOf } from './archive-table';
import { sessionRecordFromItem } from './archive-items';
import type { ArchiveTableAccess } from './dynamodb-archive-access';

/** Owed events read from the outbox index per page. */
const PENDING_EVENTS_PAGE = 100;
/** Every attribute of the outbox mark: removed together once the event is delivered. */
const OUTBOX_ATTRIBUTES = [EVENTS_AND_FINDINGS.partitionKey, sortKeyOf(EVENTS_AND_FINDINGS), EVENT_CLAIM_OWNER, EVENT_CLAIM_UNTIL] as const;

export async function* listPendingEvents(table: ArchiveTableAccess, scope: SourceScope): AsyncIterable<PendingEventRef[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: EVENTS_AND_FINDINGS.name,
        KeyConditionExpression: '#partition = :partition',
        ExpressionAttributeNames: { '#partition': EVENTS_AND_FINDINGS.partitionKey },
        ExpressionAttributeValues: { ':partition': pendingEventsPartition(scopeKey(scope)) },
        Limit: PENDING_EVENTS_PAGE,
        ExclusiveStartKey: startKey,
      }),
    );
    const refs = (page.Items ?? []).map((item) => ({ sessionId: String(item.sessionId) }));
    if (refs.length > 0) yield refs;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

export async function claimPendingEvent(table: ArchiveTableAccess, scope: SourceScope, sessionId: string, claim: EventClaim, nowMs: number): Promise<ClaimedRecord | undefined> {
  table.stats.outboxWrites++;
  try {
    const result = await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: sessionKey(sessionId, scopeKey(scope)),
        UpdateExpression: 'SET #owner = :owner, #until = :until',
        // Still owed, and nobody holds a live claim (a publisher mid-flight keeps its own).
        ConditionExpression: '#pending = :pending AND (attribute_not_exists(#until) OR #until < :now)',
        ExpressionAttributeNames: { '#owner': EVENT_CLAIM_OWNER, '#until': EVENT_CLAIM_UNTIL, '#pending': EVENTS_AND_FINDINGS.partitionKey },
        ExpressionAttributeValues: { ':owner': claim.owner, ':until': claim.until, ':now': nowMs, ':pending': pendingEventsPartition(scopeKey(scope)) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const item = result.Attributes ?? {};
    return { record: sessionRecordFromItem(item), contentHash: String(item.contentHash) };
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

export async function clearPendingEvent(table: ArchiveTableAccess, scope: SourceScope, sessionId: string, hash: string, owner: string): Promise<boolean> {
  table.stats.outboxWrites++;
  const names: Record<string, string> = { '#hash': 'contentHash', '#owner': EVENT_CLAIM_OWNER };
  OUTBOX_ATTRIBUTES.forEach((attribute, i) => (names[`#m${i}`] = attribute));
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: sessionKey(sessionId, scopeKey(scope)),
        UpdateExpression: `REMOVE ${OUTBOX_ATTRIBUTES.map((_, i) => `#m${i}`).join(', ')}`,
        // A newer state written meanwhile owes its own event: leave its mark alone.
        ConditionExpression: '#hash = :hash AND #owner = :owner',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':hash': hash, ':owner': owner },
      }),
    );
    return true;
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export async function releaseEventClaim(table: ArchiveTableAccess, scope: SourceScope, sessionId: string, owner: string): Promise<void> {
  table.stats.outboxWrites++;
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: sessionKey(sessionId, scopeKey(scope)),
        UpdateExpression: 'REMOVE #owner, #until',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': EVENT_CLAIM_OWNER, '#until': EVENT_CLAIM_UNTIL },
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
  } catch (error: unknown) {
    // Someone else's claim now (a newer state): theirs to publish.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
