/**
 * One sweep of one source into the archive, in named phases (sweep/*.ts).
 *
 * The trap: a session shows up in History only when it ends, and it can stay open for days. So
 * open sessions are tracked on their records until their final state is seen, and the History
 * listing never trusts one look: each starts an overlap below the last, and a daily
 * reconciliation lists everything the source still holds. Every boundary is in the source's own
 * clock. The checkpoint moves only after the pages below it are stored, and only by a conditional
 * write, so a killed or concurrent sweep never skips a range.
 *
 *   open sessions  → Active → gap check → History with overlap → ended lookups → reconciliation
 *     → evidence, then events → checkpoint
 */
import type { EventSink } from '../events/ports';
import { coverageGapEvents, sweepCompletedEvent, type SessionEventCounts } from '../events/sweep-events';
import type { CoreLogger } from './ports';
import type { SourceScope } from '../session/session';
import { mergeGaps } from './sweep-state';
import { toIso } from '../shared/time';
import { historyOutcome, listActive, listNewHistory, newListingStart, resumeHistoryListing, type HistoryOutcome } from './active-and-history';
import { advance, coverageStart, detectGaps } from './checkpoint';
import { lookUpEndedSessions, recordMissing } from './ended-lookups';
import { nextSliceMs } from './listing';
import { reconcile, type ReconciliationOutcome } from './reconcile';
import { SweepRun, type ScopedSource, type SweepOptions, type SweepPorts } from './run';

export { planSlices } from './listing';
export { CheckpointConflictError, SWEEP_DEFAULTS, type SweepOptions, type SweepPorts } from './run';

export interface SweepSummary extends SourceScope {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** False when the sweep stopped before listing the whole range; the next one continues. */
  complete: boolean;
  stoppedEarly?: 'time-budget';
  /** Source calls made: one per page (lookups and reconciliation pages included). */
  sourceCalls: number;
  pagesFetched: { active: number; history: number; reconciliation: number };
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
  /** Open sessions given up on in this sweep (flagged `endedUnobservedAt`). */
  endedUnobserved: number;
  /** The source's clock minus ours, as its responses showed it (ms). */
  sourceClockOffsetMs: number;
  reconciliation: ReconciliationOutcome;
  checkpointConflicts: number;
  /** `Session Archived` events delivered, and left owed for a later sweep; present when events are on. */
  sessionEvents?: SessionEventCounts;
  /**
   * Sources with a record cap only: records that started since the last complete listing, over the
   * cap. At 1 the source may already have dropped records before this sweep could read them.
   */
  recordCapHeadroom?: number;
  /** Evidence objects written and the states in them (`recovered`: stored by a killed sweep); present when evidence is on. */
  evidence?: { objects: number; states: number; recovered: number };
}

export async function sweep(ports: SweepPorts, options: SweepOptions = {}): Promise<SweepSummary> {
  const run = await SweepRun.open(ports, options);
  // Events an earlier sweep stored but did not publish (killed, or EventBridge failed) go first.
  if (run.outbox) await run.outbox.drain(run.outOfTime);

  const activeDone = await listActive(run);
  const newGaps = detectGaps(run);
  const coverFrom = coverageStart(run);
  const history = historyOutcome(run);
  let complete = false;
  let reconciliation: ReconciliationOutcome = 'not-due';
  // Each step runs only when the one before it finished: a starved sweep resumes where it was.
  if (activeDone && (await resumeHistoryListing(run, history, coverFrom, newGaps))) {
    const from = newListingStart(run, history);
    // Vanished sessions below the new listing first: the new listing finds the rest.
    const lookupsRan = from === null || (await lookUpEndedSessions(run, from));
    if (lookupsRan) await listNewHistory(run, history, coverFrom, newGaps);
    if (from !== null) await recordMissing(run, lookupsRan && history.done);
    complete = lookupsRan && history.done;
    if (complete && from !== null) reconciliation = await reconcile(run);
    if (reconciliation === 'in-progress') complete = false;
  }
  await run.sealAndAnnounce();
  await saveFinalCheckpoint(run, history, complete, newGaps, coverFrom);
  return finishSweep(run, complete, reconciliation, newGaps.map((gap) => ({ from: toIso(gap.from), to: toIso(gap.to) })));
}

/** How far the source was listed, the watermark, and how to slice the next sweep. */
async function saveFinalCheckpoint(run: SweepRun, history: HistoryOutcome, complete: boolean, newGaps: ReturnType<typeof detectGaps>, coverFrom: number): Promise<void> {
  const { state, loaded } = run;
  const listedUntil = history.done ? run.ceiling : history.listedUntil;
  const base = listedUntil === null ? state : advance(state, run.watermarkAt(listedUntil), listedUntil, coverFrom, newGaps);
  // A first backfill lists everything the source holds: it counts as a reconciliation.
  const firstBackfill = history.done && loaded.listedUntil === null && loaded.watermark === null && base.lastReconciledAt === null;
  const finishedAt = run.ports.clock.now();
  await run.saveState({
    ...base,
    // Recorded even when no slice finished: a gap is never hidden.
    gaps: mergeGaps(base.gaps, newGaps),
    sliceMs: nextSliceMs({
      current: loaded.sliceMs,
      tooLarge: history.unfinishedSlice,
      complete: history.done,
      windowStart: run.windowStart,
      now: run.startedAt,
      retentionMs: run.ports.source.historyRetentionMs,
      minSliceMs: run.settings.minSliceMs,
    }),
    lastSweep: { startedAt: run.hostStartedAt, finishedAt, complete, sessionsWritten: run.counts.written },
    lastCompletedAt: complete ? finishedAt : state.lastCompletedAt,
    // The source answered: whatever kept this target from being swept is over.
    lastError: null,
    ...(firstBackfill ? { lastReconciledAt: run.startedAt } : {}),
  });
}

/** The summary, its events (`Sweep Completed`, `Coverage Gap Detected`) and its log line; shared by both kinds of sweep. */
export async function finishSweep(
  run: SweepRun<ScopedSource>,
  complete: boolean,
  reconciliation: ReconciliationOutcome,
  gaps: SweepSummary['gaps'],
  extra: Pick<SweepSummary, 'recordCapHeadroom'> = {},
): Promise<SweepSummary> {
  const { counts, loaded, state } = run;
  const finishedAt = run.ports.clock.now();
  const summary: SweepSummary = {
    ...run.scope,
    startedAt: toIso(run.hostStartedAt),
    finishedAt: toIso(finishedAt),
    durationMs: finishedAt - run.hostStartedAt,
    complete,
    ...(complete ? {} : { stoppedEarly: 'time-budget' as const }),
    sourceCalls: counts.active + counts.history + counts.lookups + counts.reconciliation,
    pagesFetched: { active: counts.active, history: counts.history, reconciliation: counts.reconciliation },
    lookups: counts.lookups,
    sessionsSeen: counts.seen,
    written: counts.written,
    unchanged: counts.unchanged,
    openSessions: counts.open,
    previousWatermark: loaded.watermark === null ? null : toIso(loaded.watermark),
    watermark: state.watermark === null ? null : toIso(state.watermark),
    gaps,
    unresolvedOpen: run.pending.size,
    endedUnobserved: counts.flagged,
    sourceClockOffsetMs: run.startedAt - run.hostStartedAt,
    reconciliation,
    checkpointConflicts: counts.conflicts,
    ...extra,
  };
  if (run.ports.evidence) summary.evidence = { ...run.ports.evidence.counts };
  if (run.outbox && run.ports.events) {
    summary.sessionEvents = { ...run.outbox.counts };
    await publishSweepEvents(run.ports.events, summary, run.outbox.counts, run.logger);
  }
  run.logger.info('sweep finished', { ...summary });
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
