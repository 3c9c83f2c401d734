/**
 * The events a sweep publishes when it ends: one `Sweep Completed`, and one `Coverage Gap Detected`
 * per gap it found. Their ids name the sweep and the gap, so a repeat is recognisable.
 */
import { scopeKey } from '../session/session';
import type { SweepSummary } from '../sweep/sweep';
import type { CoverageGapDetail, SweepCompletedDetail } from './detail-schemas';
import { DETAIL_TYPE, EVENT_SCHEMA_VERSION, type ArchiveEvent } from './event-types';

export interface SessionEventCounts {
  published: number;
  undelivered: number;
}

export function sweepCompletedEvent(summary: SweepSummary, sessionEvents: SessionEventCounts): ArchiveEvent {
  const sweepId = `${scopeKey(summary)}@${summary.startedAt}`;
  const detail: SweepCompletedDetail = {
    version: EVENT_SCHEMA_VERSION,
    sweepId,
    source: summary.source,
    accountId: summary.accountId,
    region: summary.region,
    startedAt: summary.startedAt,
    finishedAt: summary.finishedAt,
    durationMs: summary.durationMs,
    complete: summary.complete,
    ...(summary.stoppedEarly === undefined ? {} : { stoppedEarly: summary.stoppedEarly }),
    sessionsSeen: summary.sessionsSeen,
    sessionsWritten: summary.written,
    sessionsUnchanged: summary.unchanged,
    openSessions: summary.openSessions,
    unresolvedOpen: summary.unresolvedOpen,
    previousWatermark: summary.previousWatermark,
    watermark: summary.watermark,
    gapsFound: summary.gaps.length,
    sessionEvents: { ...sessionEvents },
  };
  return { id: sweepId, detailType: DETAIL_TYPE.sweepCompleted, time: summary.finishedAt, detail };
}

export function coverageGapEvents(summary: SweepSummary): ArchiveEvent[] {
  return summary.gaps.map((gap) => {
    const gapId = `${scopeKey(summary)}#${gap.from}#${gap.to}`;
    const detail: CoverageGapDetail = {
      version: EVENT_SCHEMA_VERSION,
      gapId,
      source: summary.source,
      accountId: summary.accountId,
      region: summary.region,
      from: gap.from,
      to: gap.to,
      durationSeconds: Math.round((Date.parse(gap.to) - Date.parse(gap.from)) / 1000),
      detectedAt: summary.startedAt,
    };
    return { id: gapId, detailType: DETAIL_TYPE.coverageGapDetected, time: summary.startedAt, detail };
  });
}
