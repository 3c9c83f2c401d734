/**
 * `session-archive console --api`, as a process: it serves the page on 127.0.0.1 and forwards
 * the page's API requests signed with SigV4 from the default credential chain (here: variables
 * in its environment). A recording proxy in front of a real local API shows what arrived.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { startApiService } from '../../bin/commands/api';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import type { LocalApiServer } from '../../local/api-server';
import { cleanEnv, runCli, startCli, type RunningCli } from '../support/cli-process';

const KEY_ID = 'AKIDCONSOLETEST';
const SECRET = 'console-test-secret-not-a-real-one';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('session-archive console --api', () => {
  let store: EmbeddedStore;
  let api: LocalApiServer;
  let proxy: Server;
  let proxyUrl: string;
  let consoleProcess: RunningCli;
  let consoleUrl: string;
  const recorded: Recorded[] = [];

  beforeAll(async () => {
    store = await startEmbeddedStore();
    const dynamo = new DynamoDBClient({ region: 'eu-west-1', endpoint: store.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await ensureArchiveTable(dynamo, 'console-command');
    dynamo.destroy();
    api = await startApiService({ table: 'console-command', dynamodbEndpoint: store.endpoint, port: 0, host: '127.0.0.1', region: 'eu-west-1' });
    // Stands where API Gateway would: records each request, then lets the real API answer it (the stage /v1 removed).
    proxy = createServer((request, response) => {
      recorded.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
      void get(`${api.url}${(request.url ?? '/').replace(/^\/v1/, '')}`).then((answer) => {
        response.writeHead(answer.status, { 'content-type': String(answer.headers['content-type']) });
        response.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`;
    consoleProcess = startCli(['console', '--api', proxyUrl, '--port', '0', '--region', 'eu-west-1'], cleanEnv({ AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET }));
    const [, url] = await consoleProcess.waitForOutput(/^Console for .* at (http:\/\/127\.0\.0\.1:\d+)\/$/m);
    consoleUrl = url as string;
  }, 120_000);

  afterAll(async () => {
    if (consoleProcess && consoleProcess.child.exitCode === null) {
      consoleProcess.child.kill('SIGTERM');
      await consoleProcess.exited;
    }
    proxy?.close();
    await api?.close();
    await store?.close();
  });

  it('forwards the page’s API requests signed with SigV4 for execute-api', async () => {
    const before = recorded.length;
    const answer = await get(`${consoleUrl}/sessions?from=2026-01-01&limit=5&reason=a+b%2Bc`);

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ sessions: [] });
    expect(recorded.length).toBe(before + 1);
    const arrived = recorded[before] as Recorded;
    expect(arrived.url.startsWith('/v1/sessions?')).toBe(true);
    const authorization = String(arrived.headers.authorization);
    expect(authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEY_ID}/\\d{8}/eu-west-1/execute-api/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$`));
    expect(authorization).not.toContain(SECRET);

    // The signature is the one SigV4 gives this very request: re-signed here with the SDK's signer.
    const url = new URL(arrived.url, proxyUrl);
    const signer = new SignatureV4({ service: 'execute-api', region: 'eu-west-1', credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET }, sha256: Sha256, applyChecksum: false });
    const amzDate = String(arrived.headers['x-amz-date']);
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const expected = await signer.sign(
      { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { accept: String(arrived.headers.accept), host: url.host } },
      { signingDate },
    );
    expect(authorization).toBe(expected.headers.authorization);
    expect(Object.fromEntries(url.searchParams)).toEqual({ from: '2026-01-01', limit: '5', reason: 'a b+c' });
  });

  it('passes the API’s refusals through for the page to put in words', async () => {
    const answer = await get(`${consoleUrl}/sessions?from=2026-03-01&to=2026-02-01`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'InvalidParameter', message: "parameter 'from' (2026-03-01) is later than 'to' (2026-02-01)" } });
  });

  it('serves the page itself, asking the API (signed) only for the sessions view\'s first page, which it puts inside', async () => {
    const before = recorded.length;
    const script = await get(`${consoleUrl}/console/app.js`, { 'accept-encoding': 'gzip' });
    const coverage = await get(`${consoleUrl}/?view=coverage`);
    expect(script.status).toBe(200);
    expect(script.headers['content-encoding']).toBe('gzip');
    expect(coverage.body).not.toContain('id="first-page"');
    expect(recorded.length).toBe(before);

    const page = await get(`${consoleUrl}/?from=2026-01-01&limit=25&reason=a+b%2Bc`, { 'sec-fetch-site': 'none' });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<script>.+<\/script>/s);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(recorded.length).toBe(before + 1);
    const arrived = recorded[before] as Recorded;
    const asked = new URL(arrived.url, proxyUrl);
    expect(asked.pathname).toBe('/v1/sessions');
    expect(Object.fromEntries(asked.searchParams)).toEqual({ from: '2026-01-01', reason: 'a b+c', limit: '25' });
    expect(String(arrived.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDCONSOLETEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /);
    const block = /<script type="application\/json" id="first-page">(.*?)<\/script>/s.exec(page.body)?.[1] ?? '';
    const direct = await get(`${consoleUrl}/sessions?from=2026-01-01&reason=a+b%2Bc&limit=25`);
    expect(JSON.parse(block)).toEqual({ request: '/sessions?from=2026-01-01&reason=a+b%2Bc&limit=25', status: 200, body: direct.body });
  });

  it('puts a refusal inside the page as the API gave it, and asks nothing for a page opened from another site', async () => {
    const refused = await get(`${consoleUrl}/?from=2026-03-01&to=2026-02-01`);
    const block = /<script type="application\/json" id="first-page">(.*?)<\/script>/s.exec(refused.body)?.[1] ?? '';
    const embedded = JSON.parse(block) as { status: number; body: string };
    expect(embedded.status).toBe(400);
    expect(JSON.parse(embedded.body).error.message).toBe("parameter 'from' (2026-03-01) is later than 'to' (2026-02-01)");

    const before = recorded.length;
    const linked = await get(`${consoleUrl}/?from=2026-01-01`, { 'sec-fetch-site': 'cross-site' });
    expect(linked.status).toBe(200);
    expect(linked.body).not.toContain('id="first-page"');
    expect(recorded.length).toBe(before);
  });

  it('refuses a Host that is not loopback, and requests made by other sites', async () => {
    const before = recorded.length;
    for (const host of ['evil.example', 'evil.example:80', '127.0.0.1.evil.example']) {
      const refused = await get(`${consoleUrl}/sessions`, { host });
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body).error.code).toBe('HostNotAllowed');
    }
    expect((await get(`${consoleUrl}/`, { host: 'evil.example' })).status).toBe(403);
    const crossSite = await get(`${consoleUrl}/sessions`, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(recorded.length).toBe(before);
    expect((await get(`${consoleUrl}/coverage`, { host: `localhost:${new URL(consoleUrl).port}` })).status).toBe(200);
  });

  it('documents itself and exits 2 on bad input, 1 when the API cannot be reached', async () => {
    const help = await runCli(['console', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: session-archive console --api <url>');

    const missing = await runCli(['console']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^session-archive console: --api is required/);
    const noRegion = await runCli(['console', '--api', 'https://archive.example.com/v1']);
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toContain('pass --region');

    const unreachable = await runCli(['console', '--api', 'http://127.0.0.1:9/v1', '--region', 'eu-west-1', '--port', '0'], cleanEnv({ AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET }));
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^session-archive console: cannot reach the API at http:\/\/127\.0\.0\.1:9/);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    consoleProcess.child.kill('SIGTERM');
    expect(await consoleProcess.exited).toEqual({ code: 0, signal: null });
    expect(consoleProcess.stdout()).toContain('Console stopped');
  });
});
