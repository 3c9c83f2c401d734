/**
 * The planner held up adversarially (issue 13, part 7): a far `to` or `from` walks no empty time
 * bucket, sub-millisecond bounds round like the instants they name, a signed token with a range no
 * query can have is a 400, and a throttled archive is a 503. Real store, reader and handler over
 * dynalite; the reader's own counters say how many Query calls a page took.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient, ProvisionedThroughputExceededException, RequestLimitExceeded } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { migrateAddStartDay } from '../../lambdas/adapters/dynamodb/dynamodb-add-start-day';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { DynamoFindingsReader } from '../../lambdas/adapters/dynamodb/dynamodb-findings-reader';
import { DynamoSessionReader } from '../../lambdas/adapters/dynamodb/dynamodb-session-reader';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { createApiHandler, type ApiHandler } from '../../lambdas/api/app';
import { createPageTokenKeys, issuePageToken } from '../../lambdas/core/query/page-token';
import { parseSessionQuery } from '../../lambdas/core/query/parameters';
import { errorBodySchema, sessionsPageSchema } from '../../lambdas/core/query/response-schemas';
import type { ObservedSession } from '../../lambdas/core/session/session';
import { DAY_MS, toIso } from '../../lambdas/core/shared/time';
import { localLambdaContext, toProxyEvent } from '../../local/api-server';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';

const NOW = Date.UTC(2026, 10, 30);
const SECRET = 'bounds-test-token-secret-0123456789abcdef';
const SCOPE = { source: 'ssm', accountId: '123456789012', region: 'eu-west-1' };
/** 60 sessions over two months; one starts exactly at 10:00:00.000. */
const SESSIONS: ObservedSession[] = Array.from({ length: 60 }, (_, i) => ({
  sessionId: `alice-${i.toString(16).padStart(17, '0')}`,
  target: 'i-0123456789abcdef0',
  status: 'Terminated',
  startDate: i === 0 ? '2026-10-01T10:00:00.000Z' : toIso(Date.UTC(2026, 9, 1, 11) + i * DAY_MS + i * 1000),
}));

let store: EmbeddedStore;
let documents: DynamoDBDocumentClient;
let reader: DynamoSessionReader;
let findingsReader: DynamoFindingsReader;

function handlerFor(sessionReader: DynamoSessionReader, findings: DynamoFindingsReader = findingsReader): ApiHandler {
  return createApiHandler({
    reader: sessionReader,
    findings,
    tokenSecret: SECRET,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'SessionArchiveTest' }),
    clock: { now: () => NOW },
  });
}

let requests = 0;
function call(api: ApiHandler, path: string): Promise<APIGatewayProxyResult> {
  const id = `bounds-${++requests}`;
  return api(toProxyEvent({ method: 'GET', url: path }, id), localLambdaContext(id));
}

async function firstPage(api: ApiHandler, path: string, counted: { stats: { queries: number } }): Promise<{ ids: string[]; queries: number; body: string; status: number }> {
  const before = counted.stats.queries;
  const response = await call(api, path);
  const ids = response.statusCode === 200 && path.startsWith('/sessions') ? z.parse(sessionsPageSchema, JSON.parse(response.body)).sessions.map((s) => s.sessionId) : [];
  return { ids, queries: counted.stats.queries - before, body: response.body, status: response.statusCode };
}

beforeAll(async () => {
  store = await startEmbeddedStore();
  const dynamo = new DynamoDBClient({ region: 'eu-west-1', endpoint: store.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  documents = DynamoDBDocumentClient.from(dynamo);
  await ensureArchiveTable(dynamo, 'bounds');
  await new DynamoArchiveStore({ client: documents, tableName: 'bounds' }).archiveSessions(SCOPE, SESSIONS, toIso(NOW - DAY_MS));
  reader = new DynamoSessionReader({ client: documents, tableName: 'bounds' });
  findingsReader = new DynamoFindingsReader({ client: documents, tableName: 'bounds' });
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
}, 60_000);

afterAll(async () => store?.close());

const newestFirst = [...SESSIONS].sort((a, b) => b.startDate.localeCompare(a.startDate)).map((s) => s.sessionId);
const oldestFirst = [...newestFirst].reverse();

describe('a far to or from walks no empty bucket', () => {
  it('before the migration: months, bounded by what can exist (a day after now, Session Manager launch)', async () => {
    const api = handlerFor(reader);
    const far = await firstPage(api, '/sessions?to=9999-12-31&limit=10', reader);
    expect(far.ids).toEqual(newestFirst.slice(0, 10));
    // November (empty) then October: never the 95,000 months up to 9999.
    expect(far.queries).toBeLessThanOrEqual(3);
    const old = await firstPage(api, '/sessions?from=1970-01-01&order=asc&limit=10', reader);
    expect(old.ids).toEqual(oldestFirst.slice(0, 10));
    // From 2018-09, not 1970: 97 empty months within one request's budget.
    expect(old.queries).toBeLessThanOrEqual(100);
  });

  it('after the migration: days, bounded by the earliest and latest start archived', async () => {
    let run;
    do run = await migrateAddStartDay(documents, 'bounds', { totalSegments: 2, pageSize: 25, maxPages: 3, writeConcurrency: 4 });
    while (!run.complete);
    expect((await reader.readTimeIndexState()).dayIndex).toBe(true);
    const api = handlerFor(reader);
    const far = await firstPage(api, '/sessions?to=9999-12-31&limit=10', reader);
    expect(far.ids).toEqual(newestFirst.slice(0, 10));
    expect(far.queries).toBeLessThanOrEqual(10);
    const old = await firstPage(api, '/sessions?from=1970-01-01&order=asc&limit=10', reader);
    expect(old.ids).toEqual(oldestFirst.slice(0, 10));
    expect(old.queries).toBeLessThanOrEqual(10);
    const findings = await firstPage(api, '/findings?to=9999-12-31&limit=10', findingsReader);
    expect(findings.status).toBe(200);
    // Findings keep months, bounded alike: October and November at most.
    expect(findings.queries).toBeLessThanOrEqual(2);
    const beyond = await firstPage(api, '/sessions?from=2030-01-01&to=9999-12-31', reader);
    expect(beyond).toMatchObject({ ids: [], queries: 0, status: 200 });
    expect(JSON.parse(beyond.body).nextToken).toBeUndefined();
  });
});

describe('sub-millisecond from and to', () => {
  const api = () => handlerFor(reader);
  const at = SESSIONS[0]?.sessionId as string;

  it('to=…T10:00:00.0005Z (exclusive) includes a session at …T10:00:00.000Z', async () => {
    const page = await firstPage(api(), '/sessions?from=2026-10-01T09:00:00Z&to=2026-10-01T10:00:00.0005Z', reader);
    expect(page.ids).toEqual([at]);
  });

  it('from=…T10:00:00.0005Z (inclusive) excludes it', async () => {
    const page = await firstPage(api(), '/sessions?from=2026-10-01T10:00:00.0005Z&to=2026-10-01T11:00:00Z', reader);
    expect(page.ids).toEqual([]);
  });

  it('a fraction of exactly whole milliseconds changes nothing', async () => {
    const page = await firstPage(api(), '/sessions?from=2026-10-01T10:00:00.000000Z&to=2026-10-01T10:00:00.0010000Z', reader);
    expect(page.ids).toEqual([at]);
  });

  it('rounding past the latest instant is a 400, not a key out of range', async () => {
    const page = await firstPage(api(), '/sessions?to=9999-12-31T23:59:59.9995Z', reader);
    expect(page.status).toBe(400);
    expect(JSON.parse(page.body).error.message).toContain("parameter 'to' must lie between");
  });
});

describe('tokens with a range no query can have', () => {
  const keys = createPageTokenKeys({ current: SECRET });

  it.each([
    ['an extreme range', { from: -8.64e15, to: 8.64e15 }],
    ['a range beyond year 9999', { from: 0, to: Date.parse('9999-12-31T23:59:59.999Z') + 1 }],
    ['a reversed range', { from: NOW, to: NOW - DAY_MS }],
  ])('%s, correctly signed, is a 400', async (_name, range) => {
    const query = parseSessionQuery({ limit: ['5'] });
    const token = issuePageToken(query, { range, partition: '2026-10' }, keys, NOW);
    const response = await call(handlerFor(reader), `/sessions?limit=5&nextToken=${encodeURIComponent(token)}`);
    expect(response.statusCode, response.body).toBe(400);
    expect(z.parse(errorBodySchema, JSON.parse(response.body)).error.code).toBe('InvalidNextToken');
  });

  it('a range that is not the explicit from/to of its query is a 400', async () => {
    const query = parseSessionQuery({ from: ['2026-10-01'], to: ['2026-11-01'] });
    const token = issuePageToken(query, { range: { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 10, 1) }, partition: '2026-10' }, keys, NOW);
    const response = await call(handlerFor(reader), `/sessions?from=2026-10-01&to=2026-11-01&nextToken=${encodeURIComponent(token)}`);
    expect(response.statusCode, response.body).toBe(400);
    expect(z.parse(errorBodySchema, JSON.parse(response.body)).error.code).toBe('InvalidNextToken');
  });
});

describe('a throttled archive', () => {
  const faults: Array<[string, () => Error]> = [
    ['ProvisionedThroughputExceededException', () => new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded', $metadata: {} })],
    ['RequestLimitExceeded', () => new RequestLimitExceeded({ message: 'Throughput exceeds the current throughput limit for your account', $metadata: {} })],
    ['ThrottlingException', () => Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ThrottlingException' })],
  ];

  it.each(faults)('%s is a 503 the caller may retry, on every route that reads', async (_name, fault) => {
    // dynalite never throttles: the real client fails before its retries, as it does after them on AWS.
    const dynamo = new DynamoDBClient({ region: 'eu-west-1', endpoint: store.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    dynamo.middlewareStack.add(
      () => async () => {
        throw fault();
      },
      { step: 'build', name: 'throttle' },
    );
    const throttled = DynamoDBDocumentClient.from(dynamo);
    const api = handlerFor(new DynamoSessionReader({ client: throttled, tableName: 'bounds' }), new DynamoFindingsReader({ client: throttled, tableName: 'bounds' }));
    for (const path of ['/sessions?limit=5', '/sessions?target=i-0123456789abcdef0', '/findings', '/coverage', `/sessions/${SESSIONS[1]?.sessionId ?? ''}`]) {
      const response = await call(api, path);
      expect(response.statusCode, `${path} ${response.body}`).toBe(503);
      expect(response.headers?.['retry-after']).toBe('1');
      expect(z.parse(errorBodySchema, JSON.parse(response.body)).error.code).toBe('Throttled');
    }
  });
});
