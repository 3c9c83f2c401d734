/**
 * The query Lambda's configuration, read and checked once at cold start: a missing or malformed
 * variable fails the deployment's first invocation, not an auditor's request at 3 a.m. Every
 * problem is reported at once.
 *
 *   TABLE_NAME               required: the archive table.
 *   AWS_REGION               set by Lambda; defaults to us-east-1 when DYNAMODB_ENDPOINT is set.
 *   DYNAMODB_ENDPOINT        optional: a local DynamoDB-compatible endpoint (dynalite).
 *   TOKEN_SECRET             signs pagination tokens, at least 32 characters. When unset, a secret
 *                            is derived from the table name: tokens still cannot be reused across
 *                            queries, but anyone who knows the table name could forge a position
 *                            within a query they may run anyway. Deployments should set it.
 *   POWERTOOLS_SERVICE_NAME  the `service` of logs and metrics (default session-archive-query).
 */
export const MIN_TOKEN_SECRET_LENGTH = 32;
export const DEFAULT_SERVICE_NAME = 'session-archive-query';
/** Shared with the sweeper's metrics. */
export const METRICS_NAMESPACE = 'SessionArchive';
const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;

export interface ApiConfig {
  tableName: string;
  region: string;
  dynamodbEndpoint?: string;
  tokenSecret: string;
  /** Whether TOKEN_SECRET was set; the handler warns at cold start when it was not. */
  tokenSecretSource: 'environment' | 'derived-from-table-name';
  serviceName: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function readApiConfig(env: Readonly<Record<string, string | undefined>>): ApiConfig {
  const problems: string[] = [];
  const optional = (key: string): string | undefined => {
    const value = env[key]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const tableName = optional('TABLE_NAME');
  if (tableName === undefined) problems.push('TABLE_NAME is required: the name of the archive table');
  else if (!TABLE_NAME_PATTERN.test(tableName)) problems.push(`TABLE_NAME ${JSON.stringify(tableName)} is not a valid DynamoDB table name`);

  const dynamodbEndpoint = optional('DYNAMODB_ENDPOINT');
  if (dynamodbEndpoint !== undefined && !isHttpUrl(dynamodbEndpoint)) {
    problems.push(`DYNAMODB_ENDPOINT ${JSON.stringify(dynamodbEndpoint)} is not an http(s) URL`);
  }
  const region = optional('AWS_REGION') ?? optional('AWS_DEFAULT_REGION') ?? (dynamodbEndpoint === undefined ? undefined : 'us-east-1');
  if (region === undefined) problems.push('AWS_REGION is required (Lambda sets it; set it, or DYNAMODB_ENDPOINT, when running elsewhere)');

  const secret = optional('TOKEN_SECRET');
  if (secret !== undefined && secret.length < MIN_TOKEN_SECRET_LENGTH) problems.push(`TOKEN_SECRET must be at least ${MIN_TOKEN_SECRET_LENGTH} characters`);

  if (problems.length > 0 || tableName === undefined || region === undefined) {
    throw new ConfigError(`invalid query API configuration: ${problems.join('; ')}`);
  }
  return {
    tableName,
    region,
    tokenSecret: secret ?? derivedTokenSecret(tableName),
    tokenSecretSource: secret === undefined ? 'derived-from-table-name' : 'environment',
    serviceName: optional('POWERTOOLS_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME,
    ...(dynamodbEndpoint === undefined ? {} : { dynamodbEndpoint }),
  };
}

/** The fallback secret: stable across cold starts so tokens survive them, but not a secret. */
export function derivedTokenSecret(tableName: string): string {
  return `session-archive:derived-token-secret:${tableName}`;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
