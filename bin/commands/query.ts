/**
 * `session-archive query` and `session-archive export`: auditors' access to the archive through
 * the query API, local (`npm start`) or deployed (API Gateway, SigV4-signed with the default AWS
 * credential chain). Both follow `nextToken` page by page and stream what they get, so an export
 * of years of sessions holds one page in memory at a time. Pages are fetched as JSON and rendered
 * here with the API's own CSV rules, so every format counts sessions exactly.
 */
import { once } from 'node:events';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { csvCells, SESSION_CSV_COLUMNS } from '../../lambdas/core/query/formats';
import { csvRow } from '../../lambdas/core/query/csv';
import type { SessionRecord } from '../../lambdas/core/session/session';
import { CliFailureError, CliUsageError, positiveInteger, runCli } from './cli-support';
import { createOutputFile } from './output-file';
import { escapeTerminalLine, forStream } from './terminal-text';
import { ApiClient, ApiUnreachableError, ExpiredCredentialsError, isAwsHost, MissingCredentialsError, regionOfAwsHost, type ApiResponse } from './signed-fetch';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';
/** The API's largest page. */
export const MAX_PAGE_SIZE = 1000;
const DEFAULT_QUERY_LIMIT = 100;

export const OUTPUT_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const SHARED_OPTIONS_HELP = `API and credentials:
  --api <url>             the query API (default $SESSION_ARCHIVE_API, else ${DEFAULT_API_URL}); for a
                          deployed API the stage URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/v1
  --sign / --no-sign      sign requests with SigV4 or not (default: sign for *.amazonaws.com hosts only;
                          --sign for an API behind a custom domain)
  --region <r>            region to sign for when the host does not tell it (default $AWS_REGION)
  --profile <name>        AWS profile for the credentials (default: the default credential chain)

Filters (all optional; sessions match every one given):
  --from <time>           started at or after (ISO-8601: 2026-01-01 or 2026-01-01T09:00:00Z)
  --to <time>             started before
  --target <id>           exact target, e.g. i-0123456789abcdef0
  --owner <arn>           exact owner ARN
  --status <s>            Connected | Connecting | Disconnected | Terminated | Terminating | Failed
  --document <name>       exact Session Manager document, e.g. AWS-StartPortForwardingSession
  --access-type <t>       Standard | JustInTime
  --reason <text>         substring of the reason (case-sensitive)
  --account-id <id>       sessions of this AWS account (12 digits)
  --target-region <r>     sessions in this region, e.g. eu-west-1 (--region is the signing region)
  --source <s>            ssm | alibaba
  --order <desc|asc>      newest first (default) or oldest first

Output:
  --format <f>            table | json | jsonl | csv
  --out <file>            write to this new file instead of stdout: created with mode 0600, written
                          whole or not at all; an existing file or link there is refused (exit 2)
  --limit <n>             stop after this many sessions
  --page-size <n>         sessions per API request, 1-${MAX_PAGE_SIZE}
  --next-token <token>    continue an earlier query (same filters) from its nextToken
  --progress-interval <s> seconds between progress lines on stderr (default 1; 0: after every page)
  --help                  show this help

Exit codes: 0 success, 2 bad input (flags, or a query the API rejects), 1 any other failure
(API unreachable, credentials missing or expired, access denied).`;

export const QUERY_USAGE = `Usage: session-archive query [options]

Prints archived sessions that match the filters: newest first, ${DEFAULT_QUERY_LIMIT} by default, as a table
unless --format says otherwise. Follows the API's pages up to --limit; when more sessions may match
it says how to continue.

${SHARED_OPTIONS_HELP}

Defaults: --format table, --limit ${DEFAULT_QUERY_LIMIT}, --page-size min(limit, ${MAX_PAGE_SIZE}).

Examples:
  session-archive query --from 2026-01-01 --status Failed
  session-archive query --target i-0123456789abcdef0 --format json --limit 500
  session-archive query --api https://abc123.execute-api.eu-west-1.amazonaws.com/v1 --owner arn:aws:iam::123456789012:user/alice
`;

export const EXPORT_USAGE = `Usage: session-archive export [options]

Exports every archived session that matches the filters, following the API's pages to the end
and streaming them to --out or stdout; progress (sessions and rate) goes to stderr.

${SHARED_OPTIONS_HELP}

Defaults: --format csv (or the --out file's extension: .csv .jsonl .json), no --limit,
--page-size ${MAX_PAGE_SIZE}.

Examples:
  session-archive export --from 2025-01-01 --to 2026-01-01 --out sessions-2025.csv
  session-archive export --format jsonl --status Failed > failed.jsonl
  AWS_PROFILE=audit session-archive export --api https://abc123.execute-api.eu-west-1.amazonaws.com/v1 --out all.csv
`;

/** Flag → API parameter. The flag names are the same in every command. */
const FILTER_PARAMETERS = {
  from: 'from',
  to: 'to',
  target: 'target',
  owner: 'owner',
  status: 'status',
  document: 'document',
  'access-type': 'accessType',
  reason: 'reason',
  'account-id': 'accountId',
  'target-region': 'region',
  source: 'source',
  order: 'order',
} as const;
type FilterFlag = keyof typeof FILTER_PARAMETERS;

export interface QueryCommandOptions {
  apiUrl: URL;
  sign: boolean | 'auto';
  region?: string;
  profile?: string;
  /** API parameter name → value, filters and order only. */
  filters: Array<[string, string]>;
  format: OutputFormat;
  out?: string;
  limit?: number;
  pageSize: number;
  nextToken?: string;
  progressIntervalMs: number;
}

// The SDK's notice that future releases need Node 22 is not the auditor's concern; Node 20 is supported here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export async function runQueryCommand(argv: string[]): Promise<void> {
  await runCli('query', QUERY_USAGE, async () => {
    const options = parseQueryArgs('query', argv);
    if (options === 'help') return QUERY_USAGE;
    await runQuery('query', options);
  });
}

export async function runExportCommand(argv: string[]): Promise<void> {
  await runCli('export', EXPORT_USAGE, async () => {
    const options = parseQueryArgs('export', argv);
    if (options === 'help') return EXPORT_USAGE;
    await runQuery('export', options);
  });
}

export function parseQueryArgs(command: 'query' | 'export', argv: readonly string[]): QueryCommandOptions | 'help' {
  const filterOptions = Object.fromEntries(Object.keys(FILTER_PARAMETERS).map((flag) => [flag, { type: 'string' as const }])) as Record<FilterFlag, { type: 'string' }>;
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...filterOptions,
      api: { type: 'string' },
      sign: { type: 'boolean' },
      'no-sign': { type: 'boolean' },
      region: { type: 'string' },
      profile: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      limit: { type: 'string' },
      'page-size': { type: 'string' },
      'next-token': { type: 'string' },
      'progress-interval': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';

  const apiText = values.api ?? nonEmptyEnv('SESSION_ARCHIVE_API') ?? DEFAULT_API_URL;
  const apiUrl = parseApiUrl(apiText);
  if (values.sign && values['no-sign']) throw new CliUsageError('give --sign or --no-sign, not both');

  const filters: Array<[string, string]> = [];
  for (const flag of Object.keys(FILTER_PARAMETERS) as FilterFlag[]) {
    const value = values[flag];
    if (value === undefined) continue;
    if (value === '') throw new CliUsageError(`--${flag} must not be empty`);
    filters.push([FILTER_PARAMETERS[flag], value]);
  }
  if (values.order !== undefined && values.order !== 'desc' && values.order !== 'asc') throw new CliUsageError(`--order must be desc or asc, got '${values.order}'`);

  const out = values.out === undefined || values.out === '-' ? undefined : values.out;
  const format = parseFormat(command, values.format, out);
  const limit = values.limit === undefined ? (command === 'query' ? DEFAULT_QUERY_LIMIT : undefined) : positiveInteger('--limit', values.limit);
  const pageSize = values['page-size'] === undefined ? Math.min(limit ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE) : positiveInteger('--page-size', values['page-size']);
  if (pageSize > MAX_PAGE_SIZE) throw new CliUsageError(`--page-size must be at most ${MAX_PAGE_SIZE}, got '${values['page-size']}'`);
  if (values.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(values.region)) throw new CliUsageError(`--region must be an AWS region such as us-east-1, got '${values.region}'`);
  if (values['next-token'] === '') throw new CliUsageError('--next-token must not be empty');
  const sign = values.sign ? true : values['no-sign'] ? false : 'auto';
  const region = values.region ?? nonEmptyEnv('AWS_REGION') ?? nonEmptyEnv('AWS_DEFAULT_REGION');
  const signs = sign === 'auto' ? isAwsHost(apiUrl.hostname) : sign;
  if (signs && regionOfAwsHost(apiUrl.hostname) === undefined && region === undefined) {
    throw new CliUsageError(`cannot tell which AWS region ${apiUrl.host} is in, to sign for it; pass --region`);
  }

  const progressIntervalMs = values['progress-interval'] === undefined ? 1000 : seconds('--progress-interval', values['progress-interval']) * 1000;

  const options: QueryCommandOptions = { apiUrl, sign, filters, format, pageSize, progressIntervalMs };
  if (out !== undefined) options.out = out;
  if (limit !== undefined) options.limit = limit;
  if (region !== undefined) options.region = region;
  if (values.profile !== undefined) options.profile = values.profile;
  if (values['next-token'] !== undefined) options.nextToken = values['next-token'];
  return options;
}

function parseApiUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliUsageError(`--api must be an http(s) URL, got '${text}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliUsageError(`--api must be an http(s) URL, got '${text}'`);
  if (url.search !== '' || url.hash !== '') throw new CliUsageError(`--api must be the API's base URL without a query, got '${text}'`);
  if (url.username !== '' || url.password !== '') throw new CliUsageError('--api must not carry a user name or password');
  return url;
}

function parseFormat(command: 'query' | 'export', raw: string | undefined, out: string | undefined): OutputFormat {
  if (raw !== undefined) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(raw)) throw new CliUsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got '${raw}'`);
    return raw as OutputFormat;
  }
  const fromExtension = out === undefined ? undefined : extname(out).slice(1).toLowerCase();
  if (fromExtension === 'csv' || fromExtension === 'jsonl' || fromExtension === 'json') return fromExtension;
  return command === 'query' ? 'table' : 'csv';
}

function seconds(flag: string, raw: string): number {
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new CliUsageError(`${flag} must be a number of seconds (0 or more), got '${raw}'`);
  return Number(raw);
}

function nonEmptyEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

// ---------------------------------------------------------------------------------------------
// Fetching pages

export interface SessionPage {
  sessions: SessionRecord[];
  nextToken?: string;
}

/** Throttling and gateway hiccups: the same request is tried again after a pause (the token makes it resumable). */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED']);
export const MAX_ATTEMPTS = 5;

/**
 * Pages of sessions from `GET /sessions`, following nextToken until the API has no more or
 * `limit` sessions were returned. Pages may be short or empty and still carry a token.
 */
export async function* fetchSessionPages(
  client: ApiClient,
  options: Pick<QueryCommandOptions, 'filters' | 'limit' | 'pageSize' | 'nextToken'>,
  onRetry: (reason: string, attempt: number) => void = () => undefined,
): AsyncGenerator<SessionPage> {
  let nextToken = options.nextToken;
  let remaining = options.limit ?? Number.POSITIVE_INFINITY;
  do {
    const parameters: Array<[string, string]> = [...options.filters, ['format', 'json'], ['limit', String(Math.min(options.pageSize, remaining))]];
    if (nextToken !== undefined) parameters.push(['nextToken', nextToken]);
    const response = await getWithRetries(client, '/sessions', parameters, onRetry);
    const page = parseSessionPage(client.baseUrl, response);
    remaining -= page.sessions.length;
    nextToken = page.nextToken;
    yield page;
  } while (nextToken !== undefined && remaining > 0);
}

/** One GET, tried again after throttling (503 from a throttled archive, 429) or a dropped connection. */
export async function getWithRetries(
  client: ApiClient,
  path: string,
  parameters: ReadonlyArray<readonly [string, string]>,
  onRetry: (reason: string, attempt: number) => void,
): Promise<ApiResponse> {
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    try {
      const response = await client.get(path, parameters);
      if (response.status < 400) return response;
      if (!RETRYABLE_STATUSES.has(response.status) || attempt >= MAX_ATTEMPTS) throw apiError(client, response, path);
      reason = `HTTP ${response.status}`;
    } catch (error: unknown) {
      if (!(error instanceof ApiUnreachableError) || !RETRYABLE_CODES.has(error.code ?? '') || attempt >= MAX_ATTEMPTS) throw error;
      reason = error.code ?? 'connection lost';
    }
    onRetry(reason, attempt);
    await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
  }
}

/** Turns an HTTP error into a one-line message and the right exit code (2 for a rejected query). */
export function apiError(client: ApiClient, response: ApiResponse, path = '/sessions'): Error {
  const message = errorMessageOf(response.body);
  const where = `the API at ${client.baseUrl.href}`;
  if (response.status === 400) return new CliUsageError(`${where} rejected the query: ${withFlagNames(message ?? 'bad request')}`);
  if (response.status === 403) {
    const text = message ?? 'forbidden';
    if (/signature expired/i.test(text)) return new CliFailureError(`${where} refused the request (HTTP 403): ${text}. Check this machine's clock: signatures are valid for 5 minutes`);
    if (/expired/i.test(text)) return new CliFailureError(`${where} refused the request (HTTP 403): ${text}. The AWS credentials have expired: refresh them (e.g. aws sso login) and retry`);
    if (/missing authentication token/i.test(text)) {
      const hint = client.signs ? 'check the URL: API Gateway also says this for a path it does not serve (include the stage, e.g. /v1)' : 'the API requires SigV4-signed requests: pass --sign';
      return new CliFailureError(`${where} refused the request (HTTP 403): ${text}; ${hint}`);
    }
    if (/not authorized|explicit deny/i.test(text)) return new CliFailureError(`${where} refused the request (HTTP 403): ${text}. The identity needs execute-api:Invoke on this API`);
    return new CliFailureError(`${where} refused the request (HTTP 403): ${text}. Check the AWS credentials (security token, region ${client.signingRegion ?? 'unknown'})`);
  }
  if (response.status === 404) return new CliFailureError(`${where} has no ${path} route (HTTP 404${message ? `: ${message}` : ''}); check --api (a deployed API's URL includes the stage, e.g. /v1)`);
  return new CliFailureError(`${where} answered HTTP ${response.status}${message ? `: ${message}` : ''}`);
}

/** `{"error":{"message"}}` from our API, `{"message"}` from API Gateway itself. */
function errorMessageOf(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const text = body.trim().slice(0, 200);
    return text === '' ? undefined : text;
  }
  if (!isObject(parsed)) return undefined;
  const nested = isObject(parsed.error) ? parsed.error.message : undefined;
  const message = typeof nested === 'string' ? nested : typeof parsed.message === 'string' ? parsed.message : typeof parsed.Message === 'string' ? parsed.Message : undefined;
  return message;
}

/** The API names its parameters; the user typed flags. */
function withFlagNames(message: string): string {
  return message
    .replace(/parameter '(accessType)'/g, "--access-type ('accessType')")
    .replace(/parameter '(nextToken)'/g, "--next-token ('nextToken')")
    .replace(/parameter '(accountId)'/g, "--account-id ('accountId')")
    .replace(/parameter '(region)'/g, "--target-region ('region')")
    .replace(/parameter '(rule|source)'/g, '--$1')
    .replace(/parameter '(limit)'/g, "--page-size ('limit')")
    .replace(/parameter '(from|to|target|owner|status|document|reason|order)'/g, "--$1");
}

function parseSessionPage(baseUrl: URL, response: ApiResponse): SessionPage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    throw new CliFailureError(`the API at ${baseUrl.href} answered with something that is not JSON (HTTP ${response.status}, ${response.headers['content-type'] ?? 'no content type'}); is --api the Session Archive API?`);
  }
  if (!isObject(parsed) || !Array.isArray(parsed.sessions) || (parsed.nextToken !== undefined && typeof parsed.nextToken !== 'string')) {
    throw new CliFailureError(`the API at ${baseUrl.href} answered without a sessions list; is --api the Session Archive API?`);
  }
  const sessions = parsed.sessions.map((item: unknown): SessionRecord => {
    if (!isObject(item) || typeof item.sessionId !== 'string' || typeof item.startDate !== 'string') {
      throw new CliFailureError(`the API at ${baseUrl.href} answered with a malformed session: ${JSON.stringify(item).slice(0, 200)}`);
    }
    return item as unknown as SessionRecord;
  });
  return typeof parsed.nextToken === 'string' ? { sessions, nextToken: parsed.nextToken } : { sessions };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Failures of the transport and the credentials, worded for the user. */
function explained(error: unknown, options: QueryCommandOptions): unknown {
  if (error instanceof ApiUnreachableError) {
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(options.apiUrl.hostname);
    const hint = local ? 'is the local stack running (npm start)? Pass --api for another API' : 'check --api and the network';
    return new CliFailureError(`${error.message}; ${hint}`);
  }
  if (error instanceof MissingCredentialsError || error instanceof ExpiredCredentialsError) return new CliFailureError(error.message);
  return error;
}

// ---------------------------------------------------------------------------------------------
// Rendering

interface SessionRenderer {
  begin(): string;
  page(sessions: readonly SessionRecord[]): string;
  /** `nextToken` is given when the command stopped at --limit with more sessions left. */
  end(count: number, nextToken: string | undefined): string;
}

export function rendererFor(format: OutputFormat): SessionRenderer {
  switch (format) {
    case 'csv':
      return {
        begin: () => csvRow(SESSION_CSV_COLUMNS),
        page: (sessions) => sessions.map((session) => csvRow(csvCells(session))).join(''),
        end: () => '',
      };
    case 'jsonl':
      return { begin: () => '', page: (sessions) => sessions.map((session) => `${JSON.stringify(session)}\n`).join(''), end: () => '' };
    case 'json': {
      // One session per line inside the API's envelope: valid JSON, streamable, readable.
      let first = true;
      return {
        begin: () => '{"sessions":[',
        page: (sessions) =>
          sessions
            .map((session) => {
              const separator = first ? '\n' : ',\n';
              first = false;
              return `${separator}${JSON.stringify(session)}`;
            })
            .join(''),
        end: (_count, nextToken) => `${first ? '' : '\n'}]${nextToken === undefined ? '' : `,"nextToken":${JSON.stringify(nextToken)}`}}\n`,
      };
    }
    case 'table':
      return {
        begin: () => tableRow(TABLE_COLUMNS.map(([title]) => title)),
        page: (sessions) => sessions.map((session) => tableRow(TABLE_COLUMNS.map(([, , cell]) => cell(session)))).join(''),
        end: (count) => (count === 0 ? 'No archived sessions match.\n' : ''),
      };
  }
}

type TableColumn = readonly [title: string, width: number, cell: (session: SessionRecord) => string];

/** Fixed widths, so a table streams page by page; the last column is not padded. */
const TABLE_COLUMNS: readonly TableColumn[] = [
  ['STARTED (UTC)', 19, (session) => shortTime(session.startDate)],
  ['ENDED (UTC)', 19, (session) => (session.endDate ? shortTime(session.endDate) : '-')],
  ['STATUS', 12, (session) => session.status],
  ['TARGET', 20, (session) => session.target],
  ['OWNER', 34, (session) => shortOwner(session.owner)],
  ['DOCUMENT', 30, (session) => session.documentName ?? '-'],
  ['SESSION ID', 44, (session) => session.sessionId],
  ['REASON', 48, (session) => session.reason ?? ''],
];

function tableRow(cells: readonly string[]): string {
  const last = cells.length - 1;
  return `${cells.map((cell, index) => fit(printable(cell), (TABLE_COLUMNS[index] as TableColumn)[1], index < last)).join('  ')}\n`;
}

function fit(text: string, width: number, pad: boolean): string {
  const cut = [...text].length > width ? `${[...text].slice(0, width - 1).join('')}…` : text;
  return pad ? cut.padEnd(width) : cut;
}

/** Control and bidi characters (tabs, newlines, terminal escapes in a reason) never reach the terminal raw. */
function printable(text: string): string {
  return escapeTerminalLine(text);
}

function shortTime(iso: string): string {
  return iso.slice(0, 19).replace('T', ' ');
}

/**
 * `…:assumed-role/Role/alice` → `Role/alice`; `…:assumed-role/AWSReservedSSO_Admin_1a2b/a@x.com`
 * → `Admin/a@x.com`; `…:user/bob` → `user/bob`. Exports keep the full ARN.
 */
function shortOwner(owner: string | undefined): string {
  if (!owner) return '-';
  const resource = owner.split(':').slice(5).join(':');
  if (!resource.startsWith('assumed-role/')) return resource || owner;
  return resource.slice('assumed-role/'.length).replace(/^AWSReservedSSO_(.+)_[0-9a-f]{16}\//, '$1/');
}

// ---------------------------------------------------------------------------------------------
// Running

/** Reports progress on stderr at most once a second: records so far and the rate. */
export class ProgressReporter {
  private count = 0;
  private readonly startedAt = Date.now();
  private lastReportAt = Date.now();
  private reported = false;

  constructor(
    private readonly verb: string,
    private readonly stream: NodeJS.WriteStream,
    private readonly intervalMs = 1000,
  ) {}

  get total(): number {
    return this.count;
  }

  add(sessions: number): void {
    this.count += sessions;
    const now = Date.now();
    if (now - this.lastReportAt < this.intervalMs) return;
    this.lastReportAt = now;
    this.reported = true;
    const line = `${this.verb} ${this.count} sessions (${this.rate(now)}/s)`;
    // On a terminal the line updates in place; in a log, one line per report.
    this.stream.write(this.stream.isTTY ? `\r\u001b[K${line}` : `${line}\n`);
  }

  /** The closing line (always for export; for query only after progress was shown). */
  finish(destination: string | undefined, always: boolean): void {
    if (!always && !this.reported) return;
    const now = Date.now();
    const seconds = ((now - this.startedAt) / 1000).toFixed(1);
    const where = destination === undefined ? '' : ` to ${destination}`;
    const line = `${this.verb} ${this.count} sessions${where} in ${seconds} s (${this.rate(now)}/s)`;
    this.stream.write(this.stream.isTTY && this.reported ? `\r\u001b[K${line}\n` : `${line}\n`);
  }

  private rate(now: number): number {
    return Math.round(this.count / Math.max((now - this.startedAt) / 1000, 0.001));
  }
}

/** Stdout (escaped when it is a terminal), or a new file moved into place only when everything was written. */
interface OutputTarget {
  stream: Writable;
  shown: (text: string) => string;
  commit(): Promise<void>;
  abandon(): void;
}

function openOutput(out: string | undefined): OutputTarget {
  if (out === undefined) {
    return { stream: process.stdout, shown: forStream(process.stdout), commit: async () => undefined, abandon: () => undefined };
  }
  return { ...createOutputFile(out), shown: (text) => text };
}

async function write(output: OutputTarget, text: string): Promise<void> {
  if (text === '') return;
  if (!output.stream.write(output.shown(text))) await once(output.stream, 'drain');
}

export async function runQuery(command: 'query' | 'export', options: QueryCommandOptions): Promise<void> {
  const client = new ApiClient(options.apiUrl, { sign: options.sign, region: options.region, profile: options.profile });
  const renderer = rendererFor(options.format);
  const progress = new ProgressReporter(command === 'export' ? 'exported' : 'fetched', process.stderr, options.progressIntervalMs);
  const output = openOutput(options.out);
  // A reader that goes away (`| head`) is not a failure of the export.
  let readerGone = false;
  const onOutputError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') readerGone = true;
  };
  if (options.out === undefined) process.stdout.on('error', onOutputError);

  let lastToken: string | undefined;
  try {
    const pages = fetchSessionPages(client, options, (reason, attempt) => {
      process.stderr.write(`retrying after ${reason} (attempt ${attempt + 1} of ${MAX_ATTEMPTS})\n`);
    });
    let begun = false;
    for await (const page of pages) {
      // Nothing is written before the API answered: a failed first request leaves no half a table.
      if (!begun) await write(output, renderer.begin());
      begun = true;
      await write(output, renderer.page(page.sessions));
      progress.add(page.sessions.length);
      lastToken = page.nextToken;
      if (readerGone) break;
    }
    await write(output, renderer.end(progress.total, lastToken));
    await output.commit();
  } catch (error: unknown) {
    output.abandon();
    if (readerGone) return;
    throw explained(error, options);
  } finally {
    process.stdout.off('error', onOutputError);
  }
  progress.finish(options.out, command === 'export');
  if (lastToken !== undefined && !readerGone) {
    // A token after a page that ended exactly at the last match is possible: "may", not "do".
    process.stderr.write(`stopped at --limit ${options.limit ?? ''}; more sessions may match: continue with --next-token '${lastToken}' and the same filters, or use export\n`);
  }
}
