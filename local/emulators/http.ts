/**
 * What the STS and Organizations emulators share: a node:http server on loopback (port 0 by
 * default), bounded body reading, the caller named by the SigV4 Authorization header (the
 * signature itself is not checked), and a close that ends open connections.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListenOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
}

export interface RunningServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** The request, its whole body (undefined when too large or cut off), and the response. */
export type RequestHandler = (request: IncomingMessage, body: string | undefined, response: ServerResponse) => Promise<void>;

const MAX_BODY_BYTES = 1024 * 1024;

export async function listen(options: ListenOptions, handler: RequestHandler, name: string): Promise<RunningServer> {
  const server = createServer((request, response) => {
    void readBody(request)
      .then((body) => handler(request, body, response))
      .catch((error: unknown) => {
        // A bug in the emulator: leave a trace for whoever runs it, and never hang the caller.
        console.error(`${name}: unexpected error`, error);
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${endpointHost(host)}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) resolve(undefined);
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', () => resolve(undefined));
  });
}

function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Who signed a request: the access key id, region and service of the SigV4 credential scope. */
export interface SigV4Caller {
  accessKeyId: string;
  region: string;
  service: string;
}

const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/** undefined when the header is missing or is not a SigV4 header with a credential scope. */
export function sigV4CallerOf(authorization: string | undefined): SigV4Caller | undefined {
  if (!authorization?.startsWith('AWS4-HMAC-SHA256 ')) return undefined;
  const match = CREDENTIAL_SCOPE.exec(authorization);
  if (!match) return undefined;
  return { accessKeyId: match[1] as string, region: match[2] as string, service: match[3] as string };
}

/** The temporary-credential token the caller sent (X-Amz-Security-Token), if any. */
export function securityTokenOf(request: IncomingMessage): string | undefined {
  const value = request.headers['x-amz-security-token'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A JSON answer with its length and the emulated service's own headers; nothing once the client has gone. */
export function sendJsonBody(response: ServerResponse, status: number, body: object, headers: Record<string, string>): void {
  if (response.destroyed || response.writableEnded) return;
  const payload = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(payload) });
  response.end(payload);
}
