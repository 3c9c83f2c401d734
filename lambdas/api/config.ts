/**
 * The query Lambda's configuration, read and checked once at cold start: a missing or malformed
 * variable fails the deployment's first invocation, not an auditor's request at 3 a.m. Every
 * problem is reported at once.
 *
 *   TABLE_NAME               required: the archive table.
 *   AWS_REGION               set by Lambda; defaults to us-east-1 when DYNAMODB_ENDPOINT is set.
 *   DYNAMODB_ENDPOINT        optional: a local DynamoDB-compatible endpoint (dynalite).
 *   TOKEN_SECRET_ARN         the Secrets Manager secret whose value (at least 32 characters) signs
 *                            pagination tokens. Read at cold start: AWSCURRENT signs, AWSCURRENT
 *                            and AWSPREVIOUS verify, so a rotation does not break pages in flight.
 *   SECRETS_MANAGER_ENDPOINT optional: a local Secrets Manager endpoint (tests).
 *   TOKEN_SECRET             instead of TOKEN_SECRET_ARN, for local use: the secret itself (at least
 *   TOKEN_SECRET_PREVIOUS    32 characters), and optionally the one before it. Never in a deployment:
 *                            anyone allowed lambda:GetFunctionConfiguration could read it there.
 *                            With neither TOKEN_SECRET_ARN nor TOKEN_SECRET the function refuses to
 *                            start: a secret derived from anything public would let callers forge tokens.
 *   TOKEN_TTL_SECONDS        optional: how long a token is accepted (default 86400, 60 to 604800).
 *   POWERTOOLS_SERVICE_NAME  the `service` of logs and metrics (default session-archive-query).
 */
import { EnvReader } from '../core/shared/env';
import { DEFAULT_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS, MIN_TOKEN_TTL_SECONDS } from '../core/query/page-token';

export const MIN_TOKEN_SECRET_LENGTH = 32;
export const DEFAULT_SERVICE_NAME = 'session-archive-query';
/** Shared with the sweeper's metrics. */
export const METRICS_NAMESPACE = 'SessionArchive';
const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;
const SECRET_ARN_PATTERN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;

/** Where the token secrets come from. */
export type TokenSecretSetting =
  | { kind: 'secrets-manager'; secretArn: string; endpoint?: string }
  | { kind: 'environment'; current: string; previous?: string };

export interface ApiConfig {
  tableName: string;
  region: string;
  dynamodbEndpoint?: string;
  tokenSecrets: TokenSecretSetting;
  tokenTtlSeconds: number;
  serviceName: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function readApiConfig(env: Readonly<Record<string, string | undefined>>): ApiConfig {
  const read = new EnvReader(env);
  const tableName = read.required('TABLE_NAME', 'the name of the archive table');
  if (tableName !== undefined && !TABLE_NAME_PATTERN.test(tableName)) read.problem(`TABLE_NAME ${JSON.stringify(tableName)} is not a valid DynamoDB table name`);

  const dynamodbEndpoint = read.httpUrl('DYNAMODB_ENDPOINT', notHttpUrl);
  const region = read.optional('AWS_REGION') ?? read.optional('AWS_DEFAULT_REGION') ?? (dynamodbEndpoint === undefined ? undefined : 'us-east-1');
  if (region === undefined) read.problem('AWS_REGION is required (Lambda sets it; set it, or DYNAMODB_ENDPOINT, when running elsewhere)');

  const tokenSecrets = readTokenSecretSetting(read);
  const tokenTtlSeconds = readTtl(read.optional('TOKEN_TTL_SECONDS'), read.problems);

  read.throwIfProblems((problems) => new ConfigError(`invalid query API configuration: ${problems}`));
  if (tableName === undefined || region === undefined || tokenSecrets === undefined) throw new ConfigError('invalid query API configuration');
  return {
    tableName,
    region,
    tokenSecrets,
    tokenTtlSeconds,
    serviceName: read.optional('POWERTOOLS_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME,
    ...(dynamodbEndpoint === undefined ? {} : { dynamodbEndpoint }),
  };
}

const notHttpUrl = (key: string, value: string) => `${key} ${JSON.stringify(value)} is not an http(s) URL`;

function readTokenSecretSetting(read: EnvReader): TokenSecretSetting | undefined {
  const secretArn = read.optional('TOKEN_SECRET_ARN');
  const secretsManagerEndpoint = read.httpUrl('SECRETS_MANAGER_ENDPOINT', notHttpUrl);
  const current = read.optional('TOKEN_SECRET');
  const previous = read.optional('TOKEN_SECRET_PREVIOUS');
  if (secretArn !== undefined) {
    if (current !== undefined || previous !== undefined) read.problem('set TOKEN_SECRET_ARN or TOKEN_SECRET (local use), not both');
    if (!SECRET_ARN_PATTERN.test(secretArn)) read.problem(`TOKEN_SECRET_ARN ${JSON.stringify(secretArn)} is not a Secrets Manager secret ARN`);
    return { kind: 'secrets-manager', secretArn, ...(secretsManagerEndpoint === undefined ? {} : { endpoint: secretsManagerEndpoint }) };
  }
  if (current === undefined) {
    read.problem(
      'TOKEN_SECRET_ARN is required: the Secrets Manager secret that signs pagination tokens (for local use, set TOKEN_SECRET to a random string of at least 32 characters instead)',
    );
    if (previous !== undefined) read.problem('TOKEN_SECRET_PREVIOUS is set without TOKEN_SECRET');
    return undefined;
  }
  for (const [name, value] of [['TOKEN_SECRET', current], ['TOKEN_SECRET_PREVIOUS', previous]] as const) {
    if (value !== undefined && value.length < MIN_TOKEN_SECRET_LENGTH) read.problem(`${name} must be at least ${MIN_TOKEN_SECRET_LENGTH} characters`);
  }
  return { kind: 'environment', current, ...(previous === undefined ? {} : { previous }) };
}

function readTtl(text: string | undefined, problems: string[]): number {
  if (text === undefined) return DEFAULT_TOKEN_TTL_SECONDS;
  const seconds = Number(text);
  if (!/^\d{1,7}$/.test(text) || seconds < MIN_TOKEN_TTL_SECONDS || seconds > MAX_TOKEN_TTL_SECONDS) {
    problems.push(`TOKEN_TTL_SECONDS must be a whole number of seconds from ${MIN_TOKEN_TTL_SECONDS} to ${MAX_TOKEN_TTL_SECONDS}, got ${JSON.stringify(text)}`);
    return DEFAULT_TOKEN_TTL_SECONDS;
  }
  return seconds;
}
