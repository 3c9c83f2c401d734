/**
 * The alarms that page before data is lost, and the topic they notify. Thresholds come in as
 * props; docs/operations.md says what each alarm means and what to do.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { keyAdministration } from './archive-key';
import { METRICS_NAMESPACE, SWEEP_METRIC } from '../lambdas/sweeper/metrics';
import { complianceAlarms, fanOutAlarms, integrityAlarm, recordCapAlarm, type FanOutAlarmSources, type SweepMetric, type VerifyAlarmSources } from './optional-alarms';

export { RECORD_CAP_HEADROOM_ALARM, STALE_TARGETS_METRIC, type FanOutAlarmSources, type VerifyAlarmSources } from './optional-alarms';

export interface ArchiveAlarmsProps {
  /** The sweeper function: its Errors metric feeds the sweeper-errors alarm. */
  readonly sweeper: lambda.IFunction;
  /** The Powertools service name the sweeper's metrics carry as their `service` dimension. */
  readonly sweeperServiceName: string;
  /** The query API: its 5XXError metric feeds the api-5xx alarm. */
  readonly api: apigw.RestApi;
  /** Alarm when the checkpoint is older than this. */
  readonly watermarkAgeThreshold: Duration;
  /** Alarm when no sweep completed for this many consecutive hours (1-168). */
  readonly noSweepAlarmHours: number;
  /**
   * An address subscribed to the alarm topic (it must confirm the subscription).
   * @default no subscription
   */
  readonly alarmEmail?: string;
  /**
   * The compliance check's dead-letter queue: any message in it is a `Session Archived` event that
   * was never checked.
   * @default no compliance alarms
   */
  readonly complianceDeadLetters?: sqs.IQueue;
  /**
   * Encrypt the topic with a KMS key of its own (CloudWatch cannot publish to a topic encrypted
   * with the AWS-managed `aws/sns` key, so it is a customer-managed key whose policy lets it).
   * @default false
   */
  readonly encryption?: boolean;
  /**
   * The fan-out's planner and dead-letter queue, when the archive sweeps more than the hub.
   * @default no fan-out alarms
   */
  readonly fanOut?: FanOutAlarmSources;
  /**
   * Alarm on the record-cap headroom of sources that keep a fixed number of records (Alibaba Cloud).
   * @default false
   */
  readonly recordCapAlarm?: boolean;
  /**
   * The scheduled evidence verify: its violation count and its errors feed the integrity alarm.
   * @default no integrity alarm
   */
  readonly verify?: VerifyAlarmSources;
}

/** Half the sweep's 5-minute visibility margin: skew beyond it would soon let a session slip past a sweep. */
export const CLOCK_SKEW_ALARM_SECONDS = 150;

const HOUR = Duration.hours(1);
/** CloudWatch evaluates at most 7 days for periods of an hour or more. */
const MAX_NO_SWEEP_HOURS = 168;

export class ArchiveAlarms extends Construct {
  readonly topic: sns.Topic;
  /** The topic's key, when `encryption` is on. */
  readonly topicKey?: kms.Key;
  readonly sweeperErrors: cloudwatch.Alarm;
  readonly noSuccessfulSweep: cloudwatch.Alarm;
  readonly watermarkAge: cloudwatch.Alarm;
  readonly coverageGap: cloudwatch.Alarm;
  readonly apiServerErrors: cloudwatch.Alarm;
  /** Present when the sweeper publishes events (a compliance dead-letter queue was given). */
  readonly complianceFailures?: cloudwatch.Alarm;
  readonly sessionEventsUndelivered?: cloudwatch.Alarm;
  readonly sourceClockSkew: cloudwatch.Alarm;
  /** Present with a fan-out. */
  readonly staleTargets?: cloudwatch.Alarm;
  /** Present with Alibaba Cloud targets. */
  readonly recordCapHeadroom?: cloudwatch.Alarm;
  readonly targetDeadLetters?: cloudwatch.Alarm;
  /** Present with a verify. */
  readonly integrity?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ArchiveAlarmsProps) {
    super(scope, id);
    const hours = props.noSweepAlarmHours;
    if (!Number.isInteger(hours) || hours < 1 || hours > MAX_NO_SWEEP_HOURS) {
      throw new Error(`noSweepAlarmHours must be a whole number from 1 to ${MAX_NO_SWEEP_HOURS}, got ${hours}`);
    }
    const thresholdSeconds = props.watermarkAgeThreshold.toSeconds();
    if (thresholdSeconds <= 0) throw new Error('watermarkAgeThreshold must be positive');

    if (props.encryption) {
      this.topicKey = new kms.Key(this, 'TopicKey', {
        description: 'Session Archive: encrypts the alarm topic',
        enableKeyRotation: true,
        // The key protects notifications in flight only; nothing stored needs it once the topic is gone.
        removalPolicy: RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(7),
        // Administration by the account, no kms:* ; CloudWatch's use is added below.
        policy: new iam.PolicyDocument({ statements: [keyAdministration()] }),
      });
    }
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Session Archive alarms', enforceSSL: true, masterKey: this.topicKey });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const prefix = Stack.of(this).stackName;
    const sweepMetric: SweepMetric = (metricName, statistic, period) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: props.sweeperServiceName }, statistic, period });

    this.sweeperErrors = new cloudwatch.Alarm(this, 'SweeperErrors', {
      alarmName: `${prefix}-sweeper-errors`,
      alarmDescription:
        'A sweep failed (error or timeout) in the last hour. A killed sweep loses nothing and the next one continues, ' +
        'but repeated failures let the 30-day SSM window pass. See docs/operations.md#sweeper-errors.',
      metric: props.sweeper.metricErrors({ period: HOUR, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.noSuccessfulSweep = new cloudwatch.Alarm(this, 'NoSuccessfulSweep', {
      alarmName: `${prefix}-no-successful-sweep`,
      alarmDescription:
        `No sweep listed its whole range for ${hours} hours (failing, timing out, not scheduled, or throttled). ` +
        'See docs/operations.md#no-successful-sweep.',
      // SweepCompleted is 1 for a complete sweep, 0 for one that ran out of time, and absent when
      // the sweeper failed or did not run: the hourly maximum is 1 if any sweep completed.
      metric: sweepMetric(SWEEP_METRIC.sweepCompleted, 'Maximum', HOUR),
      threshold: 1,
      evaluationPeriods: hours,
      datapointsToAlarm: hours,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // No data means no sweep reported: that is the failure this alarm exists for.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    this.watermarkAge = new cloudwatch.Alarm(this, 'WatermarkAge', {
      alarmName: `${prefix}-watermark-age`,
      alarmDescription:
        `The sweep checkpoint is older than ${props.watermarkAgeThreshold.toHumanString()}: a session open that long, or sweeps that ` +
        'keep stopping early. SSM drops history after 30 days; act before then. See docs/operations.md#watermark-age.',
      metric: sweepMetric(SWEEP_METRIC.watermarkAgeSeconds, 'Maximum', HOUR),
      threshold: thresholdSeconds,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // A missing value means no sweep ran: the no-successful-sweep alarm covers that.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.coverageGap = new cloudwatch.Alarm(this, 'CoverageGap', {
      alarmName: `${prefix}-coverage-gap`,
      alarmDescription:
        'A sweep found a range that SSM dropped before any sweep read it: those sessions are not in the archive. ' +
        'GET /coverage lists the gaps. See docs/operations.md#coverage-gap.',
      // Each gap is reported once, by the sweep that found it; every other sweep reports 0.
      metric: sweepMetric(SWEEP_METRIC.coverageGapSeconds, 'Maximum', HOUR),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.apiServerErrors = new cloudwatch.Alarm(this, 'Api5xx', {
      alarmName: `${prefix}-api-5xx`,
      alarmDescription:
        'The query API answered 5xx in the last 5 minutes. Bad input is always a 4xx, so every 5xx is a fault. ' +
        'See docs/operations.md#api-5xx.',
      metric: props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    if (props.complianceDeadLetters) {
      [this.complianceFailures, this.sessionEventsUndelivered] = complianceAlarms(this, prefix, props.complianceDeadLetters, sweepMetric);
    }

    this.sourceClockSkew = new cloudwatch.Alarm(this, 'SourceClockSkew', {
      alarmName: `${prefix}-source-clock-skew`,
      alarmDescription:
        `A source's clock is more than ${CLOCK_SKEW_ALARM_SECONDS} s from the sweeper's (half the 5-minute visibility margin). ` +
        'See docs/operations.md#source-clock-skew.',
      metric: sweepMetric(SWEEP_METRIC.sourceClockSkewSeconds, 'Maximum', HOUR),
      threshold: CLOCK_SKEW_ALARM_SECONDS,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.fanOut) [this.staleTargets, this.targetDeadLetters] = fanOutAlarms(this, prefix, props.fanOut);
    if (props.recordCapAlarm) this.recordCapHeadroom = recordCapAlarm(this, prefix, sweepMetric);
    if (props.verify) this.integrity = integrityAlarm(this, prefix, props.verify);

    const notify = new actions.SnsAction(this.topic);
    for (const alarm of this.all()) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
    this.allowCloudWatchToPublish();
  }

  /**
   * A topic policy replaces SNS's default one, so without this statement CloudWatch may not publish
   * and every alarm fails silently ("no resource-based policy allows the SNS:Publish action"). Only
   * this construct's alarms may (aws:SourceArn), and only from this account (confused deputy).
   */
  private allowCloudWatchToPublish(): void {
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const fromTheseAlarms = {
      ArnEquals: { 'aws:SourceArn': this.all().map((alarm) => alarm.alarmArn) },
      StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
    };
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'CloudWatchAlarmsPublish', principals: [cloudWatch], actions: ['sns:Publish'], resources: [this.topic.topicArn], conditions: fromTheseAlarms }),
    );
    // SNS encrypts each message with a data key it asks KMS for on the publisher's behalf.
    this.topicKey?.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'CloudWatchAlarmsEncrypt', principals: [cloudWatch], actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'] }),
    );
  }

  all(): cloudwatch.Alarm[] {
    const optional = [this.complianceFailures, this.sessionEventsUndelivered, this.staleTargets, this.targetDeadLetters, this.recordCapHeadroom, this.integrity].filter((alarm): alarm is cloudwatch.Alarm => alarm !== undefined);
    return [this.sweeperErrors, this.noSuccessfulSweep, this.watermarkAge, this.coverageGap, this.apiServerErrors, this.sourceClockSkew, ...optional];
  }
}
