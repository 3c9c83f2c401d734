/**
 * The collaborators the core needs, as narrow interfaces. Adapters implement them with the AWS
 * SDK; tests hand in the same adapters pointed at the emulator and dynalite.
 */
import type { ObservedSession, SessionRecord, SourceScope } from '../session/session';
import type { SweepState } from './sweep-state';

/** Bounds for a History listing: StartDate >= invokedAfter and < invokedBefore (epoch ms); or one session. */
export interface HistoryQuery {
  invokedAfter?: number;
  invokedBefore?: number;
  sessionId?: string;
}

/** One page of a listing, with the token that continues it (absent on the last page). */
export interface SourcePage {
  sessions: ObservedSession[];
  nextToken?: string;
}

/** A place that reports sessions: SSM today, other clouds later. Each yielded array is one page. */
export interface SessionSource {
  readonly scope: SourceScope;
  /** How long the source keeps ended sessions. */
  readonly historyRetentionMs: number;
  listActive(): AsyncIterable<ObservedSession[]>;
  listHistory(query: HistoryQuery): AsyncIterable<ObservedSession[]>;
  /**
   * The same listing, page by page with each page's continuation token, optionally resumed from a
   * token an earlier invocation kept. A token the source refuses throws `ListingTokenRejectedError`.
   */
  listHistoryPages(query: HistoryQuery, startToken?: string): AsyncIterable<SourcePage>;
  /**
   * How far the source's clock runs ahead of ours (ms, negative when behind), measured from its
   * responses; undefined before the first response. Listings are planned in the source's time.
   */
  sourceClockOffsetMs(): number | undefined;
}

/** A source with no time filter and a record cap (Alibaba ECS DescribeTerminalSessions). Order of results is not guaranteed. */
export interface UnfilteredSessionSource {
  readonly scope: SourceScope;
  /** How long the source keeps records (30 days). */
  readonly historyRetentionMs: number;
  /** How many records the source keeps at most (1,000). */
  readonly recordCap: number;
  /** One full listing, page by page (MaxResults 100), optionally resumed from a kept token; a refused token throws ListingTokenRejectedError. */
  listPages(startToken?: string): AsyncIterable<SourcePage>;
  /** Same meaning as SessionSource.sourceClockOffsetMs (from the response Date header). */
  sourceClockOffsetMs(): number | undefined;
}

/** Either kind of source a target can have. */
export type AnySessionSource = SessionSource | UnfilteredSessionSource;

export function isUnfilteredSource(source: AnySessionSource): source is UnfilteredSessionSource {
  return 'listPages' in source && 'recordCap' in source;
}

/** The source no longer accepts a continuation token (expired, or issued for another listing). */
export class ListingTokenRejectedError extends Error {
  override readonly name = 'ListingTokenRejectedError';
}

export interface ArchiveOutcome {
  /** Records whose state changed and were written, as stored. */
  written: SessionRecord[];
  /** Sessions whose archived record already held this state: no write was made. */
  unchanged: number;
  /**
   * With `eventClaim` only: earlier states whose event was still owed when these writes replaced
   * them (a sweep died before publishing it). Their outbox mark is gone with them, so the writer
   * publishes them too.
   */
  supersededEvents?: ClaimedRecord[];
}

export interface OpenSessionRef {
  sessionId: string;
  startDate: string;
  /** Tracking of an open session that vanished from Active (see `SessionTracking`). */
  tracking?: SessionTracking;
}

/**
 * What the archive knows of an open session it can no longer see. Part of the record's state: a
 * later observation of the session (open or ended) clears it, and so puts it back under tracking.
 */
export interface SessionTracking {
  /** Source time of the first complete Active listing that no longer showed it. */
  missingSince?: number;
  /** Source time of a lookup that ran after it went missing and did not find it in History. */
  lookupMissedAt?: number;
}

/**
 * A publisher's hold on the unpublished events of the records it wrote or took over: no other
 * publisher touches them until `until` (epoch ms) has passed, so two sweeps never both publish one.
 */
export interface EventClaim {
  owner: string;
  until: number;
}

export interface ArchiveWriteOptions {
  /**
   * Mark every written record as owing its `Session Archived` event (the outbox), claimed by this
   * publisher. The mark is set by the same conditional write that stores the new state.
   */
  eventClaim?: EventClaim;
  /**
   * Keep evidence of every written state: the store tells the hook which sessions it is about to
   * write, before it writes any, and stores each with the sequence the hook returns and its hash.
   */
  evidence?: EvidenceWriteHook;
}

/** How a store learns the evidence sequence of the states it writes (core/evidence/target-evidence.ts). */
export interface EvidenceWriteHook {
  /** Called once per write call, only when it writes something, before it writes anything. */
  beforeWrite(sessionIds: readonly string[]): Promise<number>;
}

/** A record whose event is still owed, as the sparse outbox index lists it. */
export interface PendingEventRef {
  sessionId: string;
}

/** A record this publisher now holds the claim on, with the state hash its event is for. */
export interface ClaimedRecord {
  record: SessionRecord;
  contentHash: string;
}

export interface ArchiveStore {
  /** Writes each session whose state differs from its record; never overwrites firstArchivedAt. */
  archiveSessions(scope: SourceScope, sessions: readonly ObservedSession[], nowIso: string, options?: ArchiveWriteOptions): Promise<ArchiveOutcome>;
  /** Archived sessions of this scope whose last known status was not final. */
  listOpenSessions(scope: SourceScope): Promise<OpenSessionRef[]>;
  /** Records how an open session went missing; only while the record is still open and unchanged since. */
  markMissing(scope: SourceScope, sessionId: string, tracking: SessionTracking): Promise<void>;
  /**
   * An open session the source no longer lists anywhere, though the archive looked for it: its
   * final state was never seen. Takes it off the open list and flags the record, keeping its
   * status; its retention counts from `lastSightingMs`. Returns the record as changed, or
   * undefined when it was no longer open. With `evidence`, like `archiveSessions`.
   */
  markEndedUnobserved(scope: SourceScope, sessionId: string, nowIso: string, lastSightingMs: number, options?: ArchiveWriteOptions): Promise<SessionRecord | undefined>;
  loadSweepState(scope: SourceScope): Promise<SweepState | undefined>;
  /**
   * Takes the target's sweep lease unless another holder's is still live: two sweeps of one target
   * never run at once. True when this owner holds it until `untilMs`.
   */
  acquireSweepLease(scope: SourceScope, owner: string, nowMs: number, untilMs: number): Promise<boolean>;
  /** Gives the lease back, if this owner still holds it. */
  releaseSweepLease(scope: SourceScope, owner: string): Promise<void>;
  /**
   * Saves the state only if the stored version still equals `expectedVersion`.
   * Returns false when another sweep saved first.
   */
  saveSweepState(scope: SourceScope, state: SweepState, expectedVersion: number): Promise<boolean>;
  /**
   * Pages of records of this scope that still owe their event. The outbox index is eventually
   * consistent: a candidate list, which `claimPendingEvent` confirms one by one.
   */
  listPendingEvents(scope: SourceScope): AsyncIterable<PendingEventRef[]>;
  /**
   * Takes over a record's owed event when nobody holds a live claim on it; returns the record as
   * stored now, or undefined when it no longer owes an event or another publisher holds it.
   */
  claimPendingEvent(scope: SourceScope, sessionId: string, claim: EventClaim, nowMs: number): Promise<ClaimedRecord | undefined>;
  /**
   * The event of state `contentHash` was delivered: removes the outbox mark, but only while the
   * record still holds that state under this owner's claim (a newer state owes its own event).
   */
  clearPendingEvent(scope: SourceScope, sessionId: string, contentHash: string, owner: string): Promise<boolean>;
  /** Gives up a claim after a failed delivery, so the next sweep can publish at once. */
  releaseEventClaim(scope: SourceScope, sessionId: string, owner: string): Promise<void>;
}

export interface Clock {
  now(): number;
}

export interface CoreLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const systemClock: Clock = { now: () => Date.now() };

export const silentLogger: CoreLogger = { info: () => undefined, warn: () => undefined };
