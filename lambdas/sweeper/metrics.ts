/**
 * The sweeper's CloudWatch metrics (EMF through Powertools). The CDK alarms import these names,
 * so the function and its alarms never disagree.
 */
import type { SweepSummary } from '../core/sweep/sweep';

/** The CloudWatch namespace of every sweeper metric. */
export const METRICS_NAMESPACE = 'SessionArchive';

/** Metric names; every one carries the Powertools `service` dimension. */
export const SWEEP_METRIC = {
  /** Session records written (new or changed) by one sweep. Count. */
  sessionsArchived: 'SessionsArchived',
  /** DescribeSessions calls answered (Active, History, lookups, reconciliation). Count. */
  pagesFetched: 'PagesFetched',
  /**
   * How far the checkpoint lags the sweep's end, in seconds. Emitted only once a watermark exists.
   * A long-open session holds it back; so does a sweeper that keeps failing.
   */
  watermarkAgeSeconds: 'WatermarkAgeSeconds',
  /**
   * Total length of the coverage gaps this sweep found (ranges SSM dropped before any sweep read
   * them), in seconds. 0 on every healthy sweep, so "> 0" means data was lost just now. A gap is
   * reported by the one sweep that found it; GET /coverage keeps the full list.
   */
  coverageGapSeconds: 'CoverageGapSeconds',
  /** Wall time of the sweep. Milliseconds. */
  sweepDurationMs: 'SweepDurationMs',
  /** 1 when the sweep listed its whole range, 0 when it stopped early (it continues next run). */
  sweepCompleted: 'SweepCompleted',
  /**
   * `Session Archived` events the sweep could not deliver (left in the outbox for the next sweep).
   * Count; emitted only when the sweeper publishes events. Above 0 hour after hour: EventBridge
   * refuses them (permissions, the bus deleted), and compliance checks are not running.
   */
  sessionEventsUndelivered: 'SessionEventsUndelivered',
  /**
   * How far SSM's clock (its `Date` header) is from the sweeper's, either way, in seconds. The sweep
   * plans in SSM's time, so skew costs nothing until it nears the visibility margin (5 minutes by
   * default); the alarm fires at half of it.
   */
  sourceClockSkewSeconds: 'SourceClockSkewSeconds',
  /**
   * Sources with a record cap (Alibaba Cloud keeps 1,000): records created since the last complete
   * listing over the cap, per sweep. At 1 the source may have dropped records unread; the alarm
   * fires above 0.8, while a shorter schedule still helps. No per-target dimension: the Maximum
   * over every target is the one number to watch (the target is in the sweep's log line).
   */
  recordCapHeadroom: 'RecordCapHeadroom',
} as const;

export type SweepMetricUnit = 'Count' | 'Seconds' | 'Milliseconds' | 'None';

/** The part of Powertools' Metrics this module needs. */
export interface MetricsSink {
  addMetric(name: string, unit: SweepMetricUnit, value: number): unknown;
}

/** Turns a sweep summary into metrics. Pure: tests pass a recording sink. */
export function recordSweepMetrics(sink: MetricsSink, summary: SweepSummary): void {
  sink.addMetric(SWEEP_METRIC.sessionsArchived, 'Count', summary.written);
  sink.addMetric(SWEEP_METRIC.pagesFetched, 'Count', summary.sourceCalls);
  sink.addMetric(SWEEP_METRIC.sourceClockSkewSeconds, 'Seconds', Math.round(Math.abs(summary.sourceClockOffsetMs) / 1000));
  sink.addMetric(SWEEP_METRIC.sweepDurationMs, 'Milliseconds', summary.durationMs);
  sink.addMetric(SWEEP_METRIC.sweepCompleted, 'Count', summary.complete ? 1 : 0);
  const gapMs = summary.gaps.reduce((total, gap) => total + (Date.parse(gap.to) - Date.parse(gap.from)), 0);
  sink.addMetric(SWEEP_METRIC.coverageGapSeconds, 'Seconds', Math.round(gapMs / 1000));
  if (summary.sessionEvents !== undefined) sink.addMetric(SWEEP_METRIC.sessionEventsUndelivered, 'Count', summary.sessionEvents.undelivered);
  if (summary.recordCapHeadroom !== undefined) sink.addMetric(SWEEP_METRIC.recordCapHeadroom, 'None', summary.recordCapHeadroom);
  if (summary.watermark !== null) {
    const ageMs = Date.parse(summary.finishedAt) - Date.parse(summary.watermark);
    sink.addMetric(SWEEP_METRIC.watermarkAgeSeconds, 'Seconds', Math.max(0, Math.round(ageMs / 1000)));
  }
}
