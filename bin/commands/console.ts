/**
 * `session-archive console --api <url>`: the auditor's console for a deployed archive. Serves the
 * page on 127.0.0.1 and forwards the page's API requests to the archive, signed with SigV4 from the
 * default credential chain: the auditor's own credentials stay in this process, never in the
 * browser, and `AWS_IAM` stays the only way into the API.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { buildConsole, serveConsole } from '../../console/assets';
import type { FirstPageAnswer } from '../../console/first-page';
import { isAllowedHostHeader } from '../../local/host-check';
import { CliFailureError, CliUsageError, runCli, untilStopSignal } from './cli-support';
import { ApiClient, ApiUnreachableError, ExpiredCredentialsError, MissingCredentialsError, regionOfAwsHost } from './signed-fetch';

export const CONSOLE_USAGE = `Usage: session-archive console --api <url> [options]

Serves the auditor's console (a web page: search, session detail, exports, coverage, findings) on
127.0.0.1 for a deployed archive. The page's requests to the API go through this command, which
signs them with SigV4 (service execute-api) using your AWS credentials: the default credential
chain, or --profile. The browser never holds the credentials. Only requests whose Host is
127.0.0.1, localhost or [::1] are answered, so other web sites cannot use the console through
your browser. For the local archive, open the page 'npm start' prints instead.

Options:
  --api <url>        the deployed API's stage URL (required),
                     e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/v1
  --port <p>         port on 127.0.0.1 (default 4800; 0 picks a free one)
  --region <r>       region to sign for when the host does not tell it (custom domains;
                     default $AWS_REGION)
  --profile <name>   AWS profile for the credentials (default: the default credential chain)
  --help             show this help

Exit codes: 0 stopped with Ctrl-C / SIGTERM, 2 bad input, 1 failure (port taken, API unreachable,
no credentials).

Example:
  AWS_PROFILE=audit session-archive console --api https://abc123.execute-api.eu-west-1.amazonaws.com/v1
  then open http://127.0.0.1:4800/
`;

const DEFAULT_PORT = 4800;

export interface ConsoleServerOptions {
  apiUrl: URL;
  port: number;
  region?: string;
  profile?: string;
  /** Fixed credentials instead of the default chain (tests). */
  client?: ApiClient;
}

export interface ConsoleServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function runConsoleCommand(argv: string[]): Promise<void> {
  await runCli('console', CONSOLE_USAGE, async () => {
    const options = parseConsoleArgs(argv);
    if (options === 'help') return CONSOLE_USAGE;
    const client = new ApiClient(options.apiUrl, { sign: true, region: options.region, profile: options.profile });
    await checkApi(client);
    const server = await startConsoleServer({ ...options, client });
    process.stdout.write(`Console for ${options.apiUrl.href} at ${server.url}/\nRequests are signed for execute-api in ${client.signingRegion}. Stop with Ctrl-C.\n`);
    await untilStopSignal();
    await server.close();
    return 'Console stopped\n';
  });
}

export function parseConsoleArgs(argv: readonly string[]): (ConsoleServerOptions & { region?: string }) | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: { api: { type: 'string' }, port: { type: 'string' }, region: { type: 'string' }, profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (values.api === undefined) throw new CliUsageError('--api is required: the deployed API stage URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/v1');
  let apiUrl: URL;
  try {
    apiUrl = new URL(values.api);
  } catch {
    throw new CliUsageError(`--api must be an http(s) URL, got '${values.api}'`);
  }
  if (apiUrl.protocol !== 'https:' && apiUrl.protocol !== 'http:') throw new CliUsageError(`--api must be an http(s) URL, got '${values.api}'`);
  if (apiUrl.search !== '' || apiUrl.hash !== '' || apiUrl.username !== '') throw new CliUsageError(`--api must be the API's base URL, without a query or user name, got '${values.api}'`);
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (values.port !== undefined && (!/^\d{1,5}$/.test(values.port) || port > 65535)) throw new CliUsageError(`--port must be a whole number from 0 to 65535, got '${values.port}'`);
  const region = values.region ?? (process.env.AWS_REGION?.trim() || undefined);
  if (values.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(values.region)) throw new CliUsageError(`--region must be an AWS region such as us-east-1, got '${values.region}'`);
  if (regionOfAwsHost(apiUrl.hostname) === undefined && region === undefined) throw new CliUsageError(`cannot tell which AWS region ${apiUrl.host} is in, to sign for it; pass --region`);
  return { apiUrl, port, ...(region === undefined ? {} : { region }), ...(values.profile === undefined ? {} : { profile: values.profile }) };
}

/** One signed request before listening: missing credentials or an unreachable API fail the start. */
async function checkApi(client: ApiClient): Promise<void> {
  try {
    const response = await client.get('/coverage', []);
    if (response.status >= 400) process.stderr.write(`warning: the API answered GET /coverage with HTTP ${response.status}; the console will show what it says\n`);
  } catch (error: unknown) {
    throw new CliFailureError(upstreamMessage(error));
  }
}

function upstreamMessage(error: unknown): string {
  if (error instanceof ApiUnreachableError || error instanceof MissingCredentialsError || error instanceof ExpiredCredentialsError) return error.message;
  return `forwarding to the API failed: ${error instanceof Error ? error.message : String(error)}`;
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const client = options.client ?? new ApiClient(options.apiUrl, { sign: true, region: options.region, profile: options.profile });
  // Built before the first visit, so the page loads at once.
  await buildConsole();
  const server: Server = createServer((request, response) => {
    handle(client, request, response).catch((error: unknown) => sendError(response, 502, 'ConsoleUpstreamError', upstreamMessage(error)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new CliFailureError(`port ${options.port} is already in use; choose another with --port (0 picks a free one)`) : error),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(client: ApiClient, request: IncomingMessage, response: ServerResponse): Promise<void> {
  // DNS rebinding: a page of another site resolved to 127.0.0.1 still sends its own host name.
  if (!isAllowedHostHeader(request.headers.host, '127.0.0.1')) {
    sendError(response, 403, 'HostNotAllowed', `this console answers only requests addressed to a loopback host (127.0.0.1, localhost or [::1]), not '${request.headers.host ?? ''}'`);
    return;
  }
  // Requests that other sites' pages make through the browser are not signed on the auditor's behalf.
  const site = request.headers['sec-fetch-site'];
  const ownPage = site === undefined || site === 'same-origin' || site === 'none';
  // The sessions view comes with its first API answer, asked for signed like any other; a page
  // opened from another site's link asks for it itself (then from its own origin).
  if (await serveConsole(request, response, ownPage ? (path) => firstPageUpstream(client, path) : undefined)) return;
  if (!ownPage) {
    sendError(response, 403, 'CrossSiteRequest', 'the console forwards requests from its own page only');
    return;
  }
  if (request.method !== 'GET') {
    response.setHeader('allow', 'GET');
    sendError(response, 405, 'MethodNotAllowed', 'the console forwards GET requests only');
    return;
  }
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const upstream = await client.get(url.pathname, [...url.searchParams]);
  const headers: Record<string, string> = { 'content-type': String(upstream.headers['content-type'] ?? 'application/json; charset=utf-8'), 'cache-control': 'no-store' };
  const token = upstream.headers['x-next-token'];
  if (typeof token === 'string') headers['x-next-token'] = token;
  response.writeHead(upstream.status, headers);
  response.end(upstream.body);
}

async function firstPageUpstream(client: ApiClient, path: string): Promise<FirstPageAnswer> {
  const url = new URL(path, 'http://127.0.0.1');
  const upstream = await client.get(url.pathname, [...url.searchParams]);
  return { status: upstream.status, body: upstream.body };
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify({ error: { code, message } }));
}
