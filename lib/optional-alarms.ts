/**
 * The alarms an archive has only with some features: compliance, a fan-out, record-capped sources
 * (Alibaba Cloud), the scheduled verify. ArchiveAlarms creates them in its own scope, so their
 * construct ids (and logical ids) are its children's.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, SWEEP_METRIC } from '../lambdas/sweeper/metrics';
import { INTEGRITY_VIOLATIONS_METRIC } from '../lambdas/verify/metrics';

export interface VerifyAlarmSources {
  readonly function: lambda.IFunction;
  /** The `service` dimension of the verify's metrics. */
  readonly serviceName: string;
}

export interface FanOutAlarmSources {
  /** The `service` dimension of the planner's metrics. */
  readonly plannerServiceName: string;
  /** Targets whose sweep failed on every retry. */
  readonly deadLetters: sqs.IQueue;
  /** A period holding at least one planner run. */
  readonly staleTargetsPeriod: Duration;
}

/** One of the sweeper's metrics, with its `service` dimension. */
export type SweepMetric = (metricName: string, statistic: string, period: Duration) => cloudwatch.Metric;

/** The planner's count of targets without a complete sweep for `noSweepAlarmHours` (lambdas/planner/handler.ts). */
export const STALE_TARGETS_METRIC = 'StaleTargets';
/** Records since the last sweep over the source's cap: above this, the next busy hour may overflow it. */
export const RECORD_CAP_HEADROOM_ALARM = 0.8;

const HOUR = Duration.hours(1);

/** The compliance dead-letter queue's alarm, and the one on events the sweeps could not deliver. */
export function complianceAlarms(scope: Construct, prefix: string, deadLetters: sqs.IQueue, sweepMetric: SweepMetric): [cloudwatch.Alarm, cloudwatch.Alarm] {
  const complianceFailures = new cloudwatch.Alarm(scope, 'ComplianceFailures', {
    alarmName: `${prefix}-compliance-failures`,
    alarmDescription:
      'A Session Archived event reached the compliance dead-letter queue: the check failed on it after every retry, ' +
      'so that session was not checked. See docs/operations.md#compliance-failures.',
    metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const sessionEventsUndelivered = new cloudwatch.Alarm(scope, 'SessionEventsUndelivered', {
    alarmName: `${prefix}-session-events-undelivered`,
    alarmDescription:
      'Sweeps could not deliver Session Archived events to EventBridge for 2 hours in a row (they wait in the archive and ' +
      'go out once EventBridge takes them). See docs/operations.md#session-events-undelivered.',
    // One sweep's leftovers go out with the next sweep: only a persistent failure lasts two hours.
    metric: sweepMetric(SWEEP_METRIC.sessionEventsUndelivered, 'Minimum', HOUR),
    threshold: 0,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return [complianceFailures, sessionEventsUndelivered];
}

/** One alarm for every stale target together (never one per target), and one on the dead-letter queue. */
export function fanOutAlarms(scope: Construct, prefix: string, fanOut: FanOutAlarmSources): [cloudwatch.Alarm, cloudwatch.Alarm] {
  const staleTargets = new cloudwatch.Alarm(scope, 'StaleTargets', {
    alarmName: `${prefix}-stale-targets`,
    alarmDescription:
      'Some targets had no complete sweep for noSweepAlarmHours, two periods in a row. GET /coverage names them with their last error. ' +
      'See docs/operations.md#stale-targets.',
    metric: new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: STALE_TARGETS_METRIC, dimensionsMap: { service: fanOut.plannerServiceName }, statistic: 'Maximum', period: fanOut.staleTargetsPeriod }),
    threshold: 0,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    // No planner run: the no-successful-sweep alarm covers it.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const targetDeadLetters = new cloudwatch.Alarm(scope, 'TargetDeadLetters', {
    alarmName: `${prefix}-target-dead-letters`,
    alarmDescription:
      'A target sweep failed three times in a row and its message reached the dead-letter queue. See docs/operations.md#target-dead-letters.',
    metric: fanOut.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return [staleTargets, targetDeadLetters];
}

/** The record-cap headroom of sources that keep a fixed number of records (Alibaba Cloud). */
export function recordCapAlarm(scope: Construct, prefix: string, sweepMetric: SweepMetric): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, 'RecordCapHeadroom', {
    alarmName: `${prefix}-record-cap-headroom`,
    alarmDescription:
      `A sweep found more than ${RECORD_CAP_HEADROOM_ALARM * 100}% of a source's record cap (Alibaba Cloud keeps 1,000) created since the last sweep: ` +
      'sweep more often before records drop unread. See docs/operations.md#record-cap-headroom.',
    metric: sweepMetric(SWEEP_METRIC.recordCapHeadroom, 'Maximum', HOUR),
    threshold: RECORD_CAP_HEADROOM_ALARM,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/**
 * One alarm for integrity: a verify run found a violation, or a verify run failed (then nothing
 * was proven). Daily runs: a day's period holds one.
 */
export function integrityAlarm(scope: Construct, prefix: string, verify: VerifyAlarmSources): cloudwatch.Alarm {
  const period = Duration.days(1);
  const violations = new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: INTEGRITY_VIOLATIONS_METRIC, dimensionsMap: { service: verify.serviceName }, statistic: 'Maximum', period });
  return new cloudwatch.Alarm(scope, 'ArchiveIntegrity', {
    alarmName: `${prefix}-archive-integrity`,
    alarmDescription:
      'The scheduled verify found records changed, deleted or inserted outside the sweeper, or a broken evidence chain ' +
      '(Archive Integrity Violation on the bus names them), or the verify itself failed. See docs/operations.md#archive-integrity.',
    metric: new cloudwatch.MathExpression({
      expression: 'FILL(violations, 0) + FILL(errors, 0)',
      usingMetrics: { violations, errors: verify.function.metricErrors({ period, statistic: 'Sum' }) },
      period,
      label: 'integrity violations and verify failures',
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
