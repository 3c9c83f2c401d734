/**
 * One archive for an organisation: sessions of several accounts × regions (and a second source)
 * written through the store the sweeper uses, into dynalite, read through the handler the Lambda
 * runs. Following the pages of `/sessions` and `/findings` with `accountId`, `region` and
 * `source` gives exactly what a brute-force filter over the written sessions gives; `/coverage`
 * lists every target, filtered alike, with its last error; bad values are a 400 naming the
 * parameter.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { SOURCES_PARTITION } from '../../lambdas/adapters/dynamodb/archive-table';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { DynamoFindingsReader } from '../../lambdas/adapters/dynamodb/dynamodb-findings-reader';
import { DynamoFindingsStore } from '../../lambdas/adapters/dynamodb/dynamodb-findings-store';
import { DynamoSessionReader } from '../../lambdas/adapters/dynamodb/dynamodb-session-reader';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { createApiHandler, type ApiHandler } from '../../lambdas/api/app';
import { findingIdOf, type ComplianceFinding } from '../../lambdas/core/compliance/finding';
import { mapWithConcurrency } from '../../lambdas/core/shared/concurrency';
import { coverageReportSchema, errorBodySchema, findingsPageSchema, sessionsPageSchema } from '../../lambdas/core/query/response-schemas';
import { scopeKey, type ObservedSession, type SourceScope } from '../../lambdas/core/session/session';
import { EMPTY_SWEEP_STATE } from '../../lambdas/core/sweep/sweep-state';
import { DAY_MS, toIso } from '../../lambdas/core/shared/time';
import { localLambdaContext, toProxyEvent } from '../../local/api-server';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';

const TABLE = 'organization-query';
const NOW = Date.UTC(2026, 10, 30);
const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const REGIONS = ['us-east-1', 'eu-west-1'];
const SCOPES: SourceScope[] = [
  ...ACCOUNTS.flatMap((accountId) => REGIONS.map((region) => ({ source: 'ssm', accountId, region }))),
  { source: 'alibaba', accountId: '222222222222', region: 'cn-hangzhou' },
];
const STATUSES = ['Terminated', 'Failed', 'Connected'];

interface Written {
  scope: SourceScope;
  session: ObservedSession;
}

let store: EmbeddedStore;
let handler: ApiHandler;
let tightHandler: ApiHandler;
const written: Written[] = [];
const findings: ComplianceFinding[] = [];

/** 35 sessions per target over three months; every start is distinct, so the order is defined. */
function seed(): void {
  SCOPES.forEach((scope, s) => {
    for (let i = 0; i < 35; i++) {
      const start = Date.UTC(2026, 7, 20) + ((i * 7 + s * 3) % 100) * DAY_MS + (s * 35 + i) * 60_000;
      written.push({
        scope,
        session: {
          sessionId: `auditor-${s}-${i.toString(16).padStart(15, '0')}`,
          target: `i-0${String(i % 4).repeat(16)}`,
          owner: `arn:aws:iam::${scope.accountId}:user/auditor${i % 3}`,
          status: STATUSES[i % STATUSES.length] as string,
          startDate: toIso(start),
        },
      });
    }
  });
}

beforeAll(async () => {
  store = await startEmbeddedStore();
  const dynamo = new DynamoDBClient({ region: 'eu-west-1', endpoint: store.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await ensureArchiveTable(dynamo, TABLE);
  const documents = DynamoDBDocumentClient.from(dynamo);
  seed();
  const archive = new DynamoArchiveStore({ client: documents, tableName: TABLE });
  for (const scope of SCOPES) {
    await archive.archiveSessions(scope, written.filter((entry) => entry.scope === scope).map((entry) => entry.session), toIso(NOW - DAY_MS));
    await archive.saveSweepState(scope, { ...EMPTY_SWEEP_STATE, watermark: NOW - DAY_MS, coverage: [{ from: NOW - 30 * DAY_MS, to: NOW - DAY_MS }] }, 0);
  }
  // The sweeper's contract: a failing target's sweep state carries `lastError`.
  await documents.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: { pk: SOURCES_PARTITION, sk: scopeKey(SCOPES[2] as SourceScope) },
      UpdateExpression: 'SET lastError = :error',
      ExpressionAttributeValues: { ':error': { kind: 'AccessDenied', message: 'not authorized to perform ssm:DescribeSessions', since: toIso(NOW - 2 * DAY_MS) } },
    }),
  );
  const findingsStore = new DynamoFindingsStore({ client: documents, tableName: TABLE });
  for (const { scope, session } of written.filter((_, i) => i % 3 === 0)) {
    findings.push({
      findingId: findingIdOf({ ...session, ...scope }, 'reason-required'),
      rule: 'reason-required',
      message: 'no reason given',
      detectedAt: toIso(NOW),
      sourceEventId: `${session.sessionId}#event`,
      sessionId: session.sessionId,
      target: session.target,
      status: session.status,
      startDate: session.startDate,
      ...(session.owner === undefined ? {} : { owner: session.owner }),
      ...scope,
    });
  }
  await mapWithConcurrency(findings, 8, (finding) => findingsStore.recordFinding(finding));

  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const deps = {
    reader: new DynamoSessionReader({ client: documents, tableName: TABLE }),
    findings: new DynamoFindingsReader({ client: documents, tableName: TABLE }),
    tokenSecret: 'organization-test-token-secret-0123456789',
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'SessionArchiveTest' }),
    clock: { now: () => NOW },
  };
  handler = createApiHandler(deps);
  tightHandler = createApiHandler({ ...deps, budget: { maxReads: 2, maxEvaluated: 30 } });
}, 60_000);

afterAll(async () => store?.close());

let requests = 0;
function call(path: string, api: ApiHandler = handler): Promise<APIGatewayProxyResult> {
  const id = `organization-${++requests}`;
  return api(toProxyEvent({ method: 'GET', url: path }, id), localLambdaContext(id));
}

type Filters = Partial<Record<'accountId' | 'region' | 'source' | 'status' | 'order' | 'from' | 'to', string>>;

function matches(scope: SourceScope, status: string, start: string, filters: Filters): boolean {
  return (
    (filters.accountId === undefined || scope.accountId === filters.accountId) &&
    (filters.region === undefined || scope.region === filters.region) &&
    (filters.source === undefined || scope.source === filters.source) &&
    (filters.status === undefined || status === filters.status) &&
    (filters.from === undefined || start >= toIso(Date.parse(filters.from))) &&
    (filters.to === undefined || start < toIso(Date.parse(filters.to)))
  );
}

/** Brute force over what was written, in the order asked for. */
function expectedIds(items: ReadonlyArray<{ id: string; start: string; scope: SourceScope; status: string }>, filters: Filters): string[] {
  const direction = filters.order === 'asc' ? 1 : -1;
  return items
    .filter((item) => matches(item.scope, item.status, item.start, filters))
    .sort((a, b) => direction * a.start.localeCompare(b.start))
    .map((item) => item.id);
}

async function allPages(route: '/sessions' | '/findings', filters: Filters, limit: number, api: ApiHandler = handler): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const query = new URLSearchParams({ ...filters, limit: String(limit), ...(nextToken ? { nextToken } : {}) });
    const response = await call(`${route}?${query.toString()}`, api);
    expect(response.statusCode, response.body).toBe(200);
    if (route === '/sessions') {
      const page = z.parse(sessionsPageSchema, JSON.parse(response.body));
      ids.push(...page.sessions.map((session) => `${session.sessionId}@${session.source}#${session.accountId}#${session.region}`));
      nextToken = page.nextToken;
    } else {
      const page = z.parse(findingsPageSchema, JSON.parse(response.body));
      ids.push(...page.findings.map((finding) => finding.findingId));
      nextToken = page.nextToken;
    }
  } while (nextToken !== undefined);
  return ids;
}

const CASES: Array<[string, Filters]> = [
  ['every target', {}],
  ['one account', { accountId: '222222222222' }],
  ['one region, oldest first', { region: 'eu-west-1', order: 'asc' }],
  ['one source', { source: 'alibaba' }],
  ['the other source', { source: 'ssm', order: 'asc' }],
  ['one target: account, region and source', { accountId: '333333333333', region: 'us-east-1', source: 'ssm' }],
  ['account and status', { accountId: '111111111111', status: 'Failed' }],
  ['region and a time range', { region: 'us-east-1', from: '2026-09-10', to: '2026-10-20T12:00:00Z' }],
  ['an account the archive does not hold', { accountId: '999999999999' }],
  ['a region no account of that source has', { source: 'alibaba', region: 'eu-west-1' }],
];

describe('GET /sessions across an organisation', () => {
  const sessions = () => written.map(({ scope, session }) => ({ id: `${session.sessionId}@${scopeKey(scope)}`, start: session.startDate, scope, status: session.status }));

  it.each(CASES)('%s: the pages equal a brute-force filter, in order', async (_name, filters) => {
    expect(await allPages('/sessions', filters, 13)).toEqual(expectedIds(sessions(), filters));
  });

  it('does the same bounded work per request: a tight budget still adds up to the whole answer', async () => {
    for (const filters of [{}, { accountId: '111111111111', region: 'eu-west-1' }] satisfies Filters[]) {
      expect(await allPages('/sessions', filters, 20, tightHandler)).toEqual(expectedIds(sessions(), filters));
    }
  });

  it('binds a token to the target filters: another account with the same token is a 400', async () => {
    const first = await call('/sessions?accountId=111111111111&limit=5');
    const token = z.parse(sessionsPageSchema, JSON.parse(first.body)).nextToken ?? '';
    const other = await call(`/sessions?accountId=222222222222&limit=5&nextToken=${encodeURIComponent(token)}`);
    expect(other.statusCode).toBe(400);
    expect(z.parse(errorBodySchema, JSON.parse(other.body)).error.code).toBe('InvalidNextToken');
  });
});

describe('GET /findings across an organisation', () => {
  const all = () => findings.map((finding) => ({ id: finding.findingId, start: finding.startDate, scope: finding, status: finding.status }));

  // /findings has no status filter.
  it.each(CASES.filter(([, filters]) => filters.status === undefined))('%s: the pages equal a brute-force filter, in order', async (_name, filters) => {
    expect(await allPages('/findings', filters, 7)).toEqual(expectedIds(all(), filters));
  });
});

describe('GET /coverage across an organisation', () => {
  async function coverage(query: string) {
    const response = await call(`/coverage${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return z.parse(coverageReportSchema, JSON.parse(response.body)).sources;
  }

  it('lists every target, sorted, with the last error of a failing one', async () => {
    const sources = await coverage('');
    expect(sources.map((entry) => `${entry.source}#${entry.accountId}#${entry.region}`)).toEqual(SCOPES.map(scopeKey).sort());
    const failing = sources.filter((entry) => entry.lastError !== null);
    expect(failing.map((entry) => `${entry.source}#${entry.accountId}#${entry.region}`)).toEqual([scopeKey(SCOPES[2] as SourceScope)]);
    expect(failing[0]?.lastError).toEqual({ kind: 'AccessDenied', message: 'not authorized to perform ssm:DescribeSessions', since: toIso(NOW - 2 * DAY_MS) });
    expect(sources.every((entry) => entry.watermark === toIso(NOW - DAY_MS))).toBe(true);
  });

  it.each<[string, string, (scope: SourceScope) => boolean]>([
    ['one account', '?accountId=222222222222', (scope) => scope.accountId === '222222222222'],
    ['one region', '?region=us-east-1', (scope) => scope.region === 'us-east-1'],
    ['one source', '?source=alibaba', (scope) => scope.source === 'alibaba'],
    ['all three', '?accountId=111111111111&region=eu-west-1&source=ssm', (scope) => scopeKey(scope) === 'ssm#111111111111#eu-west-1'],
  ])('filters by %s', async (_name, query, keep) => {
    const sources = await coverage(query);
    expect(sources.map((entry) => `${entry.source}#${entry.accountId}#${entry.region}`)).toEqual(SCOPES.filter(keep).map(scopeKey).sort());
  });
});

describe('bad target filters', () => {
  it.each([
    ['accountId', '12345'],
    ['accountId', '12345678901a'],
    ['accountId', '1234567890123'],
    ['region', 'EU-WEST-1'],
    ['region', 'eu_west_1'],
    ['region', 'x'.repeat(40)],
    ['source', 'aws'],
    ['source', 'SSM'],
  ])('%s=%s is a 400 naming the parameter on every route', async (name, value) => {
    for (const route of ['/sessions', '/findings', '/coverage']) {
      const response = await call(`${route}?${name}=${encodeURIComponent(value)}`);
      expect(response.statusCode, `${route} ${response.body}`).toBe(400);
      const body = z.parse(errorBodySchema, JSON.parse(response.body));
      expect(body.error.code).toBe('InvalidParameter');
      expect(body.error.message).toContain(`parameter '${name}'`);
    }
  });

  it('an unknown parameter on /coverage is still a 400', async () => {
    const response = await call('/coverage?account=111111111111');
    expect(response.statusCode).toBe(400);
    expect(z.parse(errorBodySchema, JSON.parse(response.body)).error.code).toBe('UnknownParameter');
  });
});
