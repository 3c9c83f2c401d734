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
 *
 * The parts live beside this file: dynamodb-session-writes.ts and dynamodb-session-fingerprints.ts
 * (archiveSessions), dynamodb-open-sessions.ts, dynamodb-sweep-state.ts (checkpoint and lease) and
 * dynamodb-event-outbox.ts.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapWithConcurrency } from '../../core/shared/concurrency';
import { contentHash } from '../../core/session/content-hash';
import type { ArchiveOutcome, ArchiveStore, ArchiveWriteOptions, ClaimedRecord, EventClaim, OpenSessionRef, PendingEventRef, SessionTracking } from '../../core/sweep/ports';
import { isFinalStatus, scopeKey, type ObservedSession, type SessionRecord, type SourceScope } from '../../core/session/session';
import type { SweepState } from '../../core/sweep/sweep-state';
import { DAY_MS } from '../../core/shared/time';
import type { ArchiveStoreStats, ArchiveTableAccess } from './dynamodb-archive-access';
import { DynamoArchiveBounds } from './dynamodb-archive-bounds';
import * as outbox from './dynamodb-event-outbox';
import * as openSessions from './dynamodb-open-sessions';
import { readFingerprints } from './dynamodb-session-fingerprints';
import { mayReopen, writeSession, type EvidenceStamp } from './dynamodb-session-writes';
import * as sweepState from './dynamodb-sweep-state';

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

export class DynamoArchiveStore implements ArchiveStore {
  /** Requests this store made, by kind: the benchmarks and tests read these. */
  readonly stats: ArchiveStoreStats = { sessionWrites: 0, sessionReads: 0, stateWrites: 0, outboxWrites: 0 };
  private readonly table: ArchiveTableAccess;
  private readonly retentionMs?: number;
  private readonly writeConcurrency: number;
  private readonly bounds: DynamoArchiveBounds;

  constructor(options: DynamoArchiveStoreOptions) {
    this.table = { client: options.client, tableName: options.tableName, stats: this.stats };
    this.bounds = new DynamoArchiveBounds(options.client, options.tableName);
    this.retentionMs = options.retentionDays === undefined ? undefined : options.retentionDays * DAY_MS;
    this.writeConcurrency = options.writeConcurrency ?? 16;
  }

  async archiveSessions(scope: SourceScope, sessions: readonly ObservedSession[], nowIso: string, options: ArchiveWriteOptions = {}): Promise<ArchiveOutcome> {
    const latest = new Map(sessions.map((session) => [session.sessionId, session]));
    const scopeId = scopeKey(scope);
    const stored = await readFingerprints(this.table, [...latest.keys()], scopeId);
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
    const results = await mapWithConcurrency(toWrite, this.writeConcurrency, (session) =>
      writeSession(this.table, { scope, session, nowIso, retentionMs: this.retentionMs, eventClaim: options.eventClaim, evidence: stampOf(session) }),
    );
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

  listOpenSessions(scope: SourceScope): Promise<OpenSessionRef[]> {
    return openSessions.listOpenSessions(this.table, scope);
  }

  markMissing(scope: SourceScope, sessionId: string, tracking: SessionTracking): Promise<void> {
    return openSessions.markMissing(this.table, scope, sessionId, tracking);
  }

  markEndedUnobserved(scope: SourceScope, sessionId: string, nowIso: string, lastSightingMs: number, options: ArchiveWriteOptions = {}): Promise<SessionRecord | undefined> {
    return openSessions.markEndedUnobserved(this.table, this.retentionMs, scope, sessionId, nowIso, lastSightingMs, options);
  }

  loadSweepState(scope: SourceScope): Promise<SweepState | undefined> {
    return sweepState.loadSweepState(this.table, scope);
  }

  acquireSweepLease(scope: SourceScope, owner: string, nowMs: number, untilMs: number): Promise<boolean> {
    return sweepState.acquireSweepLease(this.table, scope, owner, nowMs, untilMs);
  }

  releaseSweepLease(scope: SourceScope, owner: string): Promise<void> {
    return sweepState.releaseSweepLease(this.table, scope, owner);
  }

  saveSweepState(scope: SourceScope, state: SweepState, expectedVersion: number): Promise<boolean> {
    return sweepState.saveSweepState(this.table, scope, state, expectedVersion);
  }

  listPendingEvents(scope: SourceScope): AsyncIterable<PendingEventRef[]> {
    return outbox.listPendingEvents(this.table, scope);
  }

  claimPendingEvent(scope: SourceScope, sessionId: string, claim: EventClaim, nowMs: number): Promise<ClaimedRecord | undefined> {
    return outbox.claimPendingEvent(this.table, scope, sessionId, claim, nowMs);
  }

  clearPendingEvent(scope: SourceScope, sessionId: string, hash: string, owner: string): Promise<boolean> {
    return outbox.clearPendingEvent(this.table, scope, sessionId, hash, owner);
  }

  releaseEventClaim(scope: SourceScope, sessionId: string, owner: string): Promise<void> {
    return outbox.releaseEventClaim(this.table, scope, sessionId, owner);
  }
}
