/**
 * `session-archive api`: serves the query API over an existing archive table, through the same
 * handler the Lambda runs, until Ctrl-C / SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDocumentClient } from '../../lambdas/adapters/clients';
import { DynamoSessionReader } from '../../lambdas/adapters/dynamodb-session-reader';
import { createApiHandler } from '../../lambdas/api/app';
import { DynamoFindingsReader } from '../../lambdas/adapters/dynamodb-findings-reader';
import { ConfigError, METRICS_NAMESPACE, readApiConfig, type ApiConfig } from '../../lambdas/api/config';
import { startLocalApiServer, type LocalApiServer } from '../../local/api-server';
import { nonLoopbackWarning } from '../../local/host-check';

export const API_USAGE = `Usage: session-archive api --table <name> [options]

Serves the auditor query API (GET /sessions, /sessions/{id}, /findings, /coverage, /openapi.json) over an
existing archive table until Ctrl-C / SIGTERM. No authorization is checked: it binds to loopback and
answers only requests addressed to a loopback host name (127.0.0.1, localhost, [::1]).

Options:
  --table <name>              the archive table (required)
  --dynamodb-endpoint <url>   a local DynamoDB-compatible endpoint, e.g. http://127.0.0.1:8000
                              (default: the AWS endpoint of --region, with your AWS credentials)
  --port <p>                  port to listen on (default 0: any free port; the URL is printed)
  --host <h>                  address to bind (default 127.0.0.1); any other address warns that the
                              API is then open, without authentication, to whoever can reach it
  --region <r>                AWS Region (default: $AWS_REGION, else us-east-1)
  --help                      show this help

Pagination tokens are signed with $TOKEN_SECRET (at least 32 characters; $TOKEN_SECRET_PREVIOUS
is accepted too, for a rotation) when it is set, else with a random key made at start: tokens then
do not outlive the process. They expire after $TOKEN_TTL_SECONDS (default 86400).

Example:
  session-archive api --port 4700 --dynamodb-endpoint http://127.0.0.1:8000 --table session-archive
  curl 'http://127.0.0.1:4700/sessions?from=2026-01-01&limit=10'
`;

export interface ApiCommandOptions {
  help: boolean;
  table: string;
  dynamodbEndpoint?: string;
  port: number;
  host: string;
  region: string;
}

/** A mistake in the command line: reported on stderr with exit code 2. */
export class ApiUsageError extends Error {
  override readonly name = 'ApiUsageError';
}

export async function runApiCommand(argv: string[]): Promise<void> {
  let options: ApiCommandOptions;
  try {
    options = parseApiArgs(argv);
  } catch (error: unknown) {
    if (!(error instanceof ApiUsageError)) throw error;
    process.stderr.write(`session-archive api: ${error.message}\nRun 'session-archive api --help' for usage.\n`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    process.stdout.write(API_USAGE);
    return;
  }
  const warning = nonLoopbackWarning(options.host);
  if (warning !== undefined) process.stderr.write(`${warning}\n`);
  let service: LocalApiServer;
  try {
    service = await startApiService(options);
  } catch (error: unknown) {
    if (!(error instanceof ApiStartError)) throw error;
    process.stderr.write(`session-archive api: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`Query API listening on ${service.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await service.close();
  process.stdout.write('Query API stopped\n');
}

/** The table is missing or the configuration is unusable: exit code 1. */
export class ApiStartError extends Error {
  override readonly name = 'ApiStartError';
}

/** Starts the server after checking the configuration and that the table exists. */
export async function startApiService(options: Omit<ApiCommandOptions, 'help'>): Promise<LocalApiServer> {
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

export function parseApiArgs(argv: readonly string[]): ApiCommandOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        table: { type: 'string' },
        'dynamodb-endpoint': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        region: { type: 'string' },
      },
    }));
  } catch (error: unknown) {
    // parseArgs explains unknown options and missing values well; keep its words.
    throw new ApiUsageError(error instanceof Error ? error.message : String(error));
  }
  const help = values.help === true;
  const table = stringValue(values.table);
  if (!help && table === undefined) throw new ApiUsageError('--table is required');
  const options: ApiCommandOptions = {
    help,
    table: table ?? '',
    port: portValue(stringValue(values.port)),
    host: stringValue(values.host) ?? '127.0.0.1',
    region: stringValue(values.region) ?? nonEmpty(process.env.AWS_REGION) ?? 'us-east-1',
  };
  const endpoint = stringValue(values['dynamodb-endpoint']);
  if (endpoint !== undefined) {
    if (!/^https?:\/\/[^\s]+$/.test(endpoint)) throw new ApiUsageError(`--dynamodb-endpoint must be an http(s) URL, got '${endpoint}'`);
    options.dynamodbEndpoint = endpoint;
  }
  return options;
}

function stringValue(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function portValue(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!/^[0-9]{1,5}$/.test(text) || port > 65535) throw new ApiUsageError(`--port must be an integer from 0 to 65535, got '${text}'`);
  return port;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
