/**
 * The sweeper's side of the deployment contract: the environment CDK sets is read and checked
 * once, at cold start, and a sweep summary becomes the metrics the alarms watch.
 */
import { describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../lambdas/core/sweep/sweep';
import { accountIdFromFunctionArn, ConfigurationError, partitionFromFunctionArn, readSweeperConfig } from '../../lambdas/sweeper/config';
import { planTargets } from '../../lambdas/core/targets/target-planner';
import { recordSweepMetrics, SWEEP_METRIC, type SweepMetricUnit } from '../../lambdas/sweeper/metrics';

const LAMBDA_ENV = { TABLE_NAME: 'SessionArchive-Table-1A2B3C', AWS_REGION: 'eu-west-1' };

describe('readSweeperConfig', () => {
  it('reads what Lambda and the stack set, with the documented defaults', () => {
    expect(readSweeperConfig(LAMBDA_ENV)).toEqual({
      tableName: 'SessionArchive-Table-1A2B3C',
      region: 'eu-west-1',
      historyRetentionDays: 30,
      overlapMinutes: 60,
      reconcileEveryHours: 24,
      serviceName: 'session-archive-sweeper',
    });
  });

  it('reads every optional variable', () => {
    const config = readSweeperConfig({
      ...LAMBDA_ENV,
      ACCOUNT_ID: '111122223333',
      SSM_ENDPOINT: 'http://127.0.0.1:4583',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      HISTORY_RETENTION_DAYS: '30',
      RETENTION_DAYS: '400',
      ALIBABA_ENDPOINT: 'http://127.0.0.1:4700',
      SECRETS_MANAGER_ENDPOINT: 'http://127.0.0.1:4710',
      POWERTOOLS_SERVICE_NAME: 'SessionArchive-sweeper',
    });
    expect(config).toMatchObject({
      accountId: '111122223333',
      ssmEndpoint: 'http://127.0.0.1:4583',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      retentionDays: 400,
      serviceName: 'SessionArchive-sweeper',
      alibabaEndpoint: 'http://127.0.0.1:4700',
      secretsManagerEndpoint: 'http://127.0.0.1:4710',
    });
  });

  it('fails without TABLE_NAME, saying which variable is missing', () => {
    expect(() => readSweeperConfig({ AWS_REGION: 'eu-west-1' })).toThrow(/TABLE_NAME is required/);
  });

  it('names every problem at once', () => {
    const attempt = () =>
      readSweeperConfig({ TABLE_NAME: 'x', ACCOUNT_ID: '42', SSM_ENDPOINT: 'localhost:4583', RETENTION_DAYS: 'forever' });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(
      /TABLE_NAME "x" is not a valid DynamoDB table name; ACCOUNT_ID must be 12 digits, got "42"; AWS_REGION is required; SSM_ENDPOINT must be an http\(s\) URL, got "localhost:4583"; RETENTION_DAYS must be a positive whole number of days, got "forever"/,
    );
  });

  it('reads the event bus and a local EventBridge endpoint, and refuses malformed ones', () => {
    expect(readSweeperConfig({ ...LAMBDA_ENV, EVENT_BUS_NAME: 'session-archive', EVENTS_ENDPOINT: 'http://127.0.0.1:4010' })).toMatchObject({
      eventBusName: 'session-archive',
      eventsEndpoint: 'http://127.0.0.1:4010',
    });
    expect(() => readSweeperConfig({ ...LAMBDA_ENV, EVENT_BUS_NAME: 'two words', EVENTS_ENDPOINT: 'events' })).toThrow(
      /EVENT_BUS_NAME "two words" is not an EventBridge bus name or ARN; EVENTS_ENDPOINT must be an http\(s\) URL/,
    );
  });

  it('refuses a retention shorter than the source keeps history', () => {
    expect(() => readSweeperConfig({ ...LAMBDA_ENV, RETENTION_DAYS: '7' })).toThrow(/RETENTION_DAYS \(7\) must be at least HISTORY_RETENTION_DAYS \(30\)/);
    expect(() => readSweeperConfig({ ...LAMBDA_ENV, OVERLAP_MINUTES: '0' })).toThrow(/OVERLAP_MINUTES must be a positive whole number of minutes, got "0"/);
    expect(() => readSweeperConfig({ ...LAMBDA_ENV, RECONCILE_EVERY_HOURS: '720' })).toThrow(/RECONCILE_EVERY_HOURS \(720\) must be shorter than the source's window \(720 hours\)/);
    expect(readSweeperConfig({ ...LAMBDA_ENV, OVERLAP_MINUTES: '90', RECONCILE_EVERY_HOURS: '6' })).toMatchObject({ overlapMinutes: 90, reconcileEveryHours: 6 });
  });
});

describe('accountIdFromFunctionArn', () => {
  it('reads the account from the invoked function ARN', () => {
    expect(accountIdFromFunctionArn('arn:aws:lambda:eu-west-1:111122223333:function:SessionArchive-Sweeper')).toBe('111122223333');
  });

  it('fails clearly on something that is not a function ARN', () => {
    expect(() => accountIdFromFunctionArn('local')).toThrow(/cannot read the account id from the function ARN "local"; set ACCOUNT_ID/);
  });
});

describe('partitionFromFunctionArn', () => {
  it('reads the partition, so a hub in China or GovCloud assumes member roles of its own partition', async () => {
    const arn = 'arn:aws-cn:lambda:cn-north-1:111122223333:function:SessionArchive-Planner';
    expect(partitionFromFunctionArn(arn)).toBe('aws-cn');
    expect(partitionFromFunctionArn('arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:P')).toBe('aws-us-gov');
    const plan = await planTargets({ mode: 'targets', targets: [{ accountId: '444455556666', memberRoleName: 'SessionArchiveMember' }] }, { accountId: '111122223333', region: 'cn-north-1', partition: partitionFromFunctionArn(arn) });
    expect(plan.targets.map((target) => target.access)).toEqual([{ kind: 'assume-role', roleArn: 'arn:aws-cn:iam::444455556666:role/SessionArchiveMember' }]);
  });

  it('fails clearly on something that is not an ARN', () => {
    expect(() => partitionFromFunctionArn('local')).toThrow(/cannot read the partition from the function ARN "local"/);
  });
});

describe('recordSweepMetrics', () => {
  const summary: SweepSummary = {
    source: 'ssm',
    accountId: '111122223333',
    region: 'eu-west-1',
    startedAt: '2026-11-22T10:00:00.000Z',
    finishedAt: '2026-11-22T10:00:04.500Z',
    durationMs: 4500,
    complete: true,
    sourceCalls: 5,
    pagesFetched: { active: 1, history: 3, reconciliation: 0 },
    lookups: 1,
    sessionsSeen: 420,
    written: 17,
    unchanged: 403,
    openSessions: 2,
    previousWatermark: '2026-11-22T09:40:00.000Z',
    watermark: '2026-11-22T08:00:04.500Z',
    gaps: [],
    unresolvedOpen: 0,
    endedUnobserved: 0,
    sourceClockOffsetMs: 0,
    reconciliation: 'not-due',
    checkpointConflicts: 0,
  };

  function record(input: SweepSummary): Record<string, [SweepMetricUnit, number]> {
    const metrics: Record<string, [SweepMetricUnit, number]> = {};
    recordSweepMetrics({ addMetric: (name, unit, value) => (metrics[name] = [unit, value]) }, input);
    return metrics;
  }

  it('emits every metric of a healthy sweep, with a zero coverage gap', () => {
    expect(record(summary)).toEqual({
      [SWEEP_METRIC.sessionsArchived]: ['Count', 17],
      [SWEEP_METRIC.pagesFetched]: ['Count', 5],
      [SWEEP_METRIC.sourceClockSkewSeconds]: ['Seconds', 0],
      [SWEEP_METRIC.sweepDurationMs]: ['Milliseconds', 4500],
      [SWEEP_METRIC.sweepCompleted]: ['Count', 1],
      [SWEEP_METRIC.coverageGapSeconds]: ['Seconds', 0],
      [SWEEP_METRIC.watermarkAgeSeconds]: ['Seconds', 2 * 3600],
    });
  });

  it("reports SSM's clock skew in whole seconds, whichever way it runs", () => {
    expect(record({ ...summary, sourceClockOffsetMs: -400_400 })[SWEEP_METRIC.sourceClockSkewSeconds]).toEqual(['Seconds', 400]);
    expect(record({ ...summary, sourceClockOffsetMs: 90_600 })[SWEEP_METRIC.sourceClockSkewSeconds]).toEqual(['Seconds', 91]);
  });

  it('sums the length of the gaps this sweep found', () => {
    const gaps = [
      { from: '2026-10-01T00:00:00.000Z', to: '2026-10-01T01:00:00.000Z' },
      { from: '2026-10-02T00:00:00.000Z', to: '2026-10-02T00:00:30.000Z' },
    ];
    expect(record({ ...summary, gaps })[SWEEP_METRIC.coverageGapSeconds]).toEqual(['Seconds', 3630]);
  });

  it('reports an incomplete sweep as SweepCompleted 0', () => {
    expect(record({ ...summary, complete: false, stoppedEarly: 'time-budget' })[SWEEP_METRIC.sweepCompleted]).toEqual(['Count', 0]);
  });

  it('reports Session Archived events it could not deliver, when it publishes events', () => {
    expect(record({ ...summary, sessionEvents: { published: 10, undelivered: 7 } })[SWEEP_METRIC.sessionEventsUndelivered]).toEqual(['Count', 7]);
    expect(record(summary)[SWEEP_METRIC.sessionEventsUndelivered]).toBeUndefined();
  });

  it('reports the record-cap headroom of a capped source (Alibaba Cloud), and none for SSM', () => {
    expect(record({ ...summary, source: 'alibaba', accountId: 'prod-cn', region: 'cn-hangzhou', recordCapHeadroom: 0.85 })[SWEEP_METRIC.recordCapHeadroom]).toEqual(['None', 0.85]);
    expect(record(summary)[SWEEP_METRIC.recordCapHeadroom]).toBeUndefined();
  });

  it('emits no watermark age before the first checkpoint exists', () => {
    expect(record({ ...summary, watermark: null })[SWEEP_METRIC.watermarkAgeSeconds]).toBeUndefined();
  });
});
