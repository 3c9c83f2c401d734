/**
 * The sweeper's configuration, read from the environment once, when the module loads (a cold
 * start), so a missing or malformed variable fails the deployment's first invocation loudly
 * instead of a sweep at 3 a.m. Every problem is reported at once.
 */

import { EnvReader, type Env } from '../core/shared/env';

export interface SweeperConfig {
  /** The archive table (TABLE_NAME, required). */
  readonly tableName: string;
  /** The account the sessions belong to (ACCOUNT_ID); parsed from the function ARN when absent. */
  readonly accountId?: string;
  /** The region swept (AWS_REGION, set by Lambda). */
  readonly region: string;
  /** Endpoint overrides for local runs and the artifact test (SSM_ENDPOINT, DYNAMODB_ENDPOINT). */
  readonly ssmEndpoint?: string;
  readonly dynamodbEndpoint?: string;
  /** A local STS endpoint for member roles (STS_ENDPOINT); the regional STS endpoint when absent. */
  readonly stsEndpoint?: string;
  /** A local Alibaba ECS emulator (ALIBABA_ENDPOINT); Alibaba's endpoint rule per region when absent. */
  readonly alibabaEndpoint?: string;
  /** A local Secrets Manager (SECRETS_MANAGER_ENDPOINT), where Alibaba AccessKey pairs are kept. */
  readonly secretsManagerEndpoint?: string;
  /** How long SSM keeps ended sessions (HISTORY_RETENTION_DAYS, default 30). */
  readonly historyRetentionDays: number;
  /** When set, archived items expire this many days after the session ended (RETENTION_DAYS, table TTL). */
  readonly retentionDays?: number;
  /** How far below the last complete listing each History listing starts (OVERLAP_MINUTES, default 60). */
  readonly overlapMinutes: number;
  /** How often a reconciliation lists everything SSM holds (RECONCILE_EVERY_HOURS, default 24). */
  readonly reconcileEveryHours: number;
  /** Powertools service name: the `service` dimension of every metric (POWERTOOLS_SERVICE_NAME). */
  readonly serviceName: string;
  /** The EventBridge bus the sweep publishes to (EVENT_BUS_NAME); no events when absent. */
  readonly eventBusName?: string;
  /** A local EventBridge-compatible endpoint (EVENTS_ENDPOINT), for the artifact test. */
  readonly eventsEndpoint?: string;
  /**
   * Where evidence goes and which KMS key signs it (EVIDENCE_BUCKET, EVIDENCE_PREFIX, EVIDENCE_KEY_ID:
   * all three or none); S3_ENDPOINT and KMS_ENDPOINT override the endpoints for tests.
   */
  readonly evidence?: { bucket: string; prefix: string; keyId: string; s3Endpoint?: string; kmsEndpoint?: string };
}

export const DEFAULT_HISTORY_RETENTION_DAYS = 30;
export const DEFAULT_SERVICE_NAME = 'session-archive-sweeper';
export const DEFAULT_OVERLAP_MINUTES = 60;
export const DEFAULT_RECONCILE_EVERY_HOURS = 24;

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

const TABLE_NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;
const ACCOUNT_ID_PATTERN = /^\d{12}$/;
const EVENT_BUS_PATTERN = /^(arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/)?[A-Za-z0-9._\-/]{1,256}$/;

/** Reads and validates the sweeper's variables; throws one ConfigurationError naming every problem. */
export function readSweeperConfig(env: Env): SweeperConfig {
  const read = new EnvReader(env);
  const tableName = read.required('TABLE_NAME') ?? '';
  if (tableName !== '' && !TABLE_NAME_PATTERN.test(tableName)) read.problem(`TABLE_NAME "${tableName}" is not a valid DynamoDB table name`);
  const accountId = read.optional('ACCOUNT_ID');
  if (accountId !== undefined && !ACCOUNT_ID_PATTERN.test(accountId)) read.problem(`ACCOUNT_ID must be 12 digits, got "${accountId}"`);
  const region = read.required('AWS_REGION') ?? '';
  const ssmEndpoint = read.httpUrl('SSM_ENDPOINT');
  const dynamodbEndpoint = read.httpUrl('DYNAMODB_ENDPOINT');
  const stsEndpoint = read.httpUrl('STS_ENDPOINT');
  const alibabaEndpoint = read.httpUrl('ALIBABA_ENDPOINT');
  const secretsManagerEndpoint = read.httpUrl('SECRETS_MANAGER_ENDPOINT');
  const historyRetentionDays = read.positiveInteger('HISTORY_RETENTION_DAYS', 'days') ?? DEFAULT_HISTORY_RETENTION_DAYS;
  const retentionDays = read.positiveInteger('RETENTION_DAYS', 'days');
  if (retentionDays !== undefined && retentionDays < historyRetentionDays) {
    read.problem(`RETENTION_DAYS (${retentionDays}) must be at least HISTORY_RETENTION_DAYS (${historyRetentionDays}): the archive must outlive the source's own history`);
  }
  const overlapMinutes = read.positiveInteger('OVERLAP_MINUTES', 'minutes') ?? DEFAULT_OVERLAP_MINUTES;
  const reconcileEveryHours = read.positiveInteger('RECONCILE_EVERY_HOURS', 'hours') ?? DEFAULT_RECONCILE_EVERY_HOURS;
  if (reconcileEveryHours >= historyRetentionDays * 24) {
    read.problem(`RECONCILE_EVERY_HOURS (${reconcileEveryHours}) must be shorter than the source's window (${historyRetentionDays * 24} hours)`);
  }
  const serviceName = read.optional('POWERTOOLS_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME;
  const eventBusName = read.optional('EVENT_BUS_NAME');
  if (eventBusName !== undefined && !EVENT_BUS_PATTERN.test(eventBusName)) read.problem(`EVENT_BUS_NAME "${eventBusName}" is not an EventBridge bus name or ARN`);
  const eventsEndpoint = read.httpUrl('EVENTS_ENDPOINT');
  const evidence = readEvidence(read);

  read.throwIfProblems((all) => new ConfigurationError(`invalid sweeper configuration: ${all}`));
  return {
    tableName,
    region,
    historyRetentionDays,
    overlapMinutes,
    reconcileEveryHours,
    serviceName,
    ...(accountId === undefined ? {} : { accountId }),
    ...(ssmEndpoint === undefined ? {} : { ssmEndpoint }),
    ...(dynamodbEndpoint === undefined ? {} : { dynamodbEndpoint }),
    ...(stsEndpoint === undefined ? {} : { stsEndpoint }),
    ...(alibabaEndpoint === undefined ? {} : { alibabaEndpoint }),
    ...(secretsManagerEndpoint === undefined ? {} : { secretsManagerEndpoint }),
    ...(retentionDays === undefined ? {} : { retentionDays }),
    ...(eventBusName === undefined ? {} : { eventBusName }),
    ...(eventsEndpoint === undefined ? {} : { eventsEndpoint }),
    ...(evidence === undefined ? {} : { evidence }),
  };
}

const EVIDENCE_VARIABLES = ['EVIDENCE_BUCKET', 'EVIDENCE_PREFIX', 'EVIDENCE_KEY_ID'] as const;

function readEvidence(read: EnvReader): SweeperConfig['evidence'] {
  const [bucket, prefix, keyId] = EVIDENCE_VARIABLES.map((key) => read.optional(key));
  const given = EVIDENCE_VARIABLES.filter((_, i) => [bucket, prefix, keyId][i] !== undefined);
  if (given.length === 0) return undefined;
  if (bucket === undefined || prefix === undefined || keyId === undefined) {
    read.problem(`${EVIDENCE_VARIABLES.join(', ')} go together: only ${given.join(', ')} is set`);
    return undefined;
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) read.problem(`EVIDENCE_BUCKET ${JSON.stringify(bucket)} is not an S3 bucket name`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(prefix)) read.problem(`EVIDENCE_PREFIX ${JSON.stringify(prefix)} is not a folder name (1-63 of A-Z a-z 0-9 . _ -)`);
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(keyId)) read.problem(`EVIDENCE_KEY_ID ${JSON.stringify(keyId)} is not a KMS key id`);
  const s3Endpoint = read.httpUrl('S3_ENDPOINT');
  const kmsEndpoint = read.httpUrl('KMS_ENDPOINT');
  return { bucket, prefix, keyId, ...(s3Endpoint === undefined ? {} : { s3Endpoint }), ...(kmsEndpoint === undefined ? {} : { kmsEndpoint }) };
}

/** `arn:aws:lambda:eu-west-1:123456789012:function:name` → `123456789012`. */
/** The ARN partition the function runs in (`aws`, `aws-cn`, `aws-us-gov`), so member role ARNs match it. */
export function partitionFromFunctionArn(arn: string): string {
  const partition = arn.split(':')[1];
  if (partition === undefined || !/^aws(?:-[a-z]+)*$/.test(partition)) {
    throw new ConfigurationError(`cannot read the partition from the function ARN "${arn}"`);
  }
  return partition;
}

export function accountIdFromFunctionArn(arn: string): string {
  const accountId = arn.split(':')[4];
  if (accountId === undefined || !ACCOUNT_ID_PATTERN.test(accountId)) {
    throw new ConfigurationError(`cannot read the account id from the function ARN "${arn}"; set ACCOUNT_ID`);
  }
  return accountId;
}
