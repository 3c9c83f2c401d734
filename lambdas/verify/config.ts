/**
 * The verify function's configuration, read and checked once at cold start, every problem named
 * at once.
 *
 *   TABLE_NAME               required: the archive table.
 *   EVIDENCE_BUCKET          required: the evidence bucket.
 *   EVIDENCE_PREFIX          the folder of the evidence in it (default `evidence`).
 *   EVENT_BUS_NAME           required: where `Archive Integrity Violation` goes.
 *   AWS_REGION               set by Lambda.
 *   DYNAMODB_ENDPOINT, S3_ENDPOINT, EVENTS_ENDPOINT  optional local endpoints (tests).
 *   POWERTOOLS_SERVICE_NAME  the `service` of logs and metrics (default session-archive-verify).
 */
import { EnvReader, type Env } from '../core/shared/env';

export const DEFAULT_SERVICE_NAME = 'session-archive-verify';
const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const EVENT_BUS_PATTERN = /^(arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/)?[A-Za-z0-9._\-/]{1,256}$/;

export interface VerifyConfig {
  tableName: string;
  bucket: string;
  prefix: string;
  eventBusName: string;
  region: string;
  serviceName: string;
  dynamodbEndpoint?: string;
  s3Endpoint?: string;
  eventsEndpoint?: string;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export function readVerifyConfig(env: Env): VerifyConfig {
  const read = new EnvReader(env);
  const tableName = read.requiredMatching('TABLE_NAME', TABLE_NAME_PATTERN, 'a DynamoDB table name') ?? '';
  const bucket = read.requiredMatching('EVIDENCE_BUCKET', BUCKET_PATTERN, 'an S3 bucket name') ?? '';
  const prefix = read.optional('EVIDENCE_PREFIX') ?? 'evidence';
  if (!PREFIX_PATTERN.test(prefix)) read.problem(`EVIDENCE_PREFIX ${JSON.stringify(prefix)} is not a folder name (1-63 of A-Z a-z 0-9 . _ -)`);
  const eventBusName = read.requiredMatching('EVENT_BUS_NAME', EVENT_BUS_PATTERN, 'an EventBridge bus name or ARN') ?? '';
  const region = read.requiredMatching('AWS_REGION', /^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS Region') ?? '';
  const dynamodbEndpoint = read.httpUrl('DYNAMODB_ENDPOINT');
  const s3Endpoint = read.httpUrl('S3_ENDPOINT');
  const eventsEndpoint = read.httpUrl('EVENTS_ENDPOINT');
  read.throwIfProblems((problems) => new ConfigurationError(`invalid verify function configuration: ${problems}`));
  return {
    tableName,
    bucket,
    prefix,
    eventBusName,
    region,
    serviceName: read.optional('POWERTOOLS_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME,
    ...(dynamodbEndpoint === undefined ? {} : { dynamodbEndpoint }),
    ...(s3Endpoint === undefined ? {} : { s3Endpoint }),
    ...(eventsEndpoint === undefined ? {} : { eventsEndpoint }),
  };
}
