/**
 * Ready-made callers for tests and tools: the official ECS SDK client pointed at an emulator, and
 * a forwarding proxy that can change a request after it was signed. Not re-exported from
 * index.ts, so running the emulator does not load the SDK.
 */
import Ecs, { DescribeTerminalSessionsRequest, type DescribeTerminalSessionsResponse } from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_REGION } from './regions';

export interface EcsClientFor {
  accessKeyId: string;
  accessKeySecret: string;
  /** Default cn-hangzhou. */
  regionId?: string;
  /** 'v2' selects the older HMAC-SHA1 query signature; default V3 (ACS3-HMAC-SHA256). */
  signatureAlgorithm?: 'v2';
  readTimeoutMs?: number;
}

/** `endpoint` is `host:port` (the emulator's `endpoint`). */
export function emulatorEcsClient(endpoint: string, options: EcsClientFor): Ecs {
  return new Ecs(
    new $OpenApiUtil.Config({
      accessKeyId: options.accessKeyId,
      accessKeySecret: options.accessKeySecret,
      endpoint,
      protocol: 'HTTP',
      regionId: options.regionId ?? DEFAULT_REGION,
      readTimeout: options.readTimeoutMs ?? 10_000,
      ...(options.signatureAlgorithm ? { signatureAlgorithm: options.signatureAlgorithm } : {}),
    }),
  );
}

export function describeSessions(client: Ecs, request: { regionId?: string; maxResults?: number; nextToken?: string; instanceId?: string; sessionId?: string }): Promise<DescribeTerminalSessionsResponse> {
  return client.describeTerminalSessions(new DescribeTerminalSessionsRequest(request));
}

export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TamperingProxy {
  /** `127.0.0.1:PORT`, to give the SDK as its endpoint. */
  endpoint: string;
  /** Every request as the client sent it, before any change. */
  captured: CapturedRequest[];
  close(): Promise<void>;
}

/** Forwards each request to `target` (`host:port`) after `change` (default none); `repeat` sends it twice and answers with the second. */
export async function tamperingProxy(target: string, change: (request: CapturedRequest) => CapturedRequest = (request) => request, repeat = false): Promise<TamperingProxy> {
  const captured: CapturedRequest[] = [];
  const [host, port] = target.split(':') as [string, string];
  const forward = (request: CapturedRequest): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const outgoing = httpRequest({ host, port: Number(port), method: request.method, path: request.url, headers: request.headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
      });
      outgoing.on('error', reject);
      outgoing.end(request.body);
    });
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const original: CapturedRequest = { method: incoming.method ?? 'GET', url: incoming.url ?? '/', headers: { ...incoming.headers }, body: Buffer.concat(chunks).toString('utf8') };
      captured.push(original);
      const changed = change(original);
      void (async () => {
        if (repeat) await forward(changed);
        const answer = await forward(changed);
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body);
      })().catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    captured,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
