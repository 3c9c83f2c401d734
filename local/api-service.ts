/**
 * The query API over an existing archive table, served on this machine: the configuration checked
 * as the Lambda checks it, the table checked to exist, then the handler the Lambda runs behind a
 * small HTTP server. Started by `session-archive api` and by the local stack.
 */
import { randomBytes } from 'node:crypto';
import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDocumentClient } from '../lambdas/adapters/aws/clients';
import { DynamoFindingsReader } from '../lambdas/adapters/dynamodb/dynamodb-findings-reader';
import { DynamoSessionReader } from '../lambdas/adapters/dynamodb/dynamodb-session-reader';
import { createApiHandler } from '../lambdas/api/app';
import { ConfigError, METRICS_NAMESPACE, readApiConfig, type ApiConfig } from '../lambdas/api/config';
import { startLocalApiServer, type LocalApiServer } from './api-server';

export interface ApiServiceOptions {
  table: string;
  dynamodbEndpoint?: string;
  port: number;
  host: string;
  region: string;
}

/** The table is missing or the configuration is unusable: exit code 1. */
export class ApiStartError extends Error {
  override readonly name = 'ApiStartError';
}

/** Starts the server after checking the configuration and that the table exists. */
export async function startApiService(options: ApiServiceOptions): Promise<LocalApiServer> {
  let config: ApiConfig;
  try {
    config = readApiConfig({
      TABLE_NAME: options.table,
      DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
      AWS_REGION: options.region,
      // Only the local forms: a process on a laptop has no business reading the deployed key.
      TOKEN_SECRET: nonEmpty(process.env.TOKEN_SECRET) ?? randomBytes(32).toString('base64url'),
      TOKEN_SECRET_PREVIOUS: process.env.TOKEN_SECRET_PREVIOUS,
      TOKEN_TTL_SECONDS: process.env.TOKEN_TTL_SECONDS,
    });
  } catch (error: unknown) {
    if (error instanceof ConfigError) throw new ApiStartError(error.message.replaceAll('TABLE_NAME', '--table').replaceAll('DYNAMODB_ENDPOINT', '--dynamodb-endpoint'));
    throw error;
  }
  const client = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint, maxAttempts: 3 });
  try {
    await client.send(new DescribeTableCommand({ TableName: config.tableName }));
  } catch (error: unknown) {
    client.destroy();
    const where = config.dynamodbEndpoint ?? `DynamoDB in ${config.region}`;
    if (error instanceof ResourceNotFoundException) throw new ApiStartError(`table ${config.tableName} does not exist at ${where}`);
    throw new ApiStartError(`cannot reach ${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // EMF metrics on stdout mean nothing outside Lambda; keep the terminal for warnings and errors.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const secrets = config.tokenSecrets;
  if (secrets.kind !== 'environment') throw new ApiStartError('the local API takes its token secret from TOKEN_SECRET');
  const handler = createApiHandler({
    reader: new DynamoSessionReader({ client, tableName: config.tableName }),
    findings: new DynamoFindingsReader({ client, tableName: config.tableName }),
    tokenSecret: secrets.current,
    ...(secrets.previous === undefined ? {} : { previousTokenSecret: secrets.previous }),
    tokenTtlSeconds: config.tokenTtlSeconds,
    logger: new Logger({ serviceName: config.serviceName, logLevel: process.env.POWERTOOLS_LOG_LEVEL === undefined ? 'WARN' : undefined }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName }),
  });
  const server = await startLocalApiServer({ handler, port: options.port, host: options.host });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      client.destroy();
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
