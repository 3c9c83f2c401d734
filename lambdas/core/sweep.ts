/**
 * One sweep of one source into the archive.
 *
 * The trap: a session shows up in History only when it ends, and it can stay open for days. So the
 * next History listing must start no later than the earliest StartDate of any session still open
 * now (the watermark), not at "when I last swept". Active is listed first, then History from the
 * watermark; the checkpoint moves only after the pages below it are stored, and only by a
 * conditional write, so a killed or concurrent sweep never skips a range.
 */
import type { EventSink } from './events/ports';
import { SessionEventOutbox } from './events/session-outbox';
import { coverageGapEvents, sweepCompletedEvent, type SessionEventCounts } from './events/sweep-events';
import type { ArchiveStore, Clock, CoreLogger, SessionSource } from './ports';
import { silentLogger } from './ports';
import { isFinalStatus, type ObservedSession, type SessionRecord, type SourceScope } from './session';
import { EMPTY_SWEEP_STATE, mergeGaps, reconcileSweepState, type CoverageGap, type SweepState } from './sweep-state';
import { fromIso, HOUR_MS, MINUTE_MS, mergeRanges, subtractRanges, toIso } from './time';

export interface SweepPorts {
  source: SessionSource;
  store: ArchiveStore;
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
}

export interface SweepOptions {
  /** How far the source's clock may run behind ours; the watermark stays this far behind the sweep. */
  clockSkewMs?: number;
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

export interface SweepSummary extends SourceScope {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** False when the sweep stopped before listing the whole range; the next one continues. */
  complete: boolean;
  stoppedEarly?: 'time-budget';
  /** SSM calls made: one per page plus one per lookup. */
  sourceCalls: number;
  pagesFetched: { active: number; history: number };
  lookups: number;
  sessionsSeen: number;
  written: number;
  unchanged: number;
  /** Sessions still open when the sweep listed Active. */
  openSessions: number;
  previousWatermark: string | null;
  watermark: string | null;
  /** Ranges found lost in this sweep (also kept in the checkpoint's coverage gaps). */
  gaps: { from: string; to: string }[];
  /** Open sessions that vanished from Active and were not found in History yet. */
  unresolvedOpen: number;
  checkpointConflicts: number;
  /** `Session Archived` events delivered, and left owed for a later sweep; present when events are on. */
  sessionEvents?: SessionEventCounts;
}

export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';
}

const DEFAULTS = {
  clockSkewMs: 5 * MINUTE_MS,
  reserveMs: 30_000,
  maxEndedLookups: 10,
  minSliceMs: HOUR_MS,
};
const MAX_CHECKPOINT_ATTEMPTS = 10;

interface Slice {
  /** Omitted for the first slice of a first sweep: back-fill whatever the source still holds. */
  after?: number;
  /** Omitted for the last slice: everything that started since. */
  before?: number;
}

export async function sweep(ports: SweepPorts, options: SweepOptions = {}): Promise<SweepSummary> {
  const { source, store, clock } = ports;
  const logger = ports.logger ?? silentLogger;
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const remaining = options.remainingTimeMs ?? (() => Number.POSITIVE_INFINITY);
  const outOfTime = (): boolean => remaining() < settings.reserveMs;
  const scope = source.scope;

  const startedAt = clock.now();
  const windowStart = startedAt - source.historyRetentionMs;
  // Sessions that started after this may not be visible yet; nothing counts as listed beyond it.
  const ceiling = startedAt - settings.clockSkewMs;

  const loaded = (await store.loadSweepState(scope)) ?? EMPTY_SWEEP_STATE;
  let state: SweepState = loaded;
  const counts = { active: 0, history: 0, lookups: 0, seen: 0, written: 0, unchanged: 0, open: 0, conflicts: 0 };

  // Sessions the archive holds as open. Each one seen again this sweep is crossed off; the ones
  // left vanished from Active, so they ended: they are looked for below, by id or by range.
  const pendingOpen = new Map((await store.listOpenSessions(scope)).map((ref) => [ref.sessionId, fromIso(ref.startDate)]));

  // Events an earlier sweep stored but did not publish (killed, or EventBridge failed) go first.
  const outbox = ports.events ? new SessionEventOutbox({ store, sink: ports.events, scope, clock, logger, claimMs: options.eventClaimMs }) : undefined;
  if (outbox) await outbox.drain(outOfTime);
  let earliestActiveStart = Number.POSITIVE_INFINITY;

  const archivePage = async (page: ObservedSession[]): Promise<void> => {
    counts.seen += page.length;
    for (const session of page) {
      pendingOpen.delete(session.sessionId);
      if (!isFinalStatus(session.status)) earliestActiveStart = Math.min(earliestActiveStart, fromIso(session.startDate));
    }
    const outcome = outbox
      ? await store.archiveSessions(scope, page, toIso(clock.now()), outbox.writeOptions())
      : await store.archiveSessions(scope, page, toIso(clock.now()));
    counts.written += outcome.written.length;
    counts.unchanged += outcome.unchanged;
    if (outbox && outcome.written.length > 0) await outbox.publishWritten(outcome.written, outcome.supersededEvents);
    if (outcome.written.length > 0 && ports.onArchived) await ports.onArchived(outcome.written);
  };

  const saveState = async (next: SweepState): Promise<void> => {
    let candidate = next;
    for (let attempt = 0; attempt < MAX_CHECKPOINT_ATTEMPTS; attempt++) {
      const saved = { ...candidate, version: candidate.version + 1 };
      if (await store.saveSweepState(scope, saved, candidate.version)) {
        state = saved;
        return;
      }
      counts.conflicts++;
      candidate = reconcileSweepState((await store.loadSweepState(scope)) ?? EMPTY_SWEEP_STATE, candidate);
    }
    throw new CheckpointConflictError(`checkpoint for ${scope.source}/${scope.accountId}/${scope.region} kept changing under this sweep`);
  };

  // The watermark: every session that started before it is archived in its final state. Open
  // sessions, and open ones not yet found again, hold it back.
  const watermarkAt = (listedUntil: number): number => Math.min(listedUntil, earliestActiveStart, minValue(pendingOpen.values()));

  // 1. Active first, so that every open session that started before the History range is known.
  const activeDone = await drainPages(source.listActive(), outOfTime, async (page) => {
    counts.active++;
    counts.open += page.length;
    await archivePage(page);
  });

  // 2. A range the source dropped before any sweep listed it is a gap: recorded, never hidden.
  const newGaps: CoverageGap[] = [];
  if (loaded.watermark !== null) {
    const unseenFrom = Math.max(loaded.watermark, loaded.listedUntil ?? loaded.watermark);
    if (unseenFrom < windowStart) newGaps.push({ from: unseenFrom, to: windowStart, detectedAt: startedAt });
  }
  const coverFrom = loaded.listedUntil ?? loaded.watermark ?? windowStart;

  // 3. History of sessions that started since the last complete listing (everything, on a first
  //    sweep), oldest slice first, with a checkpoint after each slice.
  const cursor = loaded.listedUntil ?? loaded.watermark;
  let listedUntil = cursor;
  let historyDone = activeDone;
  let unfinishedSlice: Slice | undefined;
  let slicesDone = 0;
  if (activeDone) {
    for (const slice of planSlices(cursor, windowStart, startedAt, loaded.sliceMs)) {
      const sliceDone = await drainPages(source.listHistory({ invokedAfter: slice.after, invokedBefore: slice.before }), outOfTime, async (page) => {
        counts.history++;
        await archivePage(page);
      });
      if (!sliceDone) {
        historyDone = false;
        unfinishedSlice = slice;
        break;
      }
      slicesDone++;
      listedUntil = Math.min(slice.before ?? Number.POSITIVE_INFINITY, ceiling);
      await saveState(advance(state, watermarkAt(listedUntil), listedUntil, coverFrom, newGaps));
    }
  }

  // 4. Open sessions that ended: they started before the range just listed, so find them by id
  //    (a few) or by listing the range from the earliest of them (many).
  let unresolvedOpen = 0;
  if (historyDone && pendingOpen.size > 0) {
    // After an unbounded first listing there is nowhere left to look.
    if (cursor !== null) historyDone = await findEndedSessions(pendingOpen, cursor, settings.maxEndedLookups, source, outOfTime, counts, archivePage);
    for (const [sessionId, start] of [...pendingOpen]) {
      unresolvedOpen++;
      // The source can no longer list it: its final state was never published while we looked.
      if (start < windowStart) {
        await store.markEndedUnobserved(scope, sessionId, toIso(clock.now()));
        pendingOpen.delete(sessionId);
      }
    }
  }

  // 5. Final checkpoint: how far the source was listed, and how to slice the next sweep.
  const finishedAt = clock.now();
  const complete = historyDone;
  const finalListedUntil = complete ? ceiling : listedUntil;
  const base = finalListedUntil === null ? state : advance(state, watermarkAt(finalListedUntil), finalListedUntil, coverFrom, newGaps);
  await saveState({
    ...base,
    // Recorded even when no slice finished: a gap is never hidden.
    gaps: mergeGaps(base.gaps, newGaps),
    sliceMs: nextSliceMs(loaded.sliceMs, slicesDone === 0 ? unfinishedSlice : undefined, complete, windowStart, startedAt, source.historyRetentionMs, settings.minSliceMs),
    lastSweep: { startedAt, finishedAt, complete, sessionsWritten: counts.written },
    lastCompletedAt: complete ? finishedAt : state.lastCompletedAt,
  });

  const summary: SweepSummary = {
    ...scope,
    startedAt: toIso(startedAt),
    finishedAt: toIso(finishedAt),
    durationMs: finishedAt - startedAt,
    complete,
    ...(complete ? {} : { stoppedEarly: 'time-budget' as const }),
    sourceCalls: counts.active + counts.history + counts.lookups,
    pagesFetched: { active: counts.active, history: counts.history },
    lookups: counts.lookups,
    sessionsSeen: counts.seen,
    written: counts.written,
    unchanged: counts.unchanged,
    openSessions: counts.open,
    previousWatermark: loaded.watermark === null ? null : toIso(loaded.watermark),
    watermark: state.watermark === null ? null : toIso(state.watermark),
    gaps: newGaps.map((gap) => ({ from: toIso(gap.from), to: toIso(gap.to) })),
    unresolvedOpen,
    checkpointConflicts: counts.conflicts,
  };
  if (outbox && ports.events) {
    summary.sessionEvents = { ...outbox.counts };
    await publishSweepEvents(ports.events, summary, outbox.counts, logger);
  }
  logger.info('sweep finished', { ...summary });
  return summary;
}

/**
 * `Sweep Completed` and the gaps, after the checkpoint. Best effort: a failure is logged, never
 * thrown, because the checkpoint, GET /coverage and the coverage-gap metric already hold the facts
 * and the sweep's metrics must still be emitted.
 */
async function publishSweepEvents(sink: EventSink, summary: SweepSummary, sessionEvents: SessionEventCounts, logger: CoreLogger): Promise<void> {
  try {
    await sink.publish([...coverageGapEvents(summary), sweepCompletedEvent(summary, sessionEvents)]);
  } catch (error: unknown) {
    logger.warn('Sweep Completed / Coverage Gap Detected not delivered', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
}

/**
 * Looks for open sessions that vanished from Active. Each is in History now (or was purged).
 * Up to `maxLookups` are asked for one by one; more than that are found by listing History from
 * the earliest of them up to `listedFrom`, where the main listing began. Returns false when the
 * time budget ran out first.
 */
async function findEndedSessions(
  pending: Map<string, number>,
  listedFrom: number,
  maxLookups: number,
  source: SessionSource,
  outOfTime: () => boolean,
  counts: { lookups: number; history: number },
  archivePage: (page: ObservedSession[]) => Promise<void>,
): Promise<boolean> {
  if (pending.size <= maxLookups) {
    for (const sessionId of [...pending.keys()]) {
      if (outOfTime()) return false;
      counts.lookups++;
      const ended = await source.findEnded(sessionId);
      if (ended) await archivePage([ended]);
    }
    return true;
  }
  const earliest = minValue(pending.values());
  return drainPages(source.listHistory({ invokedAfter: earliest, invokedBefore: listedFrom }), outOfTime, async (page) => {
    counts.history++;
    await archivePage(page);
  });
}

function minValue(values: Iterable<number>): number {
  let min = Number.POSITIVE_INFINITY;
  for (const value of values) if (value < min) min = value;
  return min;
}

/**
 * Moves the watermark to `reached` (never backwards) and extends coverage, around gaps, up to
 * `listedUntil`: every session that started before it was seen, ended or still open.
 */
function advance(state: SweepState, reached: number, listedUntil: number, coverFrom: number, newGaps: readonly CoverageGap[]): SweepState {
  const watermark = state.watermark === null ? reached : Math.max(state.watermark, reached);
  return {
    ...state,
    watermark,
    listedUntil: Math.max(state.listedUntil ?? listedUntil, listedUntil),
    coverage: mergeRanges([...state.coverage, ...subtractRanges({ from: coverFrom, to: listedUntil }, newGaps)]),
    gaps: mergeGaps(state.gaps, newGaps),
  };
}

/**
 * Splits the History range into slices. With no slice size (the usual case) it is one listing,
 * which costs the fewest calls; slices appear only after a sweep ran out of time.
 */
export function planSlices(listedUntil: number | null, windowStart: number, now: number, sliceMs: number | null): Slice[] {
  const first: Slice = listedUntil === null ? {} : { after: listedUntil };
  if (sliceMs === null) return [first];
  const slices: Slice[] = [];
  let cursor = listedUntil ?? windowStart;
  let current = first;
  while (cursor + sliceMs < now) {
    cursor += sliceMs;
    slices.push({ ...current, before: cursor });
    current = { after: cursor };
  }
  slices.push(current);
  return slices;
}

/**
 * Halves a slice that did not fit in a whole sweep's time; keeps the size while sweeps make
 * progress slice by slice; grows it again after sweeps that finished.
 */
function nextSliceMs(
  current: number | null,
  tooLarge: Slice | undefined,
  complete: boolean,
  windowStart: number,
  now: number,
  retentionMs: number,
  minSliceMs: number,
): number | null {
  if (tooLarge) {
    const width = (tooLarge.before ?? now) - (tooLarge.after ?? windowStart);
    return Math.max(minSliceMs, Math.floor(width / 2));
  }
  if (current === null || !complete) return current;
  const grown = current * 2;
  return grown >= retentionMs ? null : grown;
}

/** Pulls pages one at a time, checking the clock before each request. True when all were read. */
async function drainPages<T>(pages: AsyncIterable<T>, outOfTime: () => boolean, onPage: (page: T) => Promise<void>): Promise<boolean> {
  const iterator = pages[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      if (outOfTime()) return false;
      const next = await iterator.next();
      if (next.done) {
        finished = true;
        return true;
      }
      await onPage(next.value);
    }
  } finally {
    if (!finished) await iterator.return?.();
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
