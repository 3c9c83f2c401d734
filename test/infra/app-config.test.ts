/**
 * bin/app.ts's options: cdk.json's context as it ships, `-c key=value` strings from the command
 * line, and the errors for values that would deploy something unsafe or broken.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, ContextError, readAppConfig, type ContextKey } from '../../lib/app-config';
import { cdkJsonContext, contextWithoutFeatureFlags, PROJECT_ROOT } from './stack-fixture';

const fromContext = (context: Record<string, unknown>) => readAppConfig((key: ContextKey) => context[key]);

describe('readAppConfig', () => {
  it('documents every option it reads in cdk.json, and reads no other (besides the CDK feature flags)', () => {
    expect(Object.keys(contextWithoutFeatureFlags()).sort()).toEqual([...CONTEXT_KEYS].sort());
  });

  it('has a row in docs/operations.md for every option', () => {
    const operations = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'operations.md'), 'utf8');
    expect(CONTEXT_KEYS.filter((key) => !operations.includes(`| \`${key}\` |`))).toEqual([]);
  });

  it("turns cdk.json's defaults into the construct's defaults", () => {
    const { stackName, stackProps } = fromContext(cdkJsonContext());
    expect(stackName).toBe('SessionArchive');
    expect(stackProps.encryptionKeyArn).toBeUndefined();
    expect(stackProps.archive).toMatchObject({
      retentionDays: undefined,
      alarmEmail: undefined,
      logRetention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      deletionProtection: true,
      sweeperReservedConcurrency: undefined,
      queryReservedConcurrency: undefined,
      alarmTopicEncryption: false,
      noSweepAlarmHours: 6,
      apiThrottle: { rateLimit: 50, burstLimit: 100 },
      apiGatewayCloudWatchRole: false,
      tableEncryption: 'customer-managed',
      auditors: { roleArns: [], principalTag: { key: 'session-archive-auditor', value: 'true' } },
      tableDataEvents: false,
      tokenTtl: undefined,
    });
    expect(stackProps.breakGlassRoleArn).toBeUndefined();
    expect(stackProps.archive?.schedule?.expressionString).toBe('rate(15 minutes)');
    expect(stackProps.archive?.watermarkAgeAlarmThreshold?.toDays()).toBe(7);
    expect(stackProps.archive?.sweeperTimeout?.toMinutes()).toBe(5);
  });

  it('leaves every option to the construct when the context is empty', () => {
    const { stackProps } = fromContext({});
    expect(Object.values(stackProps.archive ?? {}).filter((value) => value !== undefined)).toEqual([]);
  });

  it('parses the strings `cdk -c key=value` passes', () => {
    const { stackName, stackProps } = fromContext({
      stackName: 'Archive-Prod',
      retentionDays: '2555',
      alarmEmail: 'ops@example.com',
      logRetentionDays: '90',
      removalPolicy: 'destroy',
      deletionProtection: 'false',
      watermarkAgeAlarmDays: '3',
      apiThrottleRateLimit: '5',
      sweeperTimeoutMinutes: '10',
    });
    expect(stackName).toBe('Archive-Prod');
    expect(stackProps.archive).toMatchObject({
      retentionDays: 2555,
      alarmEmail: 'ops@example.com',
      logRetention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
      apiThrottle: { rateLimit: 5, burstLimit: 100 },
    });
    expect(stackProps.archive?.watermarkAgeAlarmThreshold?.toHours()).toBe(Duration.days(3).toHours());
    expect(stackProps.archive?.sweeperTimeout?.toMinutes()).toBe(10);
  });

  it('treats null and empty values as "not set"', () => {
    const { stackProps } = fromContext({ retentionDays: 'null', alarmEmail: '', kmsKeyArn: null });
    expect([stackProps.archive?.retentionDays, stackProps.archive?.alarmEmail, stackProps.encryptionKeyArn]).toEqual([undefined, undefined, undefined]);
  });

  it('names every bad value at once', () => {
    const attempt = () =>
      fromContext({
        schedule: 'every 15 minutes',
        retentionDays: '7',
        alarmEmail: 'ops',
        kmsKeyArn: 'alias/archive',
        logRetentionDays: '100',
        noSweepAlarmHours: '200',
        deletionProtection: 'maybe',
      });
    expect(attempt).toThrow(ContextError);
    expect(attempt).toThrow(
      /retentionDays must be .*at least 30.*; alarmEmail must be .*; kmsKeyArn must be .*; logRetentionDays must be 0 \(never expire\) or one of .*; deletionProtection must be true or false.*; noSweepAlarmHours must be a whole number of hours from 1 to 168.*; schedule must be an EventBridge expression/,
    );
  });
});

/** The message readAppConfig throws for `context`, or '' when it accepts it. */
function problemWith(context: Record<string, unknown>): string {
  try {
    fromContext(context);
    return '';
  } catch (error: unknown) {
    if (!(error instanceof ContextError)) throw error;
    return error.message;
  }
}

describe('schedule validation (EventBridge rules, and room inside SSM history)', () => {
  it.each([
    ['rate(1 minutes)', /rate of 1 takes the singular unit: rate\(1 minute\)/],
    ['rate(5 minute)', /rate above 1 takes the plural unit: rate\(5 minutes\)/],
    ['rate(0 minutes)', /needs a value of at least 1/],
    ['rate(15 seconds)', /expected rate\(<value> <unit>\) or cron/],
    ['cron(bad)', /6 fields .* got 1/],
    ['cron(0 12 * * MON-FRI *)', /exactly one of day-of-month and day-of-week must be \?/],
    ['cron(60 * * * ? *)', /minutes: "60" is not 0-59/],
    ['cron(0/15 * * 13 ? *)', /month: "13" is not 1-12 or JAN-DEC/],
    ['cron(0/15 * ? * 8 *)', /day-of-week: "8" is not 1-7 or SUN-SAT/],
    ['cron(0/15 * * * ? 2030)', /a year other than \* stops the sweeps/],
  ])('rejects %s as EventBridge would, naming the key and the allowed forms', (schedule, reason) => {
    const message = problemWith({ schedule });
    expect(message).toMatch(reason);
    expect(message).toMatch(/schedule must be an EventBridge expression, rate\(<n> minutes\|hours\|days\) with n ≥ 1 .* or cron\(<minutes> <hours>/);
    expect(message).toContain(JSON.stringify(schedule));
  });

  it.each(['rate(1 minute)', 'rate(1 hour)', 'rate(5 minutes)', 'rate(5 hours)', 'cron(0/15 * * * ? *)', 'cron(*/10 * ? * SUN-SAT *)', 'cron(5 0-23/2 * * ? *)'])(
    'accepts %s',
    (schedule) => {
      expect(problemWith({ schedule })).toBe('');
    },
  );

  it('refuses an interval longer than the window allows (rate(45 days)) with the largest interval it takes', () => {
    expect(problemWith({ schedule: 'rate(45 days)', noSweepAlarmHours: 168 })).toMatch(
      /schedule must sweep at least every 7 days, leaving time inside SSM's 30-day history .* "rate\(45 days\)" runs sweeps up to 45 days apart/,
    );
  });

  it('refuses a cron schedule whose longest gap is too long (monthly), though its runs are frequent on some days', () => {
    expect(problemWith({ schedule: 'cron(0/5 * 1 * ? *)', noSweepAlarmHours: 168 })).toMatch(/runs sweeps up to 30\.0 days apart/);
  });

  it('refuses a weekday-only schedule when the weekend gap exceeds the no-sweep window', () => {
    expect(problemWith({ schedule: 'cron(*/10 * ? * MON-FRI *)' })).toMatch(/sweeps up to 2\.0 days apart/);
  });

  it('refuses a schedule that leaves the no-successful-sweep alarm window without a sweep, naming both keys', () => {
    const message = problemWith({ schedule: 'rate(6 hours)', noSweepAlarmHours: 6 });
    expect(message).toMatch(/schedule and noSweepAlarmHours disagree: sweeps up to 6 hours apart/);
    expect(message).toMatch(/raise noSweepAlarmHours \(1-168\) above 6/);
    expect(problemWith({ schedule: 'rate(6 hours)', noSweepAlarmHours: 8 })).toBe('');
  });

  it('checks the schedule against the default no-sweep window (6 hours) when noSweepAlarmHours is not set', () => {
    expect(problemWith({ schedule: 'rate(1 day)' })).toMatch(/noSweepAlarmHours disagree/);
  });
});

describe('other values', () => {
  it('takes a log retention of 0 as "never expire", as docs/operations.md says', () => {
    expect(fromContext({ logRetentionDays: 0 }).stackProps.archive?.logRetention).toBe(RetentionDays.INFINITE);
    expect(fromContext({ logRetentionDays: '0' }).stackProps.archive?.logRetention).toBe(RetentionDays.INFINITE);
  });

  it('refuses reserved concurrency below 1, naming the key and what is allowed', () => {
    expect(problemWith({ sweeperReservedConcurrency: 0 })).toMatch(/sweeperReservedConcurrency must be a whole number of at least 1, or null for no reserved concurrency.*got 0/);
    expect(problemWith({ queryReservedConcurrency: '2.5' })).toMatch(/queryReservedConcurrency must be a whole number of at least 1/);
  });

  it('reads reserved concurrency and alarm topic encryption', () => {
    const { stackProps } = fromContext({ sweeperReservedConcurrency: '1', queryReservedConcurrency: 10, alarmTopicEncryption: 'true' });
    expect(stackProps.archive).toMatchObject({ sweeperReservedConcurrency: 1, queryReservedConcurrency: 10, alarmTopicEncryption: true });
  });

  it('names the key and the allowed values in every error', () => {
    const bad: Record<string, unknown> = {
      stackName: '9lives',
      retentionDays: 0,
      alarmEmail: 'x',
      alarmTopicEncryption: 'yes',
      kmsKeyArn: 'k',
      logRetentionDays: 2,
      removalPolicy: 'keep',
      deletionProtection: 1,
      watermarkAgeAlarmDays: 31,
      noSweepAlarmHours: 0,
      apiThrottleRateLimit: -1,
      apiThrottleBurstLimit: 0.5,
      apiGatewayCloudWatchRole: 'no',
      sweeperTimeoutMinutes: 16,
      overlapMinutes: 0,
      reconcileEveryHours: 720,
      sweeperReservedConcurrency: -1,
      queryReservedConcurrency: 0,
      eventBusName: 'bad name',
      tableEncryption: 'none',
      auditorRoleArns: ['bob'],
      breakGlassRoleArn: 'arn:aws:iam::111122223333:user/bob',
      tableDataEvents: 'sometimes',
      tokenTtlSeconds: 10,
    };
    const problems = problemWith(bad).replace(/^invalid CDK context: /, '').split('; ');
    for (const key of Object.keys(bad)) {
      const problem = problems.find((text) => text.startsWith(`${key} must be `));
      expect(problem, key).toBeDefined();
      // "<key> must be <the allowed values>, got <the value>"
      expect(problem, key).toMatch(new RegExp(`^${key} must be .{8,}, got `));
      expect(problem, key).toContain(`, got ${JSON.stringify(bad[key])}`);
    }
  });
});
