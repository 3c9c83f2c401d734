/**
 * The sweeper's configuration, read from the environment once, when the module loads (a cold
 * start), so a missing or malformed variable fails the deployment's first invocation loudly
 * instead of a sweep at 3 a.m. Every problem is reported at once.
 */

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
}

export const DEFAULT_HISTORY_RETENTION_DAYS = 30;
export const DEFAULT_SERVICE_NAME = 'session-archive-sweeper';
export const DEFAULT_OVERLAP_MINUTES = 60;
export const DEFAULT_RECONCILE_EVERY_HOURS = 24;

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

type Env = Readonly<Record<string, string | undefined>>;

const TABLE_NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;
const ACCOUNT_ID_PATTERN = /^\d{12}$/;
const EVENT_BUS_PATTERN = /^(arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/)?[A-Za-z0-9._\-/]{1,256}$/;

/** Reads and validates the sweeper's variables; throws one ConfigurationError naming every problem. */
export function readSweeperConfig(env: Env): SweeperConfig {
  const problems: string[] = [];
  const optional = (key: string): string | undefined => {
    const value = env[key]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const required = (key: string): string => {
    const value = optional(key);
    if (value === undefined) problems.push(`${key} is required`);
    return value ?? '';
  };
  const positiveInteger = (key: string, unit = 'days'): number | undefined => {
    const value = optional(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < 1) {
      problems.push(`${key} must be a positive whole number of ${unit}, got "${value}"`);
      return undefined;
    }
    return Number(value);
  };
  const endpoint = (key: string): string | undefined => {
    const value = optional(key);
    if (value === undefined) return undefined;
    if (!isHttpUrl(value)) problems.push(`${key} must be an http(s) URL, got "${value}"`);
    return value;
  };

  const tableName = required('TABLE_NAME');
  if (tableName !== '' && !TABLE_NAME_PATTERN.test(tableName)) problems.push(`TABLE_NAME "${tableName}" is not a valid DynamoDB table name`);
  const accountId = optional('ACCOUNT_ID');
  if (accountId !== undefined && !ACCOUNT_ID_PATTERN.test(accountId)) problems.push(`ACCOUNT_ID must be 12 digits, got "${accountId}"`);
  const region = required('AWS_REGION');
  const ssmEndpoint = endpoint('SSM_ENDPOINT');
  const dynamodbEndpoint = endpoint('DYNAMODB_ENDPOINT');
  const stsEndpoint = endpoint('STS_ENDPOINT');
  const historyRetentionDays = positiveInteger('HISTORY_RETENTION_DAYS') ?? DEFAULT_HISTORY_RETENTION_DAYS;
  const retentionDays = positiveInteger('RETENTION_DAYS');
  if (retentionDays !== undefined && retentionDays < historyRetentionDays) {
    problems.push(`RETENTION_DAYS (${retentionDays}) must be at least HISTORY_RETENTION_DAYS (${historyRetentionDays}): the archive must outlive the source's own history`);
  }
  const overlapMinutes = positiveInteger('OVERLAP_MINUTES', 'minutes') ?? DEFAULT_OVERLAP_MINUTES;
  const reconcileEveryHours = positiveInteger('RECONCILE_EVERY_HOURS', 'hours') ?? DEFAULT_RECONCILE_EVERY_HOURS;
  if (reconcileEveryHours >= historyRetentionDays * 24) {
    problems.push(`RECONCILE_EVERY_HOURS (${reconcileEveryHours}) must be shorter than the source's window (${historyRetentionDays * 24} hours)`);
  }
  const serviceName = optional('POWERTOOLS_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME;
  const eventBusName = optional('EVENT_BUS_NAME');
  if (eventBusName !== undefined && !EVENT_BUS_PATTERN.test(eventBusName)) problems.push(`EVENT_BUS_NAME "${eventBusName}" is not an EventBridge bus name or ARN`);
  const eventsEndpoint = endpoint('EVENTS_ENDPOINT');

  if (problems.length > 0) throw new ConfigurationError(`invalid sweeper configuration: ${problems.join('; ')}`);
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
    ...(retentionDays === undefined ? {} : { retentionDays }),
    ...(eventBusName === undefined ? {} : { eventBusName }),
    ...(eventsEndpoint === undefined ? {} : { eventsEndpoint }),
  };
}

/** `arn:aws:lambda:eu-west-1:123456789012:function:name` → `123456789012`. */
export function accountIdFromFunctionArn(arn: string): string {
  const accountId = arn.split(':')[4];
  if (accountId === undefined || !ACCOUNT_ID_PATTERN.test(accountId)) {
    throw new ConfigurationError(`cannot read the account id from the function ARN "${arn}"; set ACCOUNT_ID`);
  }
  return accountId;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
