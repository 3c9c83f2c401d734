/**
 * The local HTTP adapter and `session-archive api`: real HTTP requests become API Gateway proxy
 * events for the same handler, against an archive in dynalite.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ApiStartError, parseApiArgs, runApiCommand, startApiService } from '../../bin/commands/api';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { errorBodySchema, sessionsPageSchema } from '../../lambdas/core/query/response-schemas';
import type { ObservedSession } from '../../lambdas/core/session/session';
import { toIso } from '../../lambdas/core/shared/time';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import type { LocalApiServer } from '../../local/api-server';
import { testProcessEnv } from '../support/cli-process';

const TABLE = 'server-archive';
const OWNER_WITH_PLUS = 'arn:aws:iam::123456789012:user/ops+oncall@example.com';

let store: EmbeddedStore;
let dynamo: DynamoDBClient;
let server: LocalApiServer;

beforeAll(async () => {
  store = await startEmbeddedStore();
  dynamo = new DynamoDBClient({ region: 'eu-west-1', endpoint: store.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await ensureArchiveTable(dynamo, TABLE);
  const sessions: ObservedSession[] = Array.from({ length: 30 }, (_, i) => ({
    sessionId: `ops-${String(i).padStart(17, '0')}`,
    target: `i-${i % 3}`,
    status: 'Terminated',
    startDate: toIso(Date.UTC(2026, 0, 1 + i)),
    owner: i % 2 === 0 ? OWNER_WITH_PLUS : 'arn:aws:iam::123456789012:user/alice',
    reason: i === 4 ? '-rf /tmp/cache, then "restart"' : `ticket ${i}`,
  }));
  await new DynamoArchiveStore({ client: DynamoDBDocumentClient.from(dynamo), tableName: TABLE }).archiveSessions(
    { source: 'ssm', accountId: '123456789012', region: 'eu-west-1' },
    sessions,
    toIso(Date.UTC(2026, 1, 1)),
  );
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  server = await startApiService({ table: TABLE, dynamodbEndpoint: store.endpoint, port: 0, host: '127.0.0.1', region: 'eu-west-1' });
});

afterAll(async () => {
  await server?.close();
  dynamo?.destroy();
  await store?.close();
});

describe('local HTTP server', () => {
  it('serves pages with the token in the body and in x-next-token', async () => {
    const first = await fetch(`${server.url}/sessions?limit=20&from=2025-12-01`);
    expect(first.status).toBe(200);
    const page = z.parse(sessionsPageSchema, await first.json());
    expect(page.sessions).toHaveLength(20);
    expect(first.headers.get('x-next-token')).toBe(page.nextToken);
    const second = await fetch(`${server.url}/sessions?limit=20&from=2025-12-01&nextToken=${encodeURIComponent(page.nextToken ?? '')}`);
    const rest = z.parse(sessionsPageSchema, await second.json());
    expect(rest.sessions).toHaveLength(10);
    expect(rest.nextToken).toBeUndefined();
    expect(second.headers.get('x-next-token')).toBeNull();
  });

  it('exports CSV with a neutralised reason and the token in a header', async () => {
    const response = await fetch(`${server.url}/sessions?format=csv&limit=28&order=asc&from=2025-12-01`);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(response.headers.get('x-next-token')).toMatch(/\./);
    const rows = parseCsv(await response.text(), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(28);
    expect(rows[4]?.reason).toBe(`'-rf /tmp/cache, then "restart"`);
  });

  it('decodes query strings as API Gateway does: %2B is a plus, a bare + is a space', async () => {
    const encoded = await fetch(`${server.url}/sessions?owner=${encodeURIComponent(OWNER_WITH_PLUS)}&limit=100`);
    expect(z.parse(sessionsPageSchema, await encoded.json()).sessions).toHaveLength(15);
    const bare = await fetch(`${server.url}/sessions?owner=${OWNER_WITH_PLUS}&limit=100`);
    expect(z.parse(sessionsPageSchema, await bare.json()).sessions).toHaveLength(0);
  });

  it.each([
    ['GET', '/sessions?limit=1&limit=2', 400, 'RepeatedParameter'],
    ['GET', '/sessions?limit=5000', 400, 'InvalidParameter'],
    ['GET', '/sessions?page=2', 400, 'UnknownParameter'],
    ['GET', '/sessions/nope', 404, 'SessionNotFound'],
    ['GET', '/nothing', 404, 'RouteNotFound'],
    ['POST', '/sessions', 405, 'MethodNotAllowed'],
    ['DELETE', '/sessions/ops-1', 405, 'MethodNotAllowed'],
  ])('%s %s is %i %s over HTTP', async (method, path, status, code) => {
    const response = await fetch(`${server.url}${path}`, { method, body: method === 'POST' ? '{"x":1}' : undefined });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    if (status === 405) expect(response.headers.get('allow')).toBe('GET');
    expect(z.parse(errorBodySchema, await response.json()).error.code).toBe(code);
  });

  it('serves the OpenAPI document', async () => {
    const response = await fetch(`${server.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { openapi: string }).openapi).toBe('3.0.3');
  });
});

describe('session-archive api', () => {
  it('refuses to start over a table that does not exist', async () => {
    await expect(startApiService({ table: 'no-such-table', dynamodbEndpoint: store.endpoint, port: 0, host: '127.0.0.1', region: 'eu-west-1' })).rejects.toThrow(
      ApiStartError,
    );
  });

  it('parses its flags', () => {
    expect(parseApiArgs(['--table', 'archive', '--port', '4700', '--dynamodb-endpoint', 'http://127.0.0.1:8000', '--region', 'eu-west-1'])).toEqual({
      help: false,
      table: 'archive',
      port: 4700,
      host: '127.0.0.1',
      region: 'eu-west-1',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
    });
    expect(parseApiArgs(['--help']).help).toBe(true);
  });

  it.each([
    [['--port', '4700'], /--table is required/],
    [['--table', 'a', '--port', '70000'], /--port must be an integer/],
    [['--table', 'a', '--port', 'abc'], /--port must be an integer/],
    [['--table', 'a', '--dynamodb-endpoint', 'localhost:8000'], /http\(s\) URL/],
    [['--table', 'a', '--bogus'], /Unknown option '--bogus'/],
    [['--table'], /argument missing/],
    [['--table', 'a', 'extra'], /positional/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseApiArgs(argv)).toThrow(message);
  });

  it('exits with code 2 on a bad flag', async () => {
    const previous = process.exitCode;
    await runApiCommand(['--table', 'a', '--port', 'nope']);
    expect(process.exitCode).toBe(2);
    process.exitCode = previous;
  });

  it('serves until SIGTERM when run as a command', async () => {
    const root = join(__dirname, '..', '..');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '-e', "require('./bin/commands/api').runApiCommand(process.argv.slice(1))", '--', '--table', TABLE, '--dynamodb-endpoint', store.endpoint, '--port', '0'],
      { cwd: root, env: testProcessEnv({ POWERTOOLS_LOG_LEVEL: 'SILENT' }), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = /Query API listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
    });
    const response = await fetch(`${url}/sessions?limit=1`);
    expect(response.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('Query API stopped');
  });
});
