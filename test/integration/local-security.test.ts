/**
 * The local stack has no authentication, so it keeps to this machine: the API answers only
 * requests addressed to a loopback host (a web page that rebinds its DNS name to 127.0.0.1 still
 * sends its own name, and gets 421), `--host` with another address warns, and the data folder is
 * created for its owner only.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, chmodSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/aws/clients';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { startApiService } from '../../bin/commands/api';
import type { LocalApiServer } from '../../local/api-server';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { isAllowedHostHeader, nonLoopbackWarning } from '../../local/host-check';
import { startLocalStack } from '../../local/local-stack';
import { runCli } from '../support/cli-process';

const TABLE = 'session-archive';
let store: EmbeddedStore;
let loopback: LocalApiServer;
let anyAddress: LocalApiServer;
beforeAll(async () => {
  store = await startEmbeddedStore();
  const client = createDocumentClient({ region: 'eu-west-1', endpoint: store.endpoint });
  await ensureArchiveTable(client, TABLE);
  client.destroy();
  loopback = await startApiService({ table: TABLE, dynamodbEndpoint: store.endpoint, port: 0, host: '127.0.0.1', region: 'eu-west-1' });
  anyAddress = await startApiService({ table: TABLE, dynamodbEndpoint: store.endpoint, port: 0, host: '0.0.0.0', region: 'eu-west-1' });
}, 30_000);
afterAll(async () => {
  await loopback?.close();
  await anyAddress?.close();
  await store?.close();
});

/** GET /coverage with exactly this Host header (or none). */
function get(serverUrl: string, host: string | undefined): Promise<{ status: number; body: string }> {
  const url = new URL('/coverage', serverUrl.replace('0.0.0.0', '127.0.0.1'));
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'GET', setHost: false, headers: host === undefined ? {} : { host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('the local API and the Host header', () => {
  it.each(['evil.example', 'evil.example:3000', '127.0.0.1.evil.example', 'localhost.evil.example:80', '[::1].evil.example', 'a b'])(
    'Host: %s gets 421 and nothing of the archive',
    async (host) => {
      const response = await get(loopback.url, host);
      expect(response.status).toBe(421);
      expect(JSON.parse(response.body)).toEqual({
        error: { code: 'HostNotAllowed', message: 'this local API answers only requests addressed to a loopback host (127.0.0.1, localhost or [::1])' },
      });
    },
  );

  it.each(['127.0.0.1', `127.0.0.1:3000`, 'localhost', 'LOCALHOST:3000', '[::1]:3000', '127.8.9.10'])('Host: %s is served', async (host) => {
    expect((await get(loopback.url, host)).status).toBe(200);
  });

  it('a request without Host is refused', async () => {
    expect([400, 421]).toContain((await get(loopback.url, undefined)).status);
  });

  it('bound to all addresses on purpose, IP literals are served too, DNS names still not', async () => {
    expect((await get(anyAddress.url, '192.0.2.10:3000')).status).toBe(200);
    expect((await get(anyAddress.url, '[2001:db8::1]:3000')).status).toBe(200);
    expect((await get(anyAddress.url, 'evil.example')).status).toBe(421);
    expect(isAllowedHostHeader('192.0.2.10', '127.0.0.1')).toBe(false);
  });
});

describe('--host', () => {
  it('a non-loopback address prints that the API has no authentication', async () => {
    const result = await runCli(['api', '--table', 'no-such-table', '--dynamodb-endpoint', store.endpoint, '--host', '0.0.0.0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'warning: --host 0.0.0.0 makes the query API reachable from other machines, and it has no authentication: anyone who can reach 0.0.0.0 can read the whole archive',
    );
  });

  it('loopback addresses do not warn', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.0.0.2']) expect(nonLoopbackWarning(host)).toBeUndefined();
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'archive.example.com']) expect(nonLoopbackWarning(host)).toMatch(/no authentication/);
  });
});

describe('the data folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'session-archive-data-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const startAndStop = async (dataDir: string): Promise<string[]> => {
    const lines: string[] = [];
    const stack = await startLocalStack({ dataDir, apiPort: 0, ssmPort: 0, sweepIntervalMs: 600_000, sessions: 10, seed: 1, tableName: TABLE, print: (line) => lines.push(line) });
    await stack.close();
    return lines;
  };

  it('is created 0700, with every folder it needed, whatever the umask', async () => {
    const dataDir = join(root, 'new', 'archive');
    const umask = process.umask(0o022);
    try {
      await startAndStop(dataDir);
    } finally {
      process.umask(umask);
    }
    for (const folder of [join(root, 'new'), dataDir, join(dataDir, 'dynamodb')]) expect(statSync(folder).mode & 0o777).toBe(0o700);
  }, 30_000);

  it('an existing folder others can read is left alone, with a warning', async () => {
    const dataDir = join(root, 'shared');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const lines = await startAndStop(dataDir);
    expect(lines).toContain(`warning: ${dataDir} is readable by other users of this machine; the archive in it is not private (chmod 700 it)`);
    expect(statSync(dataDir).mode & 0o777).toBe(0o755);
  }, 30_000);
});
