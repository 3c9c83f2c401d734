/**
 * What one sweep carries from phase to phase: its ports and settings, the checkpoint as last
 * saved, the open sessions not seen yet, the counts, and the source's clock.
 */
import type { EventSink } from '../events/ports';
import { SessionEventOutbox } from '../events/session-outbox';
import type { ArchiveOutcome, ArchiveStore, ClaimedRecord, Clock, CoreLogger, SessionSource, SessionTracking } from './ports';
import { silentLogger } from './ports';
import { isFinalStatus, type ObservedSession, type SessionRecord, type SourceScope } from '../session/session';
import { EMPTY_SWEEP_STATE, reconcileSweepState, type SweepState } from './sweep-state';
import { DAY_MS, fromIso, HOUR_MS, MINUTE_MS } from '../shared/time';
import { minValue } from './listing';

/** What the run itself needs of a source: its scope, retention and clock. */
export type ScopedSource = Pick<SessionSource, 'scope' | 'historyRetentionMs' | 'sourceClockOffsetMs'>;

export interface SweepPorts<S extends ScopedSource = SessionSource> {
  source: S;
  store: ArchiveStore;
  /** Our clock. Listings are planned in the source's time: this plus the offset its responses show. */
  clock: Clock;
  logger?: CoreLogger;
  /** Told of every record a sweep wrote, after it is stored (events hang off this). */
  onArchived?: (written: SessionRecord[]) => Promise<void>;
  /**
   * Where `Session Archived`, `Sweep Completed` and `Coverage Gap Detected` go. When given, each
   * stored state's event goes through the outbox on its record (core/events/session-outbox.ts).
   * Absent: the sweep publishes nothing.
   */
  events?: EventSink;
  /**
   * The evidence of the states this sweep stores (core/evidence/with-evidence.ts), when the archive
   * keeps evidence. Their `Session Archived` events then wait until `seal` has written it.
   */
  evidence?: SweepEvidence;
}

/** What a sweep needs of its target's evidence: writing the object of what it stored so far. */
export interface SweepEvidence {
  seal(): Promise<void>;
  /** Objects and states written so far (for the summary). */
  readonly counts: { objects: number; states: number; recovered: number };
}

export interface SweepOptions {
  /**
   * The visibility margin: a session that started less than this before the source's "now" may
   * not be listed yet, so nothing counts as listed beyond it.
   */
  clockSkewMs?: number;
  /** Each incremental History listing starts this far below the last complete one. */
  overlapMs?: number;
  /** How often a reconciliation lists everything the source holds. */
  reconcileEveryMs?: number;
  /** Time left before the caller must return (the Lambda deadline); unlimited when absent. */
  remainingTimeMs?: () => number;
  /** Stop fetching pages when less than this is left, so the last writes and the checkpoint fit. */
  reserveMs?: number;
  /** Open sessions that vanished from Active are looked up one by one up to this many; more are found by a range listing. */
  maxEndedLookups?: number;
  /** Slices never get smaller than this when a sweep runs out of time. */
  minSliceMs?: number;
  /** How long this sweep's claim on an owed event keeps other publishers off it. */
  eventClaimMs?: number;
}

export const SWEEP_DEFAULTS = {
  clockSkewMs: 5 * MINUTE_MS,
  overlapMs: HOUR_MS,
  reconcileEveryMs: DAY_MS,
  reserveMs: 30_000,
  maxEndedLookups: 10,
  minSliceMs: HOUR_MS,
};
export type SweepSettings = typeof SWEEP_DEFAULTS;

const MAX_CHECKPOINT_ATTEMPTS = 10;

export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';
}

/** An archived open session not seen yet in this sweep. */
export interface PendingOpen {
  start: number;
  tracking: SessionTracking;
}

export class SweepRun<S extends ScopedSource = SessionSource> {
  readonly counts = { active: 0, history: 0, lookups: 0, reconciliation: 0, seen: 0, written: 0, unchanged: 0, open: 0, conflicts: 0, flagged: 0 };
  readonly logger: CoreLogger;
  readonly scope: SourceScope;
  /** Our clock when the sweep began. */
  readonly hostStartedAt: number;
  /** Source time when the sweep began; pinned once the first response shows the source's clock. */
  startedAt: number;
  state: SweepState;
  /** Earliest StartDate of a session listed open in this sweep. */
  earliestActiveStart = Number.POSITIVE_INFINITY;
  /** Stored states whose events wait for their evidence (only with `ports.evidence`), page by page. */
  private unannounced: { written: SessionRecord[]; superseded: ClaimedRecord[] }[] = [];
  private readonly remaining: () => number;

  private constructor(
    readonly ports: SweepPorts<S>,
    readonly settings: SweepSettings,
    readonly loaded: SweepState,
    /** Open in the archive; crossed off as the sweep sees each again. The rest vanished from Active. */
    readonly pending: Map<string, PendingOpen>,
    readonly outbox: SessionEventOutbox | undefined,
    options: SweepOptions,
  ) {
    this.logger = ports.logger ?? silentLogger;
    this.scope = ports.source.scope;
    this.hostStartedAt = ports.clock.now();
    this.startedAt = this.hostStartedAt;
    this.state = loaded;
    this.remaining = options.remainingTimeMs ?? (() => Number.POSITIVE_INFINITY);
  }

  static async open<S extends ScopedSource>(ports: SweepPorts<S>, options: SweepOptions): Promise<SweepRun<S>> {
    const settings = { ...SWEEP_DEFAULTS, ...definedOnly(options) };
    const { store, source, clock } = ports;
    const loaded = (await store.loadSweepState(source.scope)) ?? EMPTY_SWEEP_STATE;
    const refs = await store.listOpenSessions(source.scope);
    const pending = new Map(refs.map((ref) => [ref.sessionId, { start: fromIso(ref.startDate), tracking: ref.tracking ?? {} }]));
    const logger = ports.logger ?? silentLogger;
    const outbox = ports.events
      ? new SessionEventOutbox({ store, sink: ports.events, scope: source.scope, clock, logger, claimMs: options.eventClaimMs })
      : undefined;
    return new SweepRun(ports, settings, loaded, pending, outbox, options);
  }

  readonly outOfTime = (): boolean => this.remaining() < this.settings.reserveMs;

  /** The source's clock, as its responses show it (our clock until one did). */
  sourceNow(): number {
    return this.ports.clock.now() + (this.ports.source.sourceClockOffsetMs() ?? 0);
  }

  /** Fixes the sweep's start in source time, from the offset the first responses measured. */
  pinSourceTime(): void {
    this.startedAt = this.hostStartedAt + (this.ports.source.sourceClockOffsetMs() ?? 0);
  }

  get windowStart(): number {
    return this.startedAt - this.ports.source.historyRetentionMs;
  }

  /** Sessions that started after this may not be visible yet: nothing counts as listed beyond it. */
  get ceiling(): number {
    return this.startedAt - this.settings.clockSkewMs;
  }

  /** Every session that started before it is archived in its final state; open ones hold it back. */
  watermarkAt(listedUntil: number): number {
    return Math.min(listedUntil, this.earliestActiveStart, minValue([...this.pending.values()].map((open) => open.start)));
  }

  async archivePage(page: ObservedSession[]): Promise<ArchiveOutcome> {
    const { store, clock, onArchived } = this.ports;
    this.counts.seen += page.length;
    for (const session of page) {
      this.pending.delete(session.sessionId);
      if (!isFinalStatus(session.status)) this.earliestActiveStart = Math.min(this.earliestActiveStart, fromIso(session.startDate));
    }
    const nowIso = new Date(clock.now()).toISOString();
    const outcome = this.outbox
      ? await store.archiveSessions(this.scope, page, nowIso, this.outbox.writeOptions())
      : await store.archiveSessions(this.scope, page, nowIso);
    this.counts.written += outcome.written.length;
    this.counts.unchanged += outcome.unchanged;
    if (this.outbox && outcome.written.length > 0) {
      if (this.ports.evidence) this.unannounced.push({ written: outcome.written, superseded: outcome.supersededEvents ?? [] });
      else await this.outbox.publishWritten(outcome.written, outcome.supersededEvents);
    }
    if (outcome.written.length > 0 && onArchived) await onArchived(outcome.written);
    return outcome;
  }

  /**
   * Writes the evidence of what this sweep stored, then announces it: a state's event never goes out
   * before its evidence exists. (Checkpoints may move earlier: a stored state's evidence is owed in
   * the table from the write that stored it, and the next sweep writes it should this one die.)
   */
  async sealAndAnnounce(): Promise<void> {
    if (!this.ports.evidence) return;
    await this.ports.evidence.seal();
    const pages = this.unannounced;
    this.unannounced = [];
    // Page by page, as without evidence: consumers see the same batches, never a whole backfill at once.
    for (const { written, superseded } of pages) await this.outbox?.publishWritten(written, superseded);
  }

  /** Saves conditionally on the version loaded; on a conflict folds in what the other sweep saved. */
  async saveState(next: SweepState): Promise<void> {
    const { store } = this.ports;
    let candidate = next;
    for (let attempt = 0; attempt < MAX_CHECKPOINT_ATTEMPTS; attempt++) {
      const saved = { ...candidate, version: candidate.version + 1 };
      if (await store.saveSweepState(this.scope, saved, candidate.version)) {
        this.state = saved;
        return;
      }
      this.counts.conflicts++;
      candidate = reconcileSweepState((await store.loadSweepState(this.scope)) ?? EMPTY_SWEEP_STATE, candidate);
    }
    const { source, accountId, region } = this.scope;
    throw new CheckpointConflictError(`checkpoint for ${source}/${accountId}/${region} kept changing under this sweep`);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
