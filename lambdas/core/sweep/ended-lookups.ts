/**
 * Open sessions that vanished from Active have ended: they are in History now, unless the source
 * dropped them or shows them late. Those that started inside the History range just listed were
 * looked for there; the others are looked up, a few by id, many by one range listing that may take
 * several sweeps. What a lookup that really ran did not find is recorded on the record; giving up
 * on a session is left to a reconciliation (reconcile.ts), never to a sweep that ran out of time.
 */
import type { SessionTracking } from './ports';
import type { ResumableListing } from './sweep-state';
import { drainPages, minValue } from './listing';
import { continueListing } from './resumable-listing';
import type { PendingOpen, SweepRun } from './run';

/**
 * Looks for the vanished sessions that started before `historyFrom` (where the History listing of
 * this sweep began). True when every lookup it owed ran to its end.
 */
export async function lookUpEndedSessions(run: SweepRun, historyFrom: number): Promise<boolean> {
  const below = [...run.pending].filter(([, open]) => open.start < historyFrom);
  const inProgress = run.state.endedLookup;
  if (inProgress === null && below.length === 0) return true;
  if (inProgress === null && below.length <= run.settings.maxEndedLookups) return lookUpById(run, below.map(([id]) => id));
  const listing: ResumableListing = inProgress ?? {
    startedAt: run.startedAt,
    after: minValue(below.map(([, open]) => open.start)),
    before: historyFrom,
    nextToken: null,
    pagesListed: 0,
  };
  const { done } = await continueListing(run, 'endedLookup', listing);
  if (done && run.state.endedLookup !== null) await run.saveState({ ...run.state, endedLookup: null });
  // A range listing begun in an earlier sweep has not looked for sessions that vanished since.
  const lookedFor = (open: PendingOpen): boolean =>
    open.start >= historyFrom || (open.start >= (listing.after ?? Number.NEGATIVE_INFINITY) && open.start < (listing.before ?? historyFrom));
  return done && [...run.pending.values()].every(lookedFor);
}

async function lookUpById(run: SweepRun, sessionIds: string[]): Promise<boolean> {
  for (const sessionId of sessionIds) {
    const done = await drainPages(run.ports.source.listHistoryPages({ sessionId }), run.outOfTime, async (page) => {
      run.counts.lookups++;
      // A source that filters after MaxResults hands back other sessions too: keep only this one.
      await run.archivePage(page.sessions.filter((session) => session.sessionId === sessionId));
    });
    if (!done) return false;
  }
  return true;
}

/**
 * Writes what this sweep learned of the sessions still unseen: when each went missing (a complete
 * Active listing no longer showed it) and, when every lookup ran, that they were not found.
 */
export async function recordMissing(run: SweepRun, lookupsRan: boolean): Promise<void> {
  for (const [sessionId, open] of run.pending) {
    const update: SessionTracking = {};
    if (open.tracking.missingSince === undefined) update.missingSince = run.startedAt;
    if (lookupsRan && open.tracking.lookupMissedAt === undefined) update.lookupMissedAt = run.startedAt;
    if (Object.keys(update).length === 0) continue;
    await run.ports.store.markMissing(run.scope, sessionId, update);
    open.tracking = { ...open.tracking, ...update };
  }
}
