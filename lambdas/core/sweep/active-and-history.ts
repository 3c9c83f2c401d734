/**
 * The listings every sweep makes: Active first (so every session still open is known before the
 * History range is planned), then History from an overlap below the last complete listing.
 *
 * The overlap is what keeps a sweep from relying on guesses about the source: a session that one
 * listing could not see (it became visible late, a page boundary skipped it, our clock ran ahead)
 * is listed again by the next one. Unchanged records cost a batched read there, never a write.
 */
import type { CoverageGap, ResumableListing } from './sweep-state';
import { advance } from './checkpoint';
import { drainPages, planSlices, type Slice } from './listing';
import { continueListing } from './resumable-listing';
import type { SweepRun } from './run';

export async function listActive(run: SweepRun): Promise<boolean> {
  const done = await drainPages(run.ports.source.listActive(), run.outOfTime, async (page) => {
    run.counts.active++;
    run.counts.open += page.length;
    await run.archivePage(page);
  });
  // The first response carried the source's clock: from here on the sweep plans in its time.
  run.pinSourceTime();
  return done;
}

export interface HistoryOutcome {
  done: boolean;
  /** The first new slice, when not even it could be listed. */
  unfinishedSlice?: Slice;
  /** Where this sweep's new History listing begins (the overlap included); null on a first sweep. */
  listedFrom: number | null;
  /** How far the listings got: every session that started before this was seen. */
  listedUntil: number | null;
}

export function historyOutcome(run: SweepRun): HistoryOutcome {
  return { done: false, listedFrom: null, listedUntil: run.loaded.listedUntil ?? run.loaded.watermark };
}

/** Finishes the slice the previous sweep left unfinished, from its kept page. True when none is left. */
export async function resumeHistoryListing(run: SweepRun, outcome: HistoryOutcome, coverFrom: number, newGaps: readonly CoverageGap[]): Promise<boolean> {
  const resumed = run.loaded.historyListing;
  return resumed === null || listSlice(run, resumed, outcome, coverFrom, newGaps);
}

/** Where the new listing begins: an overlap below the last complete one. */
export function newListingStart(run: SweepRun, outcome: HistoryOutcome): number | null {
  return outcome.listedUntil === null ? null : outcome.listedUntil - run.settings.overlapMs;
}

/**
 * History of sessions that started since the last complete listing, less the overlap (everything,
 * on a first sweep), oldest slice first, with a checkpoint after each slice.
 */
export async function listNewHistory(run: SweepRun, outcome: HistoryOutcome, coverFrom: number, newGaps: readonly CoverageGap[]): Promise<void> {
  const from = newListingStart(run, outcome);
  outcome.listedFrom = from;
  const slices = planSlices(from, run.windowStart, run.startedAt, run.loaded.sliceMs);
  for (const [i, slice] of slices.entries()) {
    const listing: ResumableListing = { startedAt: run.startedAt, ...slice, nextToken: null, pagesListed: 0 };
    // The last slice's advance is saved by the checkpoint that follows it (one write fewer per sweep).
    if (await listSlice(run, listing, outcome, coverFrom, newGaps, i < slices.length - 1)) continue;
    if (i === 0) outcome.unfinishedSlice = slice;
    return;
  }
  outcome.done = true;
}

/**
 * Lists one slice to its end (or saves its place); when done, moves coverage up to it: saved at once,
 * or with `persist` false only kept in the run's state for the next save (the final checkpoint, or
 * a reconciliation's) — an invocation killed before then lists that slice again, nothing is lost.
 */
async function listSlice(run: SweepRun, listing: ResumableListing, outcome: HistoryOutcome, coverFrom: number, newGaps: readonly CoverageGap[], persist = true): Promise<boolean> {
  const { done } = await continueListing(run, 'historyListing', listing);
  if (!done) return false;
  // Sessions that started within the margin before the listing began may not have been visible.
  const reached = Math.min(listing.before ?? Number.POSITIVE_INFINITY, listing.startedAt - run.settings.clockSkewMs);
  outcome.listedUntil = Math.max(outcome.listedUntil ?? reached, reached);
  const next = { ...advance(run.state, run.watermarkAt(outcome.listedUntil), outcome.listedUntil, coverFrom, newGaps), historyListing: null };
  if (persist) await run.saveState(next);
  else run.state = next;
  return true;
}
