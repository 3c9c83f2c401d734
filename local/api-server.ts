/**
 * The query API over node:http, for laptops and tests: each request becomes the API Gateway REST
 * proxy event a `{proxy+}` resource would deliver, goes through the very handler the Lambda runs,
 * and its result is written back. No authorization is checked here (API Gateway does that in AWS),
 * so requests whose `Host` is not a loopback name are refused (local/host-check.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ApiHandler } from '../lambdas/api/app';
import { isAllowedHostHeader } from './host-check';
import { serveConsole } from '../console/assets';
import type { FirstPageAnswer } from '../console/first-page';

export interface LocalApiServerOptions {
  handler: ApiHandler;
  port?: number;
  host?: string;
}

export interface LocalApiServer {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startLocalApiServer(options: LocalApiServerOptions): Promise<LocalApiServer> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((request, response) => {
    if (!isAllowedHostHeader(request.headers.host, host)) {
      refuseHost(request, response);
      return;
    }
    serve(options.handler, request, response).catch((error: unknown) => {
      // The handler maps its own errors; reaching here means the adapter itself failed.
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify({ error: { code: 'InternalError', message: 'the local server failed to handle the request' } }));
      process.stderr.write(`local api server: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** 421 Misdirected Request: this server does not answer for that name. */
function refuseHost(request: IncomingMessage, response: ServerResponse): void {
  const body = JSON.stringify({
    error: { code: 'HostNotAllowed', message: 'this local API answers only requests addressed to a loopback host (127.0.0.1, localhost or [::1])' },
  });
  response.writeHead(421, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), connection: 'close' });
  response.end(body);
  request.resume();
}

async function serve(handler: ApiHandler, request: IncomingMessage, response: ServerResponse): Promise<void> {
  // The auditor's console (a web page) lives at `/` and `/console/*`; every other path is the API's.
  // Its sessions view comes with its first API answer, from the same handler (console/first-page.ts).
  if (await serveConsole(request, response, (path) => answerInProcess(handler, path, request))) return;
  const body = await readBody(request);
  const requestId = randomUUID();
  const event = toProxyEvent({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body, sourceIp: request.socket.remoteAddress }, requestId);
  const result = await handler(event, localLambdaContext(requestId));
  writeResult(response, result);
}

/** A GET the console page would send, answered by the handler without a round trip. */
async function answerInProcess(handler: ApiHandler, path: string, request: IncomingMessage): Promise<FirstPageAnswer> {
  const requestId = randomUUID();
  const headers = { host: request.headers.host ?? '127.0.0.1', accept: 'application/json' };
  const result = await handler(toProxyEvent({ method: 'GET', url: path, headers, sourceIp: request.socket.remoteAddress }, requestId), localLambdaContext(requestId));
  return { status: result.statusCode, body: result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body };
}

export interface LocalRequest {
  method: string;
  /** The request target: path and query string, as sent. */
  url: string;
  headers?: IncomingHttpHeaders;
  body?: string;
  sourceIp?: string;
}

/**
 * The REST proxy event for a request. As in API Gateway, query values are form-decoded (`+` is a
 * space), `queryStringParameters` holds the last value of a repeated parameter and
 * `multiValueQueryStringParameters` all of them.
 */
export function toProxyEvent(request: LocalRequest, requestId: string): APIGatewayProxyEvent {
  const url = new URL(request.url, 'http://localhost');
  const path = url.pathname;
  const multi = parseQueryString(url.searchParams);
  const names = Object.keys(multi);
  const single: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of names) single[name] = multi[name]?.[multi[name].length - 1] ?? '';
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values[values.length - 1] ?? '';
    multiValueHeaders[name] = values;
  }
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: request.method.toUpperCase(),
    headers,
    multiValueHeaders,
    queryStringParameters: names.length > 0 ? single : null,
    multiValueQueryStringParameters: names.length > 0 ? multi : null,
    pathParameters: { proxy: safeDecode(path.slice(1)) },
    stageVariables: null,
    body: request.body && request.body.length > 0 ? request.body : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: request.method.toUpperCase(),
      identity: localIdentity(request.sourceIp),
      path,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: '/{proxy+}',
    },
  };
}

/** Enough of a Lambda context for Powertools and middy. */
export function localLambdaContext(requestId: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'session-archive-query-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:session-archive-query-local',
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/session-archive-query-local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Form decoding, as API Gateway does it: `+` is a space; a real plus must be sent as %2B. */
function parseQueryString(search: URLSearchParams): Record<string, string[]> {
  const parameters: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of search) (parameters[name] ??= []).push(value);
  return parameters;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function localIdentity(sourceIp: string | undefined): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: sourceIp ?? '127.0.0.1',
    user: null,
    userAgent: null,
    userArn: null,
  };
}

/** Request bodies are ignored by every route; they are read (with a cap) only to free the socket. */
const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function writeResult(response: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String);
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  headers['content-length'] = String(body.length);
  response.writeHead(result.statusCode, headers);
  response.end(body);
}
