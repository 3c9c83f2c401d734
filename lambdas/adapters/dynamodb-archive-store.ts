/**
 * The archive in DynamoDB (or dynalite). Writes are one conditional UpdateItem per changed
 * session: the condition keeps `firstArchivedAt`, refuses to put an open status over a final one,
 * and makes a racing sweep's identical write a no-op. Unchanged sessions are found by a batched
 * read first, so a re-sweep of unchanged data writes nothing.
 *
 * Event outbox: when asked (`eventClaim`), the same UpdateItem marks the record as owing its
 * `Session Archived` event, in the sparse `eventsAndFindings` index, and claims it for the writer.
 * The marks are cleared, claimed and released with conditional writes on the record alone.
 *
 * Evidence: when asked (`evidence`), the same UpdateItem stores the state's canonical hash and the
 * sequence of the evidence object that will hold it (core/evidence/target-evidence.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { chunk, mapWithConcurrency, sleep } from '../core/concurrency';
import { contentHash } from '../core/content-hash';
import { recordHash } from '../core/evidence/canonical';
import type { ArchiveOutcome, ArchiveStore, ArchiveWriteOptions, ClaimedRecord, EventClaim, OpenSessionRef, PendingEventRef, SessionTracking } from '../core/ports';
import { isFinalStatus, scopeKey, type ObservedSession, type SessionRecord, type SourceScope } from '../core/session';
import type { SweepState } from '../core/sweep-state';
import { DAY_MS, fromIso, toIso } from '../core/time';
import {
  EVENT_CLAIM_OWNER,
  EVENT_CLAIM_UNTIL,
  EVENTS_AND_FINDINGS,
  EXPIRES_AT,
  LEASES_PARTITION,
  OPEN_SESSIONS,
  SOURCES_PARTITION,
  pendingEventsPartition,
  sessionKey,
  sortKeyOf,
  startKeyOf,
  startDayOf,
  startMonthOf,
} from './archive-table';
import { sessionRecordFromItem, sweepStateFromItem, sweepStateToItem } from './archive-items';
import { DynamoArchiveBounds } from './dynamodb-archive-bounds';
import { setEvidenceHash } from './dynamodb-evidence-ledger';
import { putIfVersion } from './versioned-put';

export interface DynamoArchiveStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /**
   * When set, items carry an expiry this many days after the session ended (or was last seen, when
   * its end was never observed); open sessions never expire (table TTL).
   */
  retentionDays?: number;
  /** UpdateItem calls in flight per page. */
  writeConcurrency?: number;
}

/** Optional session fields: absent ones are removed so a record mirrors the latest observation. */
const OPTIONAL_FIELDS = [
  'endDate',
  'documentName',
  'owner',
  'reason',
  'details',
  'outputUrl',
  'maxSessionDuration',
  'accessType',
  'instanceIds',
  'username',
  'identityType',
  'clientIp',
  'portNumber',
  'targetServer',
  'connections',
] as const;
const BATCH_GET_LIMIT = 100;
/** Owed events read from the outbox index per page. */
const PENDING_EVENTS_PAGE = 100;
/** Every attribute of the outbox mark: removed together once the event is delivered. */
const OUTBOX_ATTRIBUTES = [EVENTS_AND_FINDINGS.partitionKey, sortKeyOf(EVENTS_AND_FINDINGS), EVENT_CLAIM_OWNER, EVENT_CLAIM_UNTIL] as const;
const MAX_UNPROCESSED_RETRIES = 8;
/**
 * How the archive tracks an open session it can no longer see. Part of the record's state: any
 * new observation of the session removes them, so a write is due even when its content is the same.
 */
const TRACKING_ATTRIBUTES = ['missingSince', 'lookupMissedAt', 'endedUnobservedAt'] as const;
/** A state written without evidence drops the evidence fields of the state it replaces: they describe that one. */
const EVIDENCE_ATTRIBUTES = ['evidenceHash', 'evidenceSequence'] as const;

/** What a write under evidence needs to hash the state it stores: its sequence, and the record's first archive time. */
interface EvidenceStamp {
  sequence: number;
  firstArchivedAt: string;
}

export class DynamoArchiveStore implements ArchiveStore {
  /** Requests this store made, by kind: the benchmarks and tests read these. */
  readonly stats = { sessionWrites: 0, sessionReads: 0, stateWrites: 0, outboxWrites: 0 };
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retentionMs?: number;
  private readonly writeConcurrency: number;
  private readonly bounds: DynamoArchiveBounds;

  constructor(options: DynamoArchiveStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.bounds = new DynamoArchiveBounds(options.client, options.tableName);
    this.retentionMs = options.retentionDays === undefined ? undefined : options.retentionDays * DAY_MS;
    this.writeConcurrency = options.writeConcurrency ?? 16;
  }

  async archiveSessions(scope: SourceScope, sessions: readonly ObservedSession[], nowIso: string, options: ArchiveWriteOptions = {}): Promise<ArchiveOutcome> {
    const latest = new Map(sessions.map((session) => [session.sessionId, session]));
    const scopeId = scopeKey(scope);
    const stored = await this.readFingerprints([...latest.keys()], scopeId);
    const outcome: ArchiveOutcome = options.eventClaim ? { written: [], unchanged: 0, supersededEvents: [] } : { written: [], unchanged: 0 };
    const toWrite: ObservedSession[] = [];
    for (const session of latest.values()) {
      const known = stored.get(session.sessionId);
      const hash = contentHash(session);
      // A stale open observation (listed Active just before it ended) never replaces a final one.
      const same = known !== undefined && known.contentHash === hash && !known.tracked;
      if (known && (same || (known.isFinal && !isFinalStatus(session.status) && !mayReopen(session)))) outcome.unchanged++;
      else toWrite.push(session);
    }
    // Bounds first: a reader that sees a session also sees bounds that include it.
    await this.bounds.cover(toWrite.map((session) => session.startDate));
    const sequence = options.evidence && toWrite.length > 0 ? await options.evidence.beforeWrite(toWrite.map((session) => session.sessionId)) : undefined;
    const stampOf = (session: ObservedSession): EvidenceStamp | undefined =>
      sequence === undefined ? undefined : { sequence, firstArchivedAt: stored.get(session.sessionId)?.firstArchivedAt ?? nowIso };
    const results = await mapWithConcurrency(toWrite, this.writeConcurrency, (session) => this.writeSession(scope, session, nowIso, options.eventClaim, stampOf(session)));
    for (const result of results) {
      if (!result) {
        outcome.unchanged++;
        continue;
      }
      outcome.written.push(result.record);
      if (result.superseded) outcome.supersededEvents?.push(result.superseded);
    }
    return outcome;
  }

  async listOpenSessions(scope: SourceScope): Promise<OpenSessionRef[]> {
    const refs: OpenSessionRef[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
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

  async markMissing(scope: SourceScope, sessionId: string, tracking: SessionTracking): Promise<void> {
    const set: Record<string, string> = {};
    if (tracking.missingSince !== undefined) set.missingSince = toIso(tracking.missingSince);
    if (tracking.lookupMissedAt !== undefined) set.lookupMissedAt = toIso(tracking.lookupMissedAt);
    if (Object.keys(set).length === 0) return;
    await this.updateOpenRecord(scope, sessionId, set, []);
  }

  async markEndedUnobserved(scope: SourceScope, sessionId: string, nowIso: string, lastSightingMs: number, options: ArchiveWriteOptions = {}): Promise<SessionRecord | undefined> {
    const set: Record<string, string | number> = { endedUnobservedAt: nowIso };
    if (this.retentionMs !== undefined) set[EXPIRES_AT] = Math.floor((lastSightingMs + this.retentionMs) / 1000);
    const sequence = options.evidence ? await options.evidence.beforeWrite([sessionId]) : undefined;
    if (sequence !== undefined) set.evidenceSequence = sequence;
    // The new state is known only once written: its hash follows in a second write (a killed sweep's next one redoes it).
    const item = await this.updateOpenRecord(scope, sessionId, set, [OPEN_SESSIONS.partitionKey, ...(sequence === undefined ? EVIDENCE_ATTRIBUTES : ['evidenceHash'])]);
    if (!item) return undefined;
    const record = sessionRecordFromItem(item);
    if (sequence === undefined) return record;
    const hash = recordHash(record);
    this.stats.sessionWrites++;
    return (await setEvidenceHash(this.client, this.tableName, scope, sessionId, sequence, hash)) ? { ...record, evidenceHash: hash } : record;
  }

  /**
   * An update that applies only while the record is still open; a final (or flagged) record is left
   * alone (undefined). Returns the item as updated.
   */
  private async updateOpenRecord(scope: SourceScope, sessionId: string, set: Record<string, unknown>, remove: readonly string[]): Promise<Record<string, unknown> | undefined> {
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
    this.stats.sessionWrites++;
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
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

  async loadSweepState(scope: SourceScope): Promise<SweepState | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: SOURCES_PARTITION, sk: scopeKey(scope) }, ConsistentRead: true }),
    );
    return result.Item ? sweepStateFromItem(result.Item) : undefined;
  }

  async acquireSweepLease(scope: SourceScope, owner: string, nowMs: number, untilMs: number): Promise<boolean> {
    this.stats.stateWrites++;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
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

  async releaseSweepLease(scope: SourceScope, owner: string): Promise<void> {
    this.stats.stateWrites++;
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
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

  async saveSweepState(scope: SourceScope, state: SweepState, expectedVersion: number): Promise<boolean> {
    this.stats.stateWrites++;
    return putIfVersion(this.client, this.tableName, { pk: SOURCES_PARTITION, sk: scopeKey(scope), ...scope, ...sweepStateToItem(state) }, expectedVersion);
  }

  async *listPendingEvents(scope: SourceScope): AsyncIterable<PendingEventRef[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
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

  async claimPendingEvent(scope: SourceScope, sessionId: string, claim: EventClaim, nowMs: number): Promise<ClaimedRecord | undefined> {
    this.stats.outboxWrites++;
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
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

  async clearPendingEvent(scope: SourceScope, sessionId: string, hash: string, owner: string): Promise<boolean> {
    this.stats.outboxWrites++;
    const names: Record<string, string> = { '#hash': 'contentHash', '#owner': EVENT_CLAIM_OWNER };
    OUTBOX_ATTRIBUTES.forEach((attribute, i) => (names[`#m${i}`] = attribute));
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
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

  async releaseEventClaim(scope: SourceScope, sessionId: string, owner: string): Promise<void> {
    this.stats.outboxWrites++;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
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

  /**
   * Returns the stored record, or undefined when the condition found it already up to date. With
   * an event claim it also returns the replaced state when that one's event was still owed.
   */
  private async writeSession(
    scope: SourceScope,
    session: ObservedSession,
    nowIso: string,
    eventClaim?: EventClaim,
    evidence?: EvidenceStamp,
  ): Promise<{ record: SessionRecord; superseded?: ClaimedRecord } | undefined> {
    const final = isFinalStatus(session.status);
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
    if (final) remove.push(OPEN_SESSIONS.partitionKey);
    else set[OPEN_SESSIONS.partitionKey] = scopeKey(scope);
    const expiresAt = this.expiryOf(session, nowIso);
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
    this.stats.sessionWrites++;
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
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

  /** Retention counts from the end (an open record never expires): epoch seconds, or none. */
  private expiryOf(session: ObservedSession, nowIso: string): number | undefined {
    if (this.retentionMs === undefined || !isFinalStatus(session.status)) return undefined;
    return Math.floor((fromIso(session.endDate ?? nowIso) + this.retentionMs) / 1000);
  }

  /** Reads contentHash, isFinal and tracking of existing records, retrying keys DynamoDB left unprocessed. */
  private async readFingerprints(sessionIds: string[], scopeId: string): Promise<Map<string, StoredFingerprint>> {
    const found = new Map<string, StoredFingerprint>();
    for (const ids of chunk(sessionIds, BATCH_GET_LIMIT)) {
      let keys: Record<string, unknown>[] = ids.map((id) => sessionKey(id, scopeId));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > MAX_UNPROCESSED_RETRIES) throw new Error(`DynamoDB left ${keys.length} keys unprocessed after ${MAX_UNPROCESSED_RETRIES} retries`);
        if (attempt > 0) await sleep(Math.min(2_000, 25 * 2 ** attempt));
        this.stats.sessionReads++;
        const result = await this.client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: { Keys: keys, ProjectionExpression: `sessionId, contentHash, isFinal, firstArchivedAt, ${TRACKING_ATTRIBUTES.join(', ')}`, ConsistentRead: true },
            },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          found.set(String(item.sessionId), {
            contentHash: String(item.contentHash),
            isFinal: item.isFinal === true,
            firstArchivedAt: String(item.firstArchivedAt),
            tracked: TRACKING_ATTRIBUTES.some((attribute) => item[attribute] !== undefined),
          });
        }
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }
}

/**
 * An observation that lists its connections (Alibaba Cloud) shows the whole session as the source
 * holds it now, from one listing under the target's lease: never a stale partial view. A reconnect
 * after every connection ended reopens the session, so it may replace a final record.
 */
function mayReopen(session: ObservedSession): boolean {
  return session.connections !== undefined && session.connections.length > 0;
}

interface StoredFingerprint {
  contentHash: string;
  isFinal: boolean;
  firstArchivedAt: string;
  /** The archive holds tracking marks for it (missing, looked for, ended unobserved). */
  tracked: boolean;
}

function openSessionRefFromItem(item: Record<string, unknown>): OpenSessionRef {
  const tracking: SessionTracking = {};
  if (typeof item.missingSince === 'string') tracking.missingSince = fromIso(item.missingSince);
  if (typeof item.lookupMissedAt === 'string') tracking.lookupMissedAt = fromIso(item.lookupMissedAt);
  const ref: OpenSessionRef = { sessionId: String(item.sessionId), startDate: String(item.startDate) };
  return Object.keys(tracking).length > 0 ? { ...ref, tracking } : ref;
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
