/**
 * One sweep of a source with no time filter and a record cap (Alibaba Cloud ECS
 * DescribeTerminalSessions): one listing, page by page, stored as it goes, that stops once it
 * reaches what the archive already holds final (sweep/unfiltered-listing.ts says when), or runs to
 * its end. A sweep with nothing new costs one call.
 *
 *   open sessions → listing (stops early only when safe) → vanished open sessions → gap → checkpoint
 *
 * Open sessions are archived open and stay on the archive's open list; the listing always reaches
 * back to the oldest of them, so each is seen again until it ends. One that is no longer listed
 * is marked missing; only a later complete listing that does not show it either gives up on it.
 * A complete listing that cannot reach back to the last one's newest record lost the records
 * between to the cap: that range is recorded as a gap and published, never skipped in silence.
 * A full listing (daily, like the reconciliation of a filtered source) catches whatever an early
 * stop may have missed. The checkpoint moves only after the listing; a killed sweep lists again.
 */
import type { UnfilteredSessionSource } from './ports';
import { isFinalStatus } from '../session/session';
import type { CoverageGap, SweepState } from './sweep-state';
import { finishSweep, type SweepSummary } from './sweep';
import { advance } from './checkpoint';
import { minValue } from './listing';
import { SweepRun, type SweepOptions, type SweepPorts } from './run';
import { UnfilteredListing } from './unfiltered-listing';
import { intersectRanges, mergeRanges, toIso } from '../shared/time';

type UnfilteredRun = SweepRun<UnfilteredSessionSource>;
type ListingEnd = 'ended' | 'stopped' | 'out-of-time';

export async function sweepUnfiltered(ports: SweepPorts<UnfilteredSessionSource>, options: SweepOptions = {}): Promise<SweepSummary> {
  const run = await SweepRun.open(ports, options);
  if (run.outbox) await run.outbox.drain(run.outOfTime);
  const { loaded, settings } = run;
  const reconciliationDue = loaded.lastReconciledAt === null || run.sourceNow() - loaded.lastReconciledAt >= settings.reconcileEveryMs;
  // A vanished open session is given up on only after a listing to the end has not shown it.
  const lookingForVanished = [...run.pending.values()].some((open) => open.tracking.missingSince !== undefined);
  const listing = new UnfilteredListing({
    ...(loaded.newestListed === undefined ? {} : { newestListed: loaded.newestListed }),
    earliestOpen: minValue([...run.pending.values()].map((open) => open.start)),
    full: reconciliationDue || lookingForVanished,
  });
  const end = await listPages(run, listing);
  const complete = end !== 'out-of-time';
  const gap = end === 'ended' ? listing.droppedRange() : undefined;
  const newGaps: CoverageGap[] = gap === undefined ? [] : [{ ...gap, detectedAt: run.startedAt }];
  if (complete) await settleVanished(run, end === 'ended');
  // The evidence of what this sweep stored is sealed before its events go out and its checkpoint moves.
  await run.sealAndAnnounce();
  // One conditional write: a sweep that stopped for time moves nothing but its own record.
  await run.saveState({
    ...(complete ? afterCompleteListing(run, listing, end === 'ended', newGaps) : run.state),
    lastSweep: { startedAt: run.hostStartedAt, finishedAt: run.ports.clock.now(), complete, sessionsWritten: run.counts.written },
    ...(complete ? { lastCompletedAt: run.ports.clock.now() } : {}),
    lastError: null,
  });
  const headroom = complete ? { recordCapHeadroom: listing.newSince.size / run.ports.source.recordCap } : {};
  const reconciliation = end === 'ended' && reconciliationDue ? 'completed' : 'not-due';
  return finishSweep(run, complete, reconciliation, newGaps.map((g) => ({ from: toIso(g.from), to: toIso(g.to) })), headroom);
}

/** Pages until the listing may stop, ends, or the time budget runs out; each page stored before the next. */
async function listPages(run: UnfilteredRun, listing: UnfilteredListing): Promise<ListingEnd> {
  const iterator = run.ports.source.listPages()[Symbol.asyncIterator]();
  let end: ListingEnd = 'out-of-time';
  try {
    while (!run.outOfTime()) {
      const next = await iterator.next();
      if (run.counts.history === 0) run.pinSourceTime();
      if (next.done === true) {
        end = 'ended';
        break;
      }
      run.counts.history++;
      const page = next.value.sessions;
      run.counts.open += page.filter((session) => !isFinalStatus(session.status)).length;
      const stored = await run.archivePage(page);
      const written = new Set(stored.written.map((record) => record.sessionId));
      if (listing.observe(page, written) && next.value.nextToken !== undefined) {
        end = 'stopped';
        break;
      }
      if (next.value.nextToken === undefined) {
        end = 'ended';
        break;
      }
    }
  } finally {
    if (end !== 'ended') await iterator.return?.();
  }
  return end;
}

/**
 * Open sessions the archive holds that this complete listing did not show: it reached below each
 * of them (the stop bound never passes an open session), so each was looked for. The first miss
 * is recorded; a later listing to the end that misses it too gives up on it.
 */
async function settleVanished(run: UnfilteredRun, listedToEnd: boolean): Promise<void> {
  const { store } = run.ports;
  const nowIso = toIso(run.ports.clock.now());
  for (const [sessionId, open] of [...run.pending]) {
    const { missingSince } = open.tracking;
    if (listedToEnd && missingSince !== undefined && missingSince <= run.startedAt - run.settings.clockSkewMs) {
      await store.markEndedUnobserved(run.scope, sessionId, nowIso, missingSince);
      run.pending.delete(sessionId);
      run.counts.flagged++;
      continue;
    }
    await store.markMissing(run.scope, sessionId, { missingSince: missingSince ?? run.startedAt, lookupMissedAt: run.startedAt });
  }
}

/** Coverage up to this listing (less the gap), the newest record listed, and, after a listing to the end, the reconciliation marks. */
function afterCompleteListing(run: UnfilteredRun, listing: UnfilteredListing, listedToEnd: boolean, newGaps: readonly CoverageGap[]): SweepState {
  const { loaded } = run;
  const listedUntil = run.ceiling;
  const advanced = advance(run.state, run.watermarkAt(listedUntil), listedUntil, coverageStart(run, listing, listedToEnd), newGaps);
  const newestListed = Math.max(loaded.newestListed ?? Number.NEGATIVE_INFINITY, listing.newest);
  const state: SweepState = { ...advanced, ...(Number.isFinite(newestListed) ? { newestListed } : {}) };
  if (!listedToEnd) return state;
  // A listing to the end showed everything the source holds: it confirms what it re-listed.
  const shown = { from: Number.isFinite(listing.oldest) ? listing.oldest : listedUntil, to: listedUntil };
  return { ...state, lastReconciledAt: run.startedAt, confirmed: mergeRanges([...state.confirmed, ...intersectRanges(state.coverage, shown)]) };
}

/**
 * Where this sweep's coverage begins: the end of the last complete listing; on the first, the
 * source's window when the listing was under the cap (nothing dropped yet), else its oldest record.
 */
function coverageStart(run: UnfilteredRun, listing: UnfilteredListing, listedToEnd: boolean): number {
  const { loaded } = run;
  if (loaded.listedUntil !== null) return loaded.listedUntil;
  if (listedToEnd && listing.seen.size < run.ports.source.recordCap) return run.windowStart;
  return Number.isFinite(listing.oldest) ? listing.oldest : run.ceiling;
}
