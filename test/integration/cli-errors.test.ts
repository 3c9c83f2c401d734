/**
 * What a user sees when something is wrong: bad flags exit 2, a query the API rejects exits 2,
 * an unreachable API, missing or expired credentials and refused requests exit 1, each with a
 * message that says what to do. Every command runs as its own process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/adapters/aws/clients';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { startApiService } from '../../bin/commands/api';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import type { LocalApiServer } from '../../local/api-server';
import { CliUsageError } from '../../bin/commands/cli-support';
import { LOCAL_USAGE, parseLocalArgs } from '../../bin/commands/local';
import { EXPORT_USAGE, parseQueryArgs, QUERY_USAGE } from '../../bin/commands/query';
import { cleanEnv, runCli } from '../support/cli-process';

const DEPLOYED_API = 'https://abc123.execute-api.us-east-1.amazonaws.com/prod';

describe('bad flags: exit 2, the reason on stderr, nothing on stdout', () => {
  // One process per command proves the exit code and the wording; the checks themselves are below.
  it.concurrent.each([
    [['query', '--bogus'], "Unknown option '--bogus'"],
    [['export', '--limit', '0'], "--limit must be a positive whole number, got '0'"],
    [['local', '--interval', '0'], "--interval must be a positive whole number, got '0'"],
  ])('session-archive %j', async (args, message) => {
    const result = await runCli(args);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(`Run 'session-archive ${args[0]} --help' for usage.`);
    expect(result.stdout).toBe('');
  });

  it('an unknown command exits 2 with the list of commands', async () => {
    const result = await runCli(['serve']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'serve'");
    expect(result.stderr).toContain('local       run the whole archive on this machine');
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--format', 'xml'], "--format must be one of table, json, jsonl, csv, got 'xml'"],
    [['--order', 'newest'], "--order must be desc or asc, got 'newest'"],
    [['--sign', '--no-sign'], 'give --sign or --no-sign, not both'],
    [['--api', 'ftp://archive.example.com'], "--api must be an http(s) URL, got 'ftp://archive.example.com'"],
    [['--api', 'http://127.0.0.1:3000/?stage=prod'], "--api must be the API's base URL without a query"],
    [['--api', 'https://archive.example.com', '--sign'], 'cannot tell which AWS region archive.example.com is in, to sign for it; pass --region'],
    [['--from'], "Option '--from <value>' argument missing"],
    [['--owner', ''], '--owner must not be empty'],
    [['--limit', '0'], "--limit must be a positive whole number, got '0'"],
    [['--page-size', '5000'], "--page-size must be at most 1000, got '5000'"],
    [['--progress-interval', 'often'], "--progress-interval must be a number of seconds (0 or more), got 'often'"],
    [['--region', 'Europe'], "--region must be an AWS region such as us-east-1, got 'Europe'"],
  ])('query and export refuse %j', (args, message) => {
    for (const command of ['query', 'export'] as const) {
      expect(() => parseQueryArgs(command, args)).toThrow(message);
    }
  });

  it.each([
    [['--interval', '0'], "--interval must be a positive whole number, got '0'"],
    [['--api-port', '70000'], "--api-port must be a port from 0 to 65535, got '70000'"],
    [['--sessions', 'many'], "--sessions must be a whole number from 0 to 1000000, got 'many'"],
    [['--data-dir', ' '], '--data-dir must not be empty'],
    [['--table', 'x'], "--table must be 3-255 letters, digits, '_', '-' or '.', got 'x'"],
    [['--region', 'mars'], "--region must be an AWS region such as us-east-1, got 'mars'"],
    [['--account-id', '42'], "--account-id must be 12 digits, got '42'"],
    [['--ssm-endpoint', 'localhost:4600'], "--ssm-endpoint must be an http(s) URL, got 'localhost:4600'"],
    [['--ssm-endpoint', 'http://127.0.0.1:4600', '--sessions', '5'], 'cannot be combined with --ssm-endpoint'],
    [['--region', 'eu-west-1', '--seed', '5'], 'with --region the sweeper reads real AWS SSM'],
  ])('local refuses %j', (args, message) => {
    expect(() => parseLocalArgs(args)).toThrow(CliUsageError);
    expect(() => parseLocalArgs(args)).toThrow(message);
  });

  it('query and export accept every filter under the same flag names', () => {
    const args = ['--from', '2026-01-01', '--to', '2026-02-01', '--target', 'i-0123456789abcdef0', '--owner', 'arn:aws:iam::123456789012:user/alice', '--status', 'Failed', '--document', 'AWS-StartSSHSession', '--access-type', 'JustInTime', '--reason', 'INC-1', '--account-id', '111111111111', '--target-region', 'eu-west-1', '--source', 'ssm', '--order', 'asc'];
    for (const command of ['query', 'export'] as const) {
      const options = parseQueryArgs(command, args);
      expect(options !== 'help' && options.filters).toEqual([
        ['from', '2026-01-01'],
        ['to', '2026-02-01'],
        ['target', 'i-0123456789abcdef0'],
        ['owner', 'arn:aws:iam::123456789012:user/alice'],
        ['status', 'Failed'],
        ['document', 'AWS-StartSSHSession'],
        ['accessType', 'JustInTime'],
        ['reason', 'INC-1'],
        ['accountId', '111111111111'],
        ['region', 'eu-west-1'],
        ['source', 'ssm'],
        ['order', 'asc'],
      ]);
    }
  });
});

describe('--help on every command', () => {
  it.concurrent.each(['local', 'query', 'export', 'findings', 'coverage', 'sweep', 'api', 'emulator'])('session-archive %s --help', async (command) => {
    const result = await runCli([command, '--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: session-archive ${command}`);
    expect(result.stderr).toBe('');
  });

  it('query and export document the same flags', () => {
    const flagsOf = (text: string): string[] => [...text.matchAll(/^ {2}(--[a-z-]+)/gm)].map((match) => match[1] as string).sort();

    expect(flagsOf(QUERY_USAGE)).toEqual(flagsOf(EXPORT_USAGE));
    expect(flagsOf(QUERY_USAGE)).toEqual(
      expect.arrayContaining(['--api', '--from', '--to', '--target', '--owner', '--status', '--document', '--access-type', '--reason', '--account-id', '--target-region', '--source', '--order', '--limit', '--format', '--out', '--page-size', '--region']),
    );
    // Flags that local shares with the other commands keep their names.
    expect(flagsOf(LOCAL_USAGE)).toEqual(expect.arrayContaining(['--region', '--ssm-endpoint', '--table', '--account-id']));
  });
});

describe('a query the API rejects: exit 2 with the API’s reason, in flag names', () => {
  let store: EmbeddedStore;
  let api: LocalApiServer;

  beforeAll(async () => {
    store = await startEmbeddedStore();
    const documents = createDocumentClient({ region: 'us-east-1', endpoint: store.endpoint });
    await ensureArchiveTable(documents, 'cli-errors');
    documents.destroy();
    api = await startApiService({ table: 'cli-errors', dynamodbEndpoint: store.endpoint, port: 0, host: '127.0.0.1', region: 'us-east-1' });
  });
  afterAll(async () => {
    await api.close();
    await store.close();
  });

  it('rejects a --from that is not a date', async () => {
    const result = await runCli(['query', '--api', api.url, '--from', 'yesterday']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the API at ${api.url}/ rejected the query: --from must be an ISO-8601 date`);
    expect(result.stdout).toBe('');
  });

  it('rejects a bad --account-id and --target-region in flag names', async () => {
    const result = await runCli(['query', '--api', api.url, '--account-id', '12345', '--target-region', 'Europe']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--account-id ('accountId') must be a 12-digit AWS account id, or an Alibaba Cloud account label (a letter, then a-z 0-9 -, up to 63; or 16 digits) (got '12345')");
    expect(result.stderr).toContain("--target-region ('region') must be a region such as eu-west-1 (got 'Europe')");
  });

  it('rejects a --next-token the API never issued', async () => {
    const result = await runCli(['export', '--api', api.url, '--next-token', 'forged']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/rejected the query: .*token/i);
  });

  it('an empty archive is not an error', async () => {
    const result = await runCli(['query', '--api', api.url]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No archived sessions match.');
  });
});

describe('failures: exit 1 with a message that names the cause', () => {
  const emptyHome = mkdtempSync(join(tmpdir(), 'session-archive-home-'));
  afterAll(() => rmSync(emptyHome, { recursive: true, force: true }));

  /** No AWS settings at all: an empty home, no profile files, no instance metadata. */
  const noCredentialsEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv =>
    cleanEnv({
      HOME: emptyHome,
      AWS_CONFIG_FILE: join(emptyHome, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(emptyHome, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...extra,
    });

  it('an API nobody listens on', async () => {
    const port = await closedPort();

    const result = await runCli(['query', '--api', `http://127.0.0.1:${port}`]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach the API at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(result.stderr).toContain('is the local stack running (npm start)?');
    expect(result.stdout).toBe('');
  });

  it('a deployed API and no AWS credentials anywhere', async () => {
    const result = await runCli(['export', '--api', DEPLOYED_API, '--out', join(emptyHome, 'never.csv')], noCredentialsEnv());

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no AWS credentials to sign requests to abc123.execute-api.us-east-1.amazonaws.com');
    expect(result.stderr).toContain('aws sso login');
    expect(result.stdout).toBe('');
  });

  it('credentials that say themselves they have expired', async () => {
    const env = noCredentialsEnv({
      AWS_ACCESS_KEY_ID: 'ASIAEXPIREDEXAMPLE00',
      AWS_SECRET_ACCESS_KEY: 'expired-secret-never-printed',
      AWS_SESSION_TOKEN: 'expired-token',
      AWS_CREDENTIAL_EXPIRATION: '2020-01-01T00:00:00Z',
    });

    const result = await runCli(['query', '--api', DEPLOYED_API], env);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the AWS credentials expired at 2020-01-01T00:00:00.000Z; refresh them');
    expect(result.stderr).not.toContain('expired-secret-never-printed');
  });

  describe('answers from an API Gateway-like server', () => {
    let server: Server;
    let baseUrl: string;
    let answer: (path: string) => { status: number; body: unknown };
    const received: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
    const credentialsEnv = noCredentialsEnv({
      AWS_ACCESS_KEY_ID: 'ASIATESTEXAMPLE00000',
      AWS_SECRET_ACCESS_KEY: 'test-secret-never-printed',
      AWS_SESSION_TOKEN: 'test-session-token',
    });

    beforeAll(async () => {
      server = createServer((request, response) => {
        received.push({ url: request.url ?? '', headers: request.headers });
        const { status, body } = answer(request.url ?? '');
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('a security token the API says has expired (signing forced with --sign)', async () => {
      received.length = 0;
      answer = () => ({ status: 403, body: { message: 'The security token included in the request is expired' } });

      const result = await runCli(['query', '--api', baseUrl, '--sign', '--region', 'us-east-1', '--status', 'Failed'], credentialsEnv);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`the API at ${baseUrl} refused the request (HTTP 403): The security token included in the request is expired`);
      expect(result.stderr).toContain('The AWS credentials have expired: refresh them');
      expect(result.stderr + result.stdout).not.toContain('test-secret-never-printed');
      expect(received).toHaveLength(1);
      const request = received[0] as { url: string; headers: IncomingHttpHeaders };
      expect(request.url).toBe('/prod/sessions?format=json&limit=100&status=Failed');
      expect(request.headers['x-amz-security-token']).toBe('test-session-token');
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=ASIATESTEXAMPLE00000\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=accept;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
      );
    });

    it('an identity the API does not allow', async () => {
      answer = () => ({ status: 403, body: { message: 'User: arn:aws:sts::123456789012:assumed-role/Auditor/alice is not authorized to perform: execute-api:Invoke' } });

      const result = await runCli(['query', '--api', baseUrl, '--sign', '--region', 'us-east-1'], credentialsEnv);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('is not authorized to perform: execute-api:Invoke. The identity needs execute-api:Invoke on this API');
    });

    it('an unsigned request to an API that wants SigV4', async () => {
      received.length = 0;
      answer = () => ({ status: 403, body: { message: 'Missing Authentication Token' } });

      const result = await runCli(['query', '--api', baseUrl], credentialsEnv);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Missing Authentication Token; the API requires SigV4-signed requests: pass --sign');
      // Never signed for a loopback address unless asked.
      expect(received[0]?.headers.authorization).toBeUndefined();
    });

    it('a server error is reported, not retried', async () => {
      received.length = 0;
      answer = () => ({ status: 500, body: { error: { code: 'InternalError', message: 'the request could not be completed (request id 42)' } } });

      const result = await runCli(['export', '--api', baseUrl], credentialsEnv);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`the API at ${baseUrl} answered HTTP 500: the request could not be completed (request id 42)`);
      expect(received).toHaveLength(1);
    });

    it('a throttled request is retried, and the export completes', async () => {
      received.length = 0;
      answer = () =>
        received.length === 1
          ? { status: 429, body: { message: 'Too Many Requests' } }
          : { status: 200, body: { sessions: [{ sessionId: 'alice-0123456789abcdef0', target: 'i-0123456789abcdef0', status: 'Terminated', startDate: '2026-01-01T00:00:00.000Z' }] } };

      const result = await runCli(['export', '--api', baseUrl, '--format', 'jsonl'], credentialsEnv);

      expect(result.code).toBe(0);
      expect(result.stderr).toContain('retrying after HTTP 429 (attempt 2 of 5)');
      expect(result.stdout).toBe('{"sessionId":"alice-0123456789abcdef0","target":"i-0123456789abcdef0","status":"Terminated","startDate":"2026-01-01T00:00:00.000Z"}\n');
      expect(received).toHaveLength(2);
    });

    it('a throttled archive (503) is retried by findings and coverage too', async () => {
      for (const [command, path, body] of [
        ['findings', '/prod/findings', { findings: [] }],
        ['coverage', '/prod/coverage', { generatedAt: '2026-01-01T00:00:00.000Z', sources: [] }],
      ] as const) {
        received.length = 0;
        answer = () =>
          received.length === 1 ? { status: 503, body: { error: { code: 'Throttled', message: 'the archive is busy' } } } : { status: 200, body };

        const result = await runCli([command, '--api', baseUrl, '--account-id', '111111111111', '--target-region', 'eu-west-1', '--source', 'ssm'], credentialsEnv);

        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain('retrying after HTTP 503 (attempt 2 of 5)');
        expect(received).toHaveLength(2);
        expect(received[1]?.url).toMatch(new RegExp(`^${path}\\?`));
        expect(received[1]?.url).toContain('accountId=111111111111');
        expect(received[1]?.url).toContain('region=eu-west-1');
        expect(received[1]?.url).toContain('source=ssm');
      }
    });

    it('a server that is not the Session Archive API', async () => {
      answer = () => ({ status: 200, body: { hello: 'world' } });

      const result = await runCli(['query', '--api', baseUrl]);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('answered without a sessions list; is --api the Session Archive API?');
    });
  });
});

describe('session-archive local start-up failures', () => {
  let dataDir: string;
  let blocker: Server;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'session-archive-port-'));
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an API port that is taken', async () => {
    const port = (blocker.address() as AddressInfo).port;

    const result = await runCli(['local', '--data-dir', dataDir, '--api-port', String(port), '--sessions', '10']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`port ${port} is already in use; choose another with --api-port (0 picks a free one)`);
  });
});

/** A port that was free a moment ago and has nobody listening now. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
