/**
 * The listings every sweep makes: Active first (so every session still open is known before the
 * History range is planned), then History from an overlap below the last complete listing.
 *
 * The overlap is what keeps a sweep from relying on guesses about the source: a session that one
 * listing could not see (it became visible late, a page boundary skipped it, our clock ran ahead)
 * is listed again by the next one. Unchanged records cost a batched read there, never a write.
 */
import { advance } from './checkpoint';
import { drainPages, planSlices, type Slice } from './listing';
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
  /** The first slice, when not even it could be listed. */
  unfinishedSlice?: Slice;
  slicesDone: number;
  /** Where this listing began (before the overlap); null on a first sweep. */
  listedFrom: number | null;
  /** How far it got: every session that started before this was seen. */
  listedUntil: number | null;
}

/**
 * History of sessions that started since the last complete listing, less the overlap (everything,
 * on a first sweep), oldest slice first, with a checkpoint after each slice.
 */
export async function listHistorySinceLastListing(run: SweepRun, coverFrom: number, newGaps: Parameters<typeof advance>[4]): Promise<HistoryOutcome> {
  const { loaded, settings } = run;
  const listedFrom = loaded.listedUntil ?? loaded.watermark;
  const from = listedFrom === null ? null : listedFrom - settings.overlapMs;
  const outcome: HistoryOutcome = { done: true, slicesDone: 0, listedFrom, listedUntil: listedFrom };
  for (const slice of planSlices(from, run.windowStart, run.startedAt, loaded.sliceMs)) {
    const sliceDone = await drainPages(run.ports.source.listHistory({ invokedAfter: slice.after, invokedBefore: slice.before }), run.outOfTime, async (page) => {
      run.counts.history++;
      await run.archivePage(page);
    });
    if (!sliceDone) {
      outcome.done = false;
      if (outcome.slicesDone === 0) outcome.unfinishedSlice = slice;
      break;
    }
    outcome.slicesDone++;
    const reached = Math.min(slice.before ?? Number.POSITIVE_INFINITY, run.ceiling);
    outcome.listedUntil = Math.max(outcome.listedUntil ?? reached, reached);
    await run.saveState(advance(run.state, run.watermarkAt(outcome.listedUntil), outcome.listedUntil, coverFrom, newGaps));
  }
  return outcome;
}
