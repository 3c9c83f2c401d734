/**
 * The `add-start-day` migration, from an archive written by the previous release: session items
 * without `startDay` and no bounds item (that release's store wrote exactly today's attributes
 * but those two, so the archive is made by today's store and then stripped of them). Run in small
 * bounded steps, interrupted once, repeated after it finished: nothing is lost or changed but the
 * added day, and every query answers the same before (months) and after (days), a token from
 * before included.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ARCHIVE_BOUNDS_KEY, KEY } from '../../lambdas/adapters/dynamodb/archive-table';
import { DynamoAddStartDayStore, migrateAddStartDay } from '../../lambdas/adapters/dynamodb/dynamodb-add-start-day';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { DynamoSessionReader } from '../../lambdas/adapters/dynamodb/dynamodb-session-reader';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { createApiHandler, type ApiHandler } from '../../lambdas/api/app';
import { runAddStartDay, type MigrationRunOptions } from '../../lambdas/core/migrations/add-start-day';
import { sessionsPageSchema } from '../../lambdas/core/query/response-schemas';
import type { ObservedSession, SourceScope } from '../../lambdas/core/session/session';
import { DAY_MS, toIso } from '../../lambdas/core/shared/time';
import { localLambdaContext, toProxyEvent } from '../../local/api-server';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';

const TABLE = 'previous-release';
const NOW = Date.UTC(2026, 10, 30);
const SCOPES: SourceScope[] = [
  { source: 'ssm', accountId: '111111111111', region: 'eu-west-1' },
  { source: 'ssm', accountId: '222222222222', region: 'us-east-1' },
];
const SMALL_RUN: MigrationRunOptions = { totalSegments: 3, pageSize: 20, maxPages: 4, writeConcurrency: 4 };

type Item = Record<string, unknown>;

let store: EmbeddedStore;
let documents: DynamoDBDocumentClient;
let handler: ApiHandler;
let reader: DynamoSessionReader;
let before: Map<string, Item>;

async function scanAll(): Promise<Map<string, Item>> {
  const items = new Map<string, Item>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: startKey, ConsistentRead: true }));
    for (const item of page.Items ?? []) items.set(`${String(item[KEY.partition])}|${String(item[KEY.sort])}`, item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

let requests = 0;
async function allPages(query: string, limit: number): Promise<{ ids: string[]; firstToken?: string }> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  let firstToken: string | undefined;
  do {
    const id = `migration-${++requests}`;
    const url = `/sessions?${query}&limit=${limit}${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`;
    const response = await handler(toProxyEvent({ method: 'GET', url }, id), localLambdaContext(id));
    expect(response.statusCode, response.body).toBe(200);
    const page = z.parse(sessionsPageSchema, JSON.parse(response.body));
    ids.push(...page.sessions.map((session) => `${session.sessionId}@${session.accountId}`));
    nextToken = page.nextToken;
    firstToken ??= nextToken;
  } while (nextToken !== undefined);
  return firstToken === undefined ? { ids } : { ids, firstToken };
}

const QUERIES = ['order=desc', 'order=asc', 'from=2026-09-03T12:00:00Z&to=2026-10-17', 'accountId=222222222222&order=asc', 'to=9999-12-31', 'from=1970-01-01&order=asc'];

beforeAll(async () => {
  store = await startEmbeddedStore();
  const dynamo = new DynamoDBClient({ region: 'eu-west-1', endpoint: store.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  documents = DynamoDBDocumentClient.from(dynamo);
  await ensureArchiveTable(dynamo, TABLE);
  const archive = new DynamoArchiveStore({ client: documents, tableName: TABLE });
  for (const [s, scope] of SCOPES.entries()) {
    const sessions: ObservedSession[] = Array.from({ length: 90 }, (_, i) => ({
      sessionId: `bob-${s}${i.toString(16).padStart(16, '0')}`,
      target: `i-0${String(i % 5).repeat(16)}`,
      status: i % 9 === 0 ? 'Connected' : 'Terminated',
      startDate: toIso(Date.UTC(2026, 8, 1) + i * 0.9 * DAY_MS + s * 7_000),
      ...(i % 4 === 0 ? { reason: `INC-${i}` } : {}),
    }));
    await archive.archiveSessions(scope, sessions, toIso(NOW - DAY_MS));
  }
  // The previous release's shape: no startDay on any session, no bounds item.
  for (const item of (await scanAll()).values()) {
    if (!String(item[KEY.partition]).startsWith('SESSION#')) continue;
    await documents.send(new UpdateCommand({ TableName: TABLE, Key: { pk: item.pk, sk: item.sk }, UpdateExpression: 'REMOVE startDay' }));
  }
  await documents.send(new DeleteCommand({ TableName: TABLE, Key: { ...ARCHIVE_BOUNDS_KEY } }));
  before = await scanAll();
  reader = new DynamoSessionReader({ client: documents, tableName: TABLE });
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  handler = createApiHandler({
    reader,
    tokenSecret: 'migration-test-token-secret-0123456789abc',
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'SessionArchiveTest' }),
    clock: { now: () => NOW },
  });
}, 60_000);

afterAll(async () => store?.close());

describe('the add-start-day migration', () => {
  it('starts from the previous release: no session has startDay, and queries walk months', async () => {
    const sessions = [...before.values()].filter((item) => String(item.pk).startsWith('SESSION#'));
    expect(sessions).toHaveLength(180);
    expect(sessions.some((item) => 'startDay' in item)).toBe(false);
    expect(await reader.readTimeIndexState()).toEqual({ dayIndex: false });
  });

  it('in bounded, interrupted, repeated runs loses nothing, and every query answers the same on days', async () => {
    const answersBefore = await Promise.all(QUERIES.map((query) => allPages(query, 11)));
    const pendingToken = answersBefore[0]?.firstToken;
    expect(pendingToken).toBeDefined();

    // A run that dies after its first page is stored: the next run repeats at most that page.
    const ports = new DynamoAddStartDayStore(documents, TABLE);
    let saves = 0;
    const crashing = Object.assign(Object.create(ports) as DynamoAddStartDayStore, {
      saveProgress: async (...args: Parameters<DynamoAddStartDayStore['saveProgress']>) => {
        if (++saves === 2) throw new Error('the Lambda timed out');
        return ports.saveProgress(...args);
      },
    });
    await expect(runAddStartDay(crashing, SMALL_RUN)).rejects.toThrow('timed out');

    const runs = [];
    for (let run = await migrateAddStartDay(documents, TABLE, SMALL_RUN); ; run = await migrateAddStartDay(documents, TABLE, SMALL_RUN)) {
      runs.push(run);
      expect(run.pagesRead).toBeLessThanOrEqual(SMALL_RUN.maxPages);
      if (run.complete) break;
      expect(runs.length).toBeLessThan(50);
    }
    expect(runs.length).toBeGreaterThan(1);
    // Finished: another run reads and changes nothing.
    expect(await migrateAddStartDay(documents, TABLE, SMALL_RUN)).toMatchObject({ complete: true, pagesRead: 0, itemsUpdated: 0 });

    const after = await scanAll();
    for (const [key, old] of before) {
      const now = after.get(key);
      expect(now, key).toBeDefined();
      if (!String(old.pk).startsWith('SESSION#')) continue;
      const { startDay, ...rest } = now as Item;
      expect(rest, key).toEqual(old);
      expect(startDay).toBe(String(old.startDate).slice(0, 10));
    }
    const added = [...after.keys()].filter((key) => !before.has(key)).sort();
    expect(added).toEqual(['ARCHIVE|BOUNDS', 'ARCHIVE|MIGRATION#add-start-day']);
    const starts = [...before.values()].filter((item) => String(item.pk).startsWith('SESSION#')).map((item) => String(item.startDate)).sort();
    expect(after.get('ARCHIVE|BOUNDS')).toMatchObject({ earliestStart: starts[0], latestStart: starts.at(-1) });

    expect(await reader.readTimeIndexState()).toEqual({ dayIndex: true, bounds: { earliest: Date.parse(starts[0] as string), latest: Date.parse(starts.at(-1) as string) } });
    const answersAfter = await Promise.all(QUERIES.map((query) => allPages(query, 11)));
    expect(answersAfter.map((answer) => answer.ids)).toEqual(answersBefore.map((answer) => answer.ids));

    // A token issued on months continues on days: the rest of the walk is the same.
    const rest: string[] = [];
    let nextToken: string | undefined = pendingToken;
    while (nextToken !== undefined) {
      const id = `migration-${++requests}`;
      const response = await handler(toProxyEvent({ method: 'GET', url: `/sessions?order=desc&limit=11&nextToken=${encodeURIComponent(nextToken)}` }, id), localLambdaContext(id));
      expect(response.statusCode, response.body).toBe(200);
      const page = z.parse(sessionsPageSchema, JSON.parse(response.body));
      rest.push(...page.sessions.map((session) => `${session.sessionId}@${session.accountId}`));
      nextToken = page.nextToken;
    }
    expect(rest).toEqual(answersBefore[0]?.ids.slice(11));
  });

  it('new writes carry startDay and widen the bounds', async () => {
    const archive = new DynamoArchiveStore({ client: documents, tableName: TABLE });
    const late = { sessionId: 'carol-0123456789abcdef0', target: 'i-0aaaaaaaaaaaaaaaa', status: 'Connected', startDate: toIso(NOW - 3_600_000) };
    await archive.archiveSessions(SCOPES[0] as SourceScope, [late], toIso(NOW));
    const { ids } = await allPages('to=9999-12-31', 1);
    expect(ids[0]).toBe(`${late.sessionId}@111111111111`);
    expect((await scanAll()).get(`SESSION#${late.sessionId}|ssm#111111111111#eu-west-1`)?.startDay).toBe(late.startDate.slice(0, 10));
  });
});
