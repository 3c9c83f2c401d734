/**
 * A History listing that may take several sweeps: after each page the token of the next one is
 * saved with the checkpoint, so a sweep that runs out of time (or is killed) resumes where it was.
 * Each page is checked against the time budget before it is asked for.
 */
import { ListingTokenRejectedError } from '../ports';
import type { ResumableListing } from '../sweep-state';
import { drainPages } from './listing';
import type { SweepRun } from './run';

export type ResumableKind = 'reconciliation' | 'endedLookup';

/** Lists (or continues) `listing` to its end; false when the time budget ran out first. */
export async function continueListing(run: SweepRun, kind: ResumableKind, listing: ResumableListing): Promise<{ done: boolean; listing: ResumableListing }> {
  let current = listing;
  for (let attempt = 0; ; attempt++) {
    try {
      const query = { invokedAfter: current.after, invokedBefore: current.before };
      const pages = run.ports.source.listHistoryPages(query, current.nextToken ?? undefined);
      const done = await drainPages(pages, run.outOfTime, async (page) => {
        run.counts[kind === 'reconciliation' ? 'reconciliation' : 'lookups']++;
        await run.archivePage(page.sessions);
        current = { ...current, nextToken: page.nextToken ?? null, pagesListed: current.pagesListed + 1 };
        // The last page needs no bookmark: the caller closes the listing right after it.
        if (page.nextToken !== undefined) await run.saveState({ ...run.state, [kind]: current });
      });
      return { done, listing: current };
    } catch (error: unknown) {
      // Tokens expire (how soon is not documented): start the same listing over, once per sweep.
      if (!(error instanceof ListingTokenRejectedError) || attempt > 0) throw error;
      run.logger.warn('kept listing token refused; listing again from the start', { kind, pagesListed: current.pagesListed });
      current = { ...current, startedAt: kind === 'reconciliation' ? run.sourceNow() : current.startedAt, nextToken: null, pagesListed: 0 };
    }
  }
}
