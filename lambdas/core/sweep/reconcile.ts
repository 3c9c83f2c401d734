/**
 * The reconciliation: once a day (by default) a listing of everything the source still holds,
 * with no time filter, resumed across sweeps. It catches whatever every shorter listing missed,
 * it confirms the coverage it re-listed, and it is the only place where the archive gives up on an
 * open session: one that vanished from Active, was looked for and not found, and that a listing
 * begun after it vanished did not show either.
 */
import { intersectRanges, mergeRanges, toIso } from '../shared/time';
import type { ResumableListing } from './sweep-state';
import { continueListing } from './resumable-listing';
import type { SweepRun } from './run';

export type ReconciliationOutcome = 'not-due' | 'in-progress' | 'completed';

export async function reconcile(run: SweepRun): Promise<ReconciliationOutcome> {
  const { state, settings } = run;
  const due = state.lastReconciledAt === null || run.startedAt - state.lastReconciledAt >= settings.reconcileEveryMs;
  if (state.reconciliation === null && !due) return 'not-due';
  const started: ResumableListing = state.reconciliation ?? { startedAt: run.startedAt, nextToken: null, pagesListed: 0 };
  const { done, listing } = await continueListing(run, 'reconciliation', started);
  if (!done) return 'in-progress';
  await giveUpOnUnseen(run, listing.startedAt);
  const confirmable = { from: listing.startedAt - run.ports.source.historyRetentionMs, to: listing.startedAt - settings.clockSkewMs };
  await run.saveState({
    ...run.state,
    reconciliation: null,
    lastReconciledAt: listing.startedAt,
    confirmed: mergeRanges([...run.state.confirmed, ...intersectRanges(run.state.coverage, confirmable)]),
  });
  return 'completed';
}

/**
 * Open sessions that went missing before the reconciliation began (with the margin for sessions
 * that show up late), were looked for, and were not listed: their final state was never shown.
 */
async function giveUpOnUnseen(run: SweepRun, reconciliationStart: number): Promise<void> {
  const nowIso = toIso(run.ports.clock.now());
  for (const [sessionId, open] of [...run.pending]) {
    const { missingSince, lookupMissedAt } = open.tracking;
    if (missingSince === undefined || lookupMissedAt === undefined) continue;
    if (missingSince > reconciliationStart - run.settings.clockSkewMs) continue;
    await run.ports.store.markEndedUnobserved(run.scope, sessionId, nowIso, missingSince);
    run.pending.delete(sessionId);
    run.counts.flagged++;
  }
}
