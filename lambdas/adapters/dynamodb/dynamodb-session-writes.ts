/**
 * One session's write: a conditional UpdateItem. The condition keeps `firstArchivedAt`, refuses to
 * put an open status over a final one, and makes a racing sweep's identical write a no-op. With an
 * event claim it also stores the outbox mark (dynamodb-event-outbox.ts), and with evidence the
 * state's canonical hash and the sequence of the evidence object that will hold it.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { contentHash } from '../../core/session/content-hash';
import { recordHash } from '../../core/evidence/canonical';
import type { ClaimedRecord, EventClaim } from '../../core/sweep/ports';
import { isFinalStatus, scopeKey, SOURCE_SPECIFIC_FIELDS, type ObservedSession, type SessionRecord, type SourceScope } from '../../core/session/session';
import { fromIso } from '../../core/shared/time';
import {
  EVENT_CLAIM_OWNER,
  EVENT_CLAIM_UNTIL,
  EVENTS_AND_FINDINGS,
  EXPIRES_AT,
  OPEN_SESSIONS,
  pendingEventsPartition,
  sessionKey,
  sortKeyOf,
  startKeyOf,
  startDayOf,
  startMonthOf,
} from './archive-table';
import { sessionRecordFromItem } from './archive-items';
import type { ArchiveTableAccess } from './dynamodb-archive-access';

/** Optional session fields: absent ones are removed so a record mirrors the latest observation. */
export const OPTIONAL_FIELDS = [
  'endDate',
  'documentName',
  'owner',
  'reason',
  'details',
  'outputUrl',
  'maxSessionDuration',
  'accessType',
  ...SOURCE_SPECIFIC_FIELDS,
] as const;
/**
 * How the archive tracks an open session it can no longer see. Part of the record's state: any
 * new observation of the session removes them, so a write is due even when its content is the same.
 */
export const TRACKING_ATTRIBUTES = ['missingSince', 'lookupMissedAt', 'endedUnobservedAt'] as const;
/** A state written without evidence drops the evidence fields of the state it replaces: they describe that one. */
export const EVIDENCE_ATTRIBUTES = ['evidenceHash', 'evidenceSequence'] as const;

/** What a write under evidence needs to hash the state it stores: its sequence, and the record's first archive time. */
export interface EvidenceStamp {
  sequence: number;
  firstArchivedAt: string;
}

export interface SessionWrite {
  scope: SourceScope;
  session: ObservedSession;
  nowIso: string;
  /** Items expire this long after the session ended; unset: never. */
  retentionMs?: number;
  eventClaim?: EventClaim;
  evidence?: EvidenceStamp;
}

/**
 * Returns the stored record, or undefined when the condition found it already up to date. With
 * an event claim it also returns the replaced state when that one's event was still owed.
 */
export async function writeSession(table: ArchiveTableAccess, write: SessionWrite): Promise<{ record: SessionRecord; superseded?: ClaimedRecord } | undefined> {
  const { scope, session, nowIso, eventClaim, evidence } = write;
  const final = isFinalStatus(session.status);
  const { set, remove } = sessionChanges(write);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':now': nowIso, ':hash': contentHash(session), ':final': final, ':true': true, ':reopen': mayReopen(session) };
  const assignments = Object.entries(set).map(([field, value], i) => {
    names[`#s${i}`] = field;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  assignments.push('#hash = :hash', '#final = :final', '#first = if_not_exists(#first, :now)');
  names['#first'] = 'firstArchivedAt';
  const removals = remove.map((field, i) => {
    names[`#r${i}`] = field;
    return `#r${i}`;
  });
  names['#hash'] = 'contentHash';
  names['#final'] = 'isFinal';
  TRACKING_ATTRIBUTES.forEach((attribute, i) => (names[`#t${i}`] = attribute));
  table.stats.sessionWrites++;
  try {
    const result = await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: sessionKey(session.sessionId, scopeKey(scope)),
        UpdateExpression: `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
        // New, or changed (content or tracking) and not an open status over a final one.
        ConditionExpression:
          'attribute_not_exists(pk) OR ((#hash <> :hash OR attribute_exists(#t0) OR attribute_exists(#t1) OR attribute_exists(#t2)) AND (#final <> :true OR :final = :true OR :reopen = :true))',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        // With the outbox, the replaced state is needed too: it may still owe its event.
        ReturnValues: eventClaim ? 'ALL_OLD' : 'ALL_NEW',
        ...(evidence ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
      }),
    );
    if (!eventClaim) return { record: sessionRecordFromItem(result.Attributes ?? {}) };
    return afterUpdate(result.Attributes, set, remove, values[':hash'] as string, final, nowIso, pendingEventsPartition(scopeKey(scope)));
  } catch (error: unknown) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // An SDK retry of a write whose first attempt landed (its answer lost) finds the item already
    // holding this very state under this sequence: the state is this write's, and owes its evidence.
    const found = error.Item;
    if (evidence && found?.evidenceSequence?.N === String(evidence.sequence) && found.evidenceHash?.S === set.evidenceHash) {
      return { record: sessionRecordFromItem({ ...set, firstArchivedAt: evidence.firstArchivedAt }) };
    }
    return undefined;
  }
}

/**
 * An observation that lists its connections (Alibaba Cloud) shows the whole session as the source
 * holds it now, from one listing under the target's lease: never a stale partial view. A reconnect
 * after every connection ended reopens the session, so it may replace a final record.
 */
export function mayReopen(session: ObservedSession): boolean {
  return session.connections !== undefined && session.connections.length > 0;
}

/** The attributes the write sets and the ones it removes (besides the hash, finality and first archive time). */
function sessionChanges(write: SessionWrite): { set: Record<string, unknown>; remove: string[] } {
  const { scope, session, nowIso, eventClaim, evidence } = write;
  const set: Record<string, unknown> = {
    ...scope,
    sessionId: session.sessionId,
    target: session.target,
    status: session.status,
    startDate: session.startDate,
    startKey: startKeyOf(session.startDate, session.sessionId),
    startMonth: startMonthOf(session.startDate),
    startDay: startDayOf(session.startDate),
    lastSeenAt: nowIso,
  };
  const remove: string[] = [];
  for (const field of OPTIONAL_FIELDS) {
    const value = session[field];
    if (value === undefined) remove.push(field);
    else set[field] = value;
  }
  // Seen again: whatever the archive assumed about it while it was out of sight no longer holds.
  remove.push(...TRACKING_ATTRIBUTES);
  if (isFinalStatus(session.status)) remove.push(OPEN_SESSIONS.partitionKey);
  else set[OPEN_SESSIONS.partitionKey] = scopeKey(scope);
  const expiresAt = expiryOf(session, nowIso, write.retentionMs);
  if (expiresAt === undefined) remove.push(EXPIRES_AT);
  else set[EXPIRES_AT] = expiresAt;
  if (eventClaim) {
    // The outbox mark: stored with the state it announces, or not at all.
    set[EVENTS_AND_FINDINGS.partitionKey] = pendingEventsPartition(scopeKey(scope));
    set[sortKeyOf(EVENTS_AND_FINDINGS)] = set.startKey;
    set[EVENT_CLAIM_OWNER] = eventClaim.owner;
    set[EVENT_CLAIM_UNTIL] = eventClaim.until;
  }
  if (evidence) {
    // The state as this write leaves it (firstArchivedAt kept when the record exists), hashed.
    set.evidenceHash = recordHash(sessionRecordFromItem({ ...set, firstArchivedAt: evidence.firstArchivedAt }));
    set.evidenceSequence = evidence.sequence;
  } else remove.push(...EVIDENCE_ATTRIBUTES);
  return { set, remove };
}

/** Retention counts from the end (an open record never expires): epoch seconds, or none. */
function expiryOf(session: ObservedSession, nowIso: string, retentionMs: number | undefined): number | undefined {
  if (retentionMs === undefined || !isFinalStatus(session.status)) return undefined;
  return Math.floor((fromIso(session.endDate ?? nowIso) + retentionMs) / 1000);
}

/**
 * The record as the update left it, from the item before it and the update itself (what ALL_NEW
 * would have returned), and the replaced state when that one still owed its event.
 */
function afterUpdate(
  before: Record<string, unknown> | undefined,
  set: Record<string, unknown>,
  remove: readonly string[],
  hash: string,
  final: boolean,
  nowIso: string,
  pendingPartition: string,
): { record: SessionRecord; superseded?: ClaimedRecord } {
  const after: Record<string, unknown> = { ...before, ...set, contentHash: hash, isFinal: final, firstArchivedAt: before?.firstArchivedAt ?? nowIso };
  for (const field of remove) delete after[field];
  const record = sessionRecordFromItem(after);
  if (before?.[EVENTS_AND_FINDINGS.partitionKey] !== pendingPartition || before.contentHash === hash) return { record };
  return { record, superseded: { record: sessionRecordFromItem(before), contentHash: String(before.contentHash) } };
}
