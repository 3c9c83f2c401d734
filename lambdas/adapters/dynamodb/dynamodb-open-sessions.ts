/**
 * Open sessions in the archive: listed from the sparse `openSessions` index, and tracked once the
 * source no longer shows them (missing since, looked up in vain, ended unobserved). Every update
 * here applies only while the record is still open.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { recordHash } from '../../core/evidence/canonical';
import type { ArchiveWriteOptions, OpenSessionRef, SessionTracking } from '../../core/sweep/ports';
import { scopeKey, type SessionRecord, type SourceScope } from '../../core/session/session';
import { fromIso, toIso } from '../../core/shared/time';
import { EXPIRES_AT, OPEN_SESSIONS, sessionKey } from './archive-table';
import { sessionRecordFromItem } from './archive-items';
import type { ArchiveTableAccess } from './dynamodb-archive-access';
import { setEvidenceHash } from './dynamodb-evidence-ledger';
import { EVIDENCE_ATTRIBUTES } from './dynamodb-session-writes';

export async function listOpenSessions(table: ArchiveTableAccess, scope: SourceScope): Promise<OpenSessionRef[]> {
  const refs: OpenSessionRef[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: OPEN_SESSIONS.name,
        KeyConditionExpression: '#scope = :scope',
        ExpressionAttributeNames: { '#scope': OPEN_SESSIONS.partitionKey },
        ExpressionAttributeValues: { ':scope': scopeKey(scope) },
        ProjectionExpression: 'sessionId, startDate, missingSince, lookupMissedAt',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) refs.push(openSessionRefFromItem(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return refs;
}

export async function markMissing(table: ArchiveTableAccess, scope: SourceScope, sessionId: string, tracking: SessionTracking): Promise<void> {
  const set: Record<string, string> = {};
  if (tracking.missingSince !== undefined) set.missingSince = toIso(tracking.missingSince);
  if (tracking.lookupMissedAt !== undefined) set.lookupMissedAt = toIso(tracking.lookupMissedAt);
  if (Object.keys(set).length === 0) return;
  await updateOpenRecord(table, scope, sessionId, set, []);
}

/** Retention (when set) counts from the last sighting: the end was never observed. */
export async function markEndedUnobserved(
  table: ArchiveTableAccess,
  retentionMs: number | undefined,
  scope: SourceScope,
  sessionId: string,
  nowIso: string,
  lastSightingMs: number,
  options: ArchiveWriteOptions = {},
): Promise<SessionRecord | undefined> {
  const set: Record<string, string | number> = { endedUnobservedAt: nowIso };
  if (retentionMs !== undefined) set[EXPIRES_AT] = Math.floor((lastSightingMs + retentionMs) / 1000);
  const sequence = options.evidence ? await options.evidence.beforeWrite([sessionId]) : undefined;
  if (sequence !== undefined) set.evidenceSequence = sequence;
  // The new state is known only once written: its hash follows in a second write (a killed sweep's next one redoes it).
  const item = await updateOpenRecord(table, scope, sessionId, set, [OPEN_SESSIONS.partitionKey, ...(sequence === undefined ? EVIDENCE_ATTRIBUTES : ['evidenceHash'])]);
  if (!item) return undefined;
  const record = sessionRecordFromItem(item);
  if (sequence === undefined) return record;
  const hash = recordHash(record);
  table.stats.sessionWrites++;
  return (await setEvidenceHash(table.client, table.tableName, scope, sessionId, sequence, hash)) ? { ...record, evidenceHash: hash } : record;
}

/**
 * An update that applies only while the record is still open; a final (or flagged) record is left
 * alone (undefined). Returns the item as updated.
 */
async function updateOpenRecord(
  table: ArchiveTableAccess,
  scope: SourceScope,
  sessionId: string,
  set: Record<string, unknown>,
  remove: readonly string[],
): Promise<Record<string, unknown> | undefined> {
  const names: Record<string, string> = { '#open': OPEN_SESSIONS.partitionKey };
  const values: Record<string, unknown> = {};
  const assignments = Object.entries(set).map(([field, value], i) => {
    names[`#s${i}`] = field;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  const removals = remove.map((field, i) => {
    names[`#r${i}`] = field;
    return `#r${i}`;
  });
  table.stats.sessionWrites++;
  try {
    const result = await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: sessionKey(sessionId, scopeKey(scope)),
        UpdateExpression: `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(#open)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes;
  } catch (error: unknown) {
    // Ended, or already flagged, meanwhile: nothing to do.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return undefined;
  }
}

function openSessionRefFromItem(item: Record<string, unknown>): OpenSessionRef {
  const tracking: SessionTracking = {};
  if (typeof item.missingSince === 'string') tracking.missingSince = fromIso(item.missingSince);
  if (typeof item.lookupMissedAt === 'string') tracking.lookupMissedAt = fromIso(item.lookupMissedAt);
  const ref: OpenSessionRef = { sessionId: String(item.sessionId), startDate: String(item.startDate) };
  return Object.keys(tracking).length > 0 ? { ...ref, tracking } : ref;
}
