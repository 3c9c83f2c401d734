/**
 * `session-archive api`: serves the query API over an existing archive table, through the same
 * handler the Lambda runs, until Ctrl-C / SIGTERM.
 */
import { parseArgs } from 'node:util';
import type { LocalApiServer } from '../../local/api-server';
import { ApiStartError, startApiService, type ApiServiceOptions } from '../../local/api-service';
import { nonLoopbackWarning } from '../../local/host-check';
import { untilStopSignal } from './cli-support';

// The service lives in local/ (the local stack starts it too); the command only parses and reports.
export { ApiStartError, startApiService };

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

export interface ApiCommandOptions extends ApiServiceOptions {
  help: boolean;
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
  await untilStopSignal();
  await service.close();
  process.stdout.write('Query API stopped\n');
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
