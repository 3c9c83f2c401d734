/**
 * bin/app.ts's options: cdk.json's context as it ships, `-c key=value` strings from the command
 * line, and the errors for values that would deploy something unsafe or broken.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, ContextError, readAppConfig, type ContextKey } from '../../lib/app-config';
import { cdkJsonContext } from './stack-fixture';

const fromContext = (context: Record<string, unknown>) => readAppConfig((key: ContextKey) => context[key]);

describe('readAppConfig', () => {
  it('documents every option it reads in cdk.json, and reads no other', () => {
    expect(Object.keys(cdkJsonContext()).sort()).toEqual([...CONTEXT_KEYS].sort());
  });

  it("turns cdk.json's defaults into the construct's defaults", () => {
    const { stackName, stackProps } = fromContext(cdkJsonContext());
    expect(stackName).toBe('SessionArchive');
    expect(stackProps.encryptionKeyArn).toBeUndefined();
    expect(stackProps.archive).toMatchObject({
      retentionDays: undefined,
      alarmEmail: undefined,
      logRetention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      noSweepAlarmHours: 6,
      apiThrottle: { rateLimit: 50, burstLimit: 100 },
      apiGatewayCloudWatchRole: true,
    });
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
      /schedule must be .*; retentionDays must be .*at least 30.*; alarmEmail must be .*; kmsKeyArn must be .*; logRetentionDays must be one of .*; deletionProtection must be true or false.*; noSweepAlarmHours must be a whole number of hours from 1 to 168/,
    );
  });
});
