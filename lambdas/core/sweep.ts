/**
 * One sweep of one source into the archive.
 *
 * The trap: a session shows up in History only when it ends, and it can stay open for days. So the
 * next History listing must start no later than the earliest StartDate of any session still open
 * now (the watermark), not at "when I last swept". Active is listed first, then History from the
 * watermark; the checkpoint moves only after the pages below it are stored, and only by a
 * conditional write, so a killed or concurrent sweep never skips a range.
 */
import type { ArchiveStore, Clock, CoreLogger, HistoryQuery, SessionSource } from './ports';
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
}

export interface SweepOptions {
  /** How far the source's clock may run behind ours; the watermark stays this far behind the sweep. */
  clockSkewMs?: number;
  /** Time left before the caller must return (the Lambda deadline); unlimited when absent. */
  remainingTimeMs?: () => number;
  /** Stop fetching pages when less than this is left, so the last writes and the checkpoint fit. */
  reserveMs?: number;
  /** At most this many one-by-one lookups of open sessions that vanished from Active. */
  maxEndedLookups?: number;
  /** Slices never get smaller than this when a sweep runs out of time. */
  minSliceMs?: number;
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
}

export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';
}

const DEFAULTS = {
  clockSkewMs: 5 * MINUTE_MS,
  reserveMs: 30_000,
  maxEndedLookups: 50,
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
  // Sessions that started after this may not be visible yet; the watermark never passes it.
  const ceiling = startedAt - settings.clockSkewMs;

  const loaded = (await store.loadSweepState(scope)) ?? EMPTY_SWEEP_STATE;
  let state: SweepState = loaded;
  const previousWatermark = loaded.watermark;

  const counts = { active: 0, history: 0, lookups: 0, seen: 0, written: 0, unchanged: 0, open: 0, conflicts: 0 };
  let earliestOpenStart = Number.POSITIVE_INFINITY;
  // Open sessions the archive knows of; each one seen again this sweep is crossed off. What is
  // left at the end vanished from Active without showing up in the History range: look it up.
  const knownOpen = new Map((await store.listOpenSessions(scope)).map((ref) => [ref.sessionId, ref.startDate]));

  const archivePage = async (page: ObservedSession[]): Promise<void> => {
    counts.seen += page.length;
    for (const session of page) {
      knownOpen.delete(session.sessionId);
      if (!isFinalStatus(session.status)) earliestOpenStart = Math.min(earliestOpenStart, fromIso(session.startDate));
    }
    const outcome = await store.archiveSessions(scope, page, toIso(clock.now()));
    counts.written += outcome.written.length;
    counts.unchanged += outcome.unchanged;
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

  // 1. Active first: its earliest StartDate caps the watermark.
  const activeDone = await drainPages(source.listActive(), outOfTime, async (page) => {
    counts.active++;
    counts.open += page.length;
    await archivePage(page);
  });

  // 2. A range the source dropped before any sweep listed it is a gap: recorded, never hidden.
  const newGaps: CoverageGap[] = [];
  const firstSweep = loaded.watermark === null;
  if (!firstSweep && loaded.watermark !== null) {
    const unseenFrom = Math.max(loaded.watermark, loaded.listedUntil ?? loaded.watermark);
    if (unseenFrom < windowStart) newGaps.push({ from: unseenFrom, to: windowStart, detectedAt: startedAt });
  }
  // Coverage this sweep can add starts at the old watermark (at the window on a first sweep).
  const coverFrom = loaded.watermark ?? windowStart;

  // 3. History from the watermark, oldest slice first, checkpointing after each slice.
  let historyDone = activeDone;
  let unfinishedSlice: Slice | undefined;
  if (activeDone) {
    for (const slice of planSlices(loaded.watermark, windowStart, startedAt, loaded.sliceMs)) {
      const query: HistoryQuery = { invokedAfter: slice.after, invokedBefore: slice.before };
      const sliceDone = await drainPages(source.listHistory(query), outOfTime, async (page) => {
        counts.history++;
        await archivePage(page);
      });
      if (!sliceDone) {
        historyDone = false;
        unfinishedSlice = slice;
        break;
      }
      const reached = Math.min(slice.before ?? Number.POSITIVE_INFINITY, earliestOpenStart, ceiling);
      await saveState(advance(state, reached, coverFrom, newGaps));
    }
  }

  // 4. Open sessions that vanished from Active but did not show up in the range listed: ask for
  //    each by id (a clock-skewed or eventually consistent source can cause this; it is rare).
  let unresolvedOpen = 0;
  if (historyDone) {
    const stragglers = [...knownOpen.entries()].sort((a, b) => b[1].localeCompare(a[1]));
    for (const [sessionId] of stragglers.slice(0, settings.maxEndedLookups)) {
      if (outOfTime()) break;
      counts.lookups++;
      const ended = await source.findEnded(sessionId);
      if (ended) await archivePage([ended]);
      else unresolvedOpen++;
    }
    unresolvedOpen += Math.max(0, stragglers.length - counts.lookups);
  }

  // 5. Final checkpoint: remember how far the source was listed, and size the next slices.
  const finishedAt = clock.now();
  const complete = historyDone;
  await saveState({
    ...state,
    // Recorded even when no slice finished: a gap is never hidden.
    gaps: mergeGaps(state.gaps, newGaps),
    listedUntil: complete ? Math.max(state.listedUntil ?? ceiling, ceiling) : state.listedUntil,
    sliceMs: nextSliceMs(loaded.sliceMs, unfinishedSlice, windowStart, startedAt, source.historyRetentionMs, settings.minSliceMs),
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
    previousWatermark: previousWatermark === null ? null : toIso(previousWatermark),
    watermark: state.watermark === null ? null : toIso(state.watermark),
    gaps: newGaps.map((gap) => ({ from: toIso(gap.from), to: toIso(gap.to) })),
    unresolvedOpen,
    checkpointConflicts: counts.conflicts,
  };
  logger.info('sweep finished', { ...summary });
  return summary;
}

/** Moves the watermark to `reached` (never backwards) and extends coverage up to it, around gaps. */
function advance(state: SweepState, reached: number, coverFrom: number, newGaps: readonly CoverageGap[]): SweepState {
  const watermark = state.watermark === null ? reached : Math.max(state.watermark, reached);
  return {
    ...state,
    watermark,
    coverage: mergeRanges([...state.coverage, ...subtractRanges({ from: coverFrom, to: watermark }, newGaps)]),
    gaps: mergeGaps(state.gaps, newGaps),
  };
}

/**
 * Splits the History range into slices. With no slice size (the usual case) it is one listing,
 * which costs the fewest calls; slices appear only after a sweep ran out of time.
 */
export function planSlices(watermark: number | null, windowStart: number, now: number, sliceMs: number | null): Slice[] {
  const first: Slice = watermark === null ? {} : { after: watermark };
  if (sliceMs === null) return [first];
  const slices: Slice[] = [];
  let cursor = watermark ?? windowStart;
  let current = first;
  while (cursor + sliceMs < now) {
    cursor += sliceMs;
    slices.push({ ...current, before: cursor });
    current = { after: cursor };
  }
  slices.push(current);
  return slices;
}

/** Halves the slice that did not fit in time; grows slices again after sweeps that finished. */
function nextSliceMs(
  current: number | null,
  unfinished: Slice | undefined,
  windowStart: number,
  now: number,
  retentionMs: number,
  minSliceMs: number,
): number | null {
  if (unfinished) {
    const width = (unfinished.before ?? now) - (unfinished.after ?? windowStart);
    return Math.max(minSliceMs, Math.floor(width / 2));
  }
  if (current === null) return null;
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
