/**
 * A History listing that may take several sweeps: the token of its next page is kept with the
 * checkpoint (every few pages, and when the time budget runs out), so the next sweep resumes
 * where this one was. Each page is checked against the time budget before it is asked for.
 */
import { ListingTokenRejectedError } from './ports';
import type { ResumableListing } from './sweep-state';
import { drainPages } from './listing';
import type { SweepRun } from './run';

export type ResumableKind = 'historyListing' | 'reconciliation' | 'endedLookup';

/** A crash (not a timeout: that one saves) re-lists at most this many pages. */
const BOOKMARK_EVERY_PAGES = 10;

const COUNTER: Record<ResumableKind, 'history' | 'reconciliation' | 'lookups'> = {
  historyListing: 'history',
  reconciliation: 'reconciliation',
  endedLookup: 'lookups',
};

/**
 * Lists (or continues) `listing` to its end. When the budget runs out first, its place is saved
 * in the checkpoint under `kind`; when it ends, the caller closes it.
 */
export async function continueListing(run: SweepRun, kind: ResumableKind, listing: ResumableListing): Promise<{ done: boolean; listing: ResumableListing }> {
  let current = listing;
  for (let attempt = 0; ; attempt++) {
    try {
      const query = { invokedAfter: current.after, invokedBefore: current.before };
      const pages = run.ports.source.listHistoryPages(query, current.nextToken ?? undefined);
      const done = await drainPages(pages, run.outOfTime, async (page) => {
        run.counts[COUNTER[kind]]++;
        await run.archivePage(page.sessions);
        current = { ...current, nextToken: page.nextToken ?? null, pagesListed: current.pagesListed + 1 };
        if (page.nextToken !== undefined && current.pagesListed % BOOKMARK_EVERY_PAGES === 0) await run.saveState({ ...run.state, [kind]: current });
      });
      if (!done) await run.saveState({ ...run.state, [kind]: current });
      return { done, listing: current };
    } catch (error: unknown) {
      // Tokens expire (how soon is not documented): start the same listing over, once per sweep.
      if (!(error instanceof ListingTokenRejectedError) || attempt > 0) throw error;
      run.logger.info('kept listing token refused; listing again from the start', { kind, pagesListed: current.pagesListed });
      current = { ...current, startedAt: kind === 'reconciliation' ? run.sourceNow() : current.startedAt, nextToken: null, pagesListed: 0 };
    }
  }
}
