/**
 * Reads the deployment options from CDK context (cdk.json, or `-c key=value` on the command line,
 * where every value arrives as a string) and turns them into stack props. Every problem is
 * reported at once, before anything is synthesized.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ComplianceConfigError, parseComplianceRules, type ComplianceRules } from '../lambdas/core/compliance/rules';
import type { AuditorPrincipals } from './api-access';
import { EVIDENCE_RETENTION_DAYS } from './evidence';
import { sweepScheduleProblem } from './schedule-expression';
import type { SessionArchiveStackProps } from './session-archive-stack';
import { readTargetsContext } from './targets-context';

/** The context keys bin/app.ts understands; docs/operations.md documents each one. */
export const CONTEXT_KEYS = [
  'stackName',
  'schedule',
  'retentionDays',
  'alarmEmail',
  'kmsKeyArn',
  'logRetentionDays',
  'removalPolicy',
  'deletionProtection',
  'watermarkAgeAlarmDays',
  'noSweepAlarmHours',
  'apiThrottleRateLimit',
  'apiThrottleBurstLimit',
  'apiGatewayCloudWatchRole',
  'sweeperTimeoutMinutes',
  'overlapMinutes',
  'reconcileEveryHours',
  'eventBusName',
  'compliance',
  'sweeperReservedConcurrency',
  'queryReservedConcurrency',
  'alarmTopicEncryption',
  'tableEncryption',
  'auditorRoleArns',
  'auditorPrincipalTag',
  'breakGlassRoleArn',
  'tableDataEvents',
  'tokenTtlSeconds',
  'organization',
  'targets',
  'alibaba',
  'fanOutConcurrency',
  'memberRoleStackSet',
  'evidenceRetentionDays',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

export interface AppConfig {
  readonly stackName: string;
  readonly stackProps: SessionArchiveStackProps;
}

export class ContextError extends Error {
  override readonly name = 'ContextError';
}

const LOG_RETENTION_DAYS: ReadonlySet<number> = new Set(
  Object.values(RetentionDays).filter((value): value is number => typeof value === 'number'),
);
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const KMS_KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;
const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const EVENT_BUS_NAME_PATTERN = /^[A-Za-z0-9._-]{1,256}$/;
const IAM_ARN_PATTERN = /^arn:aws[a-z-]*:iam::(\d{12}|\*):(role|user)\/[\w+=,.@\-/*]+$/;
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\-/]+$/;
const PRINCIPAL_TAG_PATTERN = /^([\w.:/=+\-@]{1,128})=(.{1,256})$/;

/** `get` returns the raw context value (from `app.node.tryGetContext`). */
export function readAppConfig(get: (key: ContextKey) => unknown): AppConfig {
  const problems: string[] = [];
  const raw = (key: ContextKey): unknown => {
    const value = get(key);
    // cdk.json uses null for "not set"; on the command line an empty value means the same.
    return value === null || value === '' || value === 'null' ? undefined : value;
  };
  const text = (key: ContextKey, pattern: RegExp, what: string): string | undefined => {
    const value = raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !pattern.test(value.trim())) {
      problems.push(`${key} must be ${what}, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value.trim();
  };
  const number = (key: ContextKey, check: (n: number) => boolean, what: string): number | undefined => {
    const value = raw(key);
    if (value === undefined) return undefined;
    const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (!Number.isFinite(parsed) || !check(parsed)) {
      problems.push(`${key} must be ${what}, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return parsed;
  };
  const flag = (key: ContextKey): boolean | undefined => {
    const value = raw(key);
    if (value === undefined) return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    problems.push(`${key} must be true or false, got ${JSON.stringify(value)}`);
    return undefined;
  };
  const wholeAtLeast = (min: number) => (n: number) => Number.isInteger(n) && n >= min;

  const stackName = text('stackName', STACK_NAME_PATTERN, 'a CloudFormation stack name: 1-128 letters, digits and -, starting with a letter') ?? 'SessionArchive';
  const scheduleText = text('schedule', /^\S.*$/, 'an EventBridge expression such as "rate(15 minutes)" or "cron(0/15 * * * ? *)"');
  const retentionDays = number('retentionDays', wholeAtLeast(30), 'a whole number of days, at least 30 (or null to keep forever)');
  const alarmEmail = text('alarmEmail', EMAIL_PATTERN, 'an e-mail address (or null)');
  const kmsKeyArn = text('kmsKeyArn', KMS_KEY_ARN_PATTERN, 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null');
  const logRetentionDays = number('logRetentionDays', (n) => n === 0 || LOG_RETENTION_DAYS.has(n), `0 (never expire) or one of CloudWatch's retention periods in days (${[...LOG_RETENTION_DAYS].filter((d) => d !== RetentionDays.INFINITE).join(', ')})`);
  const removalPolicyText = text('removalPolicy', /^(retain|destroy)$/i, '"retain" or "destroy"');
  const deletionProtection = flag('deletionProtection');
  const watermarkAgeAlarmDays = number('watermarkAgeAlarmDays', (n) => n > 0 && n < 30, 'a number of days above 0 and below 30');
  const noSweepAlarmHours = number('noSweepAlarmHours', (n) => Number.isInteger(n) && n >= 1 && n <= 168, 'a whole number of hours from 1 to 168');
  const rateLimit = number('apiThrottleRateLimit', (n) => n > 0, 'a positive number of requests per second');
  const burstLimit = number('apiThrottleBurstLimit', wholeAtLeast(1), 'a whole number of requests, at least 1');
  const apiGatewayCloudWatchRole = flag('apiGatewayCloudWatchRole');
  const sweeperTimeoutMinutes = number('sweeperTimeoutMinutes', (n) => Number.isInteger(n) && n >= 1 && n <= 15, 'a whole number of minutes from 1 to 15');
  const overlapMinutes = number('overlapMinutes', (n) => Number.isInteger(n) && n >= 1 && n <= 1440, 'a whole number of minutes from 1 to 1440');
  const reconcileEveryHours = number('reconcileEveryHours', (n) => Number.isInteger(n) && n >= 1 && n <= 168, 'a whole number of hours from 1 to 168 (7 days: well inside the 30 days SSM keeps)');
  const eventBusName = text('eventBusName', EVENT_BUS_NAME_PATTERN, 'an EventBridge bus name (A-Z a-z 0-9 . _ -), or "default" for the default bus');
  const complianceRules = compliance(raw('compliance'), problems);
  const concurrency = (key: ContextKey) => number(key, wholeAtLeast(1), 'a whole number of at least 1, or null for no reserved concurrency (docs/operations.md: the account quota it needs)');
  const sweeperReservedConcurrency = concurrency('sweeperReservedConcurrency');
  const queryReservedConcurrency = concurrency('queryReservedConcurrency');
  const alarmTopicEncryption = flag('alarmTopicEncryption');
  const tableEncryption = text('tableEncryption', /^(customer-managed|aws-managed)$/, '"customer-managed" (a key of the stack, or kmsKeyArn) or "aws-managed" (aws/dynamodb)') as
    | 'customer-managed'
    | 'aws-managed'
    | undefined;
  if (tableEncryption === 'aws-managed' && kmsKeyArn !== undefined) problems.push('tableEncryption must be "customer-managed" when kmsKeyArn is set, got "aws-managed"');
  const auditors = readAuditors(get, raw, problems);
  const breakGlassRoleArn = text('breakGlassRoleArn', ROLE_ARN_PATTERN, 'an IAM role ARN (arn:aws:iam::<account>:role/<name>) or null');
  const tableDataEvents = flag('tableDataEvents');
  const tokenTtlSeconds = number('tokenTtlSeconds', (n) => Number.isInteger(n) && n >= 60 && n <= 604_800, 'a whole number of seconds from 60 to 604800 (7 days), or null for the default of one day');
  const evidenceRetentionDays = number(
    'evidenceRetentionDays',
    (n) => Number.isInteger(n) && n >= EVIDENCE_RETENTION_DAYS.min && n <= EVIDENCE_RETENTION_DAYS.max,
    `a whole number of days from ${EVIDENCE_RETENTION_DAYS.min} to ${EVIDENCE_RETENTION_DAYS.max} (the Object Lock retention of each evidence object; it can never be shortened once an object is written)`,
  );
  const fanOut = readTargetsContext(raw, problems);
  // Checked last: it needs noSweepAlarmHours, and reads the schedule the way EventBridge does.
  const scheduleProblem = scheduleText === undefined ? undefined : sweepScheduleProblem(scheduleText, noSweepAlarmHours ?? 6);
  if (scheduleProblem) problems.push(scheduleProblem);

  if (problems.length > 0) throw new ContextError(`invalid CDK context: ${problems.join('; ')}`);
  return {
    stackName,
    stackProps: {
      description: 'Session Archive: keeps SSM Session Manager history beyond 30 days',
      encryptionKeyArn: kmsKeyArn,
      breakGlassRoleArn,
      archive: {
        schedule: scheduleText === undefined ? undefined : events.Schedule.expression(scheduleText),
        retentionDays,
        alarmEmail,
        // CloudWatch has no "0": never expiring is its own value.
        logRetention: logRetentionDays === 0 ? RetentionDays.INFINITE : (logRetentionDays as RetentionDays | undefined),
        removalPolicy:
          removalPolicyText === undefined ? undefined : removalPolicyText.toLowerCase() === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        deletionProtection,
        watermarkAgeAlarmThreshold: watermarkAgeAlarmDays === undefined ? undefined : Duration.hours(watermarkAgeAlarmDays * 24),
        noSweepAlarmHours,
        apiThrottle:
          rateLimit === undefined && burstLimit === undefined ? undefined : { rateLimit: rateLimit ?? 50, burstLimit: burstLimit ?? 100 },
        apiGatewayCloudWatchRole,
        sweeperTimeout: sweeperTimeoutMinutes === undefined ? undefined : Duration.minutes(sweeperTimeoutMinutes),
        historyOverlap: overlapMinutes === undefined ? undefined : Duration.minutes(overlapMinutes),
        reconcileEvery: reconcileEveryHours === undefined ? undefined : Duration.hours(reconcileEveryHours),
        eventBusName,
        complianceRules,
        sweeperReservedConcurrency,
        queryReservedConcurrency,
        alarmTopicEncryption,
        tableEncryption,
        auditors,
        tableDataEvents,
        tokenTtl: tokenTtlSeconds === undefined ? undefined : Duration.seconds(tokenTtlSeconds),
        evidenceRetentionDays,
        ...fanOut,
      },
    },
  };
}

/**
 * `auditorRoleArns` (a list in cdk.json, comma-separated on the command line) and
 * `auditorPrincipalTag` (`key=value`): who may call the API. Absent from the context altogether,
 * the construct's default (the tag `session-archive-auditor=true`) applies; present but both
 * empty, the API would refuse everyone, which is an error.
 */
function readAuditors(get: (key: ContextKey) => unknown, raw: (key: ContextKey) => unknown, problems: string[]): AuditorPrincipals | undefined {
  if (get('auditorRoleArns') === undefined && get('auditorPrincipalTag') === undefined) return undefined;
  const arnsValue = raw('auditorRoleArns');
  const arns = typeof arnsValue === 'string' ? arnsValue.split(',').map((arn) => arn.trim()).filter((arn) => arn !== '') : arnsValue ?? [];
  const allowed = 'a list of IAM role or user ARNs (arn:aws:iam::<account>:role/<name>, * matches any characters), comma-separated on the command line';
  if (!Array.isArray(arns) || arns.some((arn) => typeof arn !== 'string' || !IAM_ARN_PATTERN.test(arn))) {
    problems.push(`auditorRoleArns must be ${allowed}, got ${JSON.stringify(arnsValue)}`);
    return undefined;
  }
  const tagValue = raw('auditorPrincipalTag');
  const tag = typeof tagValue === 'string' ? PRINCIPAL_TAG_PATTERN.exec(tagValue.trim()) : null;
  if (tagValue !== undefined && !tag) {
    problems.push(`auditorPrincipalTag must be <key>=<value> (a key of 1-128 letters, digits and _.:/=+-@), or null, got ${JSON.stringify(tagValue)}`);
    return undefined;
  }
  if (arns.length === 0 && !tag) {
    problems.push('auditorRoleArns and auditorPrincipalTag must not both be empty: the API would refuse every caller, got [] and null');
    return undefined;
  }
  return { roleArns: arns as string[], ...(tag ? { principalTag: { key: tag[1] as string, value: tag[2] as string } } : {}) };
}

/**
 * The `compliance` context: an object in cdk.json, JSON text with `-c compliance='{…}'`. Checked by
 * the same code as at the compliance function's cold start, so a bad rule fails the synth.
 */
function compliance(value: unknown, problems: string[]): ComplianceRules | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      problems.push(`compliance must be an object (JSON text on the command line), got ${JSON.stringify(value)}`);
      return undefined;
    }
  }
  try {
    return parseComplianceRules(parsed, 'compliance').config;
  } catch (error: unknown) {
    if (!(error instanceof ComplianceConfigError)) throw error;
    problems.push(error.message);
    return undefined;
  }
}
