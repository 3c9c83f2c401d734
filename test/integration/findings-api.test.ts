/**
 * `GET /findings` over a real dynalite table: findings written by the store the compliance check
 * uses, read through the handler the Lambda runs. Pages followed to the end equal a brute-force
 * filter of what was written, for every filter and order; formats, tokens and errors behave as on
 * `/sessions`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { DynamoFindingsReader } from '../../lambdas/adapters/dynamodb/dynamodb-findings-reader';
import { DynamoFindingsStore } from '../../lambdas/adapters/dynamodb/dynamodb-findings-store';
import { DynamoSessionReader } from '../../lambdas/adapters/dynamodb/dynamodb-session-reader';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { createApiHandler, type ApiHandler } from '../../lambdas/api/app';
import { findingIdOf, findingSchema, type ComplianceFinding } from '../../lambdas/core/compliance/finding';
import { RULE_IDS } from '../../lambdas/core/compliance/rules';
import { mapWithConcurrency } from '../../lambdas/core/shared/concurrency';
import { restoreCell } from '../../lambdas/core/query/csv';
import { FINDING_CSV_COLUMNS } from '../../lambdas/core/query/findings-formats';
import { DEFAULT_FROM_MS } from '../../lambdas/core/query/plan';
import { errorBodySchema, findingsPageSchema } from '../../lambdas/core/query/response-schemas';
import { DAY_MS, toIso } from '../../lambdas/core/shared/time';
import { localLambdaContext, toProxyEvent } from '../../local/api-server';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';

const TABLE = 'findings-api';
const NOW = Date.UTC(2026, 8, 1);
const TARGETS = ['i-0aaaaaaaaaaaaaaaa', 'i-0bbbbbbbbbbbbbbbb', 'mi-prod-db-01'];
const OWNERS = ['arn:aws:sts::123456789012:assumed-role/OnCall/alice', 'arn:aws:iam::123456789012:user/ops+oncall@example.com', 'arn:aws:iam::123456789012:user/bob'];

let store: EmbeddedStore;
let handler: ApiHandler;
let tightHandler: ApiHandler;
const written: ComplianceFinding[] = [];
/** Sessions archived next to the findings. */
let sessionCount = 0;

/** 140 findings of 70 sessions over eight months, with a few sessions in the same instant. */
function seedFindings(): ComplianceFinding[] {
  const findings: ComplianceFinding[] = [];
  for (let i = 0; i < 70; i++) {
    const start = Date.UTC(2026, 0, 3) + Math.floor((i * 7919) % 240) * DAY_MS + (i % 5) * 3_600_000;
    const session = {
      sessionId: `user${i % 9}-${i.toString(16).padStart(17, '0')}`,
      target: TARGETS[i % TARGETS.length] as string,
      owner: OWNERS[(i >> 1) % OWNERS.length] as string,
      status: 'Terminated',
      startDate: toIso(start),
      endDate: toIso(start + 5 * 3_600_000),
      accountId: '123456789012',
      region: i % 7 === 0 ? 'us-east-1' : 'eu-west-1',
      source: 'ssm',
    };
    for (const rule of [RULE_IDS[i % RULE_IDS.length], RULE_IDS[(i + 2) % RULE_IDS.length]] as const) {
      findings.push({
        findingId: findingIdOf(session, rule),
        rule,
        message: i % 11 === 0 ? '=HYPERLINK("x") -rf, "quoted"' : `breach of ${rule}`,
        detectedAt: toIso(start + 6 * 3_600_000),
        sourceEventId: `${session.sessionId}#hash${i}`,
        ...session,
        ...(i % 4 === 0 ? { reason: 'Überprüfung, "quoted"\nline two' } : {}),
        ...(i % 3 === 0 ? { accessType: 'Standard', documentName: 'AWS-StartSSHSession' } : {}),
      });
    }
  }
  return findings;
}

beforeAll(async () => {
  store = await startEmbeddedStore();
  const dynamo = new DynamoDBClient({ region: 'eu-west-1', endpoint: store.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await ensureArchiveTable(dynamo, TABLE);
  const documents = DynamoDBDocumentClient.from(dynamo);
  const findingsStore = new DynamoFindingsStore({ client: documents, tableName: TABLE });
  written.push(...seedFindings());
  await mapWithConcurrency(written, 16, (finding) => findingsStore.recordFinding(finding));
  // Sessions in the same table: /findings must never return them, /sessions never the findings.
  const sessions = new Map(written.slice(0, 30).map((finding) => [finding.sessionId, { sessionId: finding.sessionId, target: finding.target, owner: finding.owner, status: 'Terminated', startDate: finding.startDate }]));
  sessionCount = sessions.size;
  await new DynamoArchiveStore({ client: documents, tableName: TABLE }).archiveSessions({ source: 'ssm', accountId: '123456789012', region: 'eu-west-1' }, [...sessions.values()], toIso(NOW));
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const deps = {
    reader: new DynamoSessionReader({ client: documents, tableName: TABLE }),
    findings: new DynamoFindingsReader({ client: documents, tableName: TABLE }),
    tokenSecret: 'findings-test-token-secret-0123456789abcdef',
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'SessionArchiveTest' }),
    clock: { now: () => NOW },
  };
  handler = createApiHandler(deps);
  // Three reads per request: pages come back short, with a token, and must still add up.
  tightHandler = createApiHandler({ ...deps, budget: { maxReads: 3, maxEvaluated: 40 } });
}, 60_000);

afterAll(async () => store?.close());

let requests = 0;
function call(path: string, api: ApiHandler = handler): Promise<APIGatewayProxyResult> {
  const id = `findings-${++requests}`;
  return api(toProxyEvent({ method: 'GET', url: path }, id), localLambdaContext(id));
}

type Filters = Partial<Record<'from' | 'to' | 'rule' | 'target' | 'owner' | 'order', string>>;

function bruteForce(filters: Filters): string[] {
  const from = filters.from === undefined ? DEFAULT_FROM_MS : Date.parse(filters.from);
  const to = filters.to === undefined ? NOW + DAY_MS : Date.parse(filters.to);
  const found = written.filter((finding) => {
    const start = Date.parse(finding.startDate);
    return (
      start >= from &&
      start < to &&
      (filters.rule === undefined || finding.rule === filters.rule) &&
      (filters.target === undefined || finding.target === filters.target) &&
      (filters.owner === undefined || finding.owner === filters.owner)
    );
  });
  // Ties (one session, several rules; one instant, several sessions) have no defined order: compare sets per start.
  const order = filters.order === 'asc' ? 1 : -1;
  return found.sort((a, b) => order * a.startDate.localeCompare(b.startDate)).map((finding) => finding.findingId);
}

async function allPages(filters: Filters, limit: number, api: ApiHandler = handler): Promise<{ ids: string[]; starts: string[]; pages: number }> {
  const ids: string[] = [];
  const starts: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const query = new URLSearchParams({ ...filters, limit: String(limit), ...(nextToken ? { nextToken } : {}) });
    const response = await call(`/findings?${query.toString()}`, api);
    expect(response.statusCode, response.body).toBe(200);
    const page = z.parse(findingsPageSchema, JSON.parse(response.body));
    ids.push(...page.findings.map((finding) => finding.findingId));
    starts.push(...page.findings.map((finding) => finding.startDate));
    nextToken = page.nextToken;
    pages++;
  } while (nextToken !== undefined);
  return { ids, starts, pages };
}

describe('GET /findings', () => {
  it.each<[string, Filters]>([
    ['everything, newest first', {}],
    ['everything, oldest first', { order: 'asc' }],
    ['one rule', { rule: 'off-hours' }],
    ['one target', { target: 'mi-prod-db-01', order: 'asc' }],
    ['one owner with a plus in its ARN', { owner: OWNERS[1] as string }],
    ['a time range across months', { from: '2026-02-10', to: '2026-05-03T12:00:00Z' }],
    ['rule, target, owner and range together', { rule: 'max-duration', target: TARGETS[0] as string, owner: OWNERS[0] as string, from: '2026-01-01', to: '2026-09-01' }],
    ['a range with nothing in it', { from: '2030-01-01', to: '2030-02-01' }],
  ])('%s: the pages, followed to the end, are exactly the matching findings in order', async (_name, filters) => {
    const expected = bruteForce(filters);
    const { ids, starts } = await allPages(filters, 9);
    expect([...ids].sort()).toEqual([...expected].sort());
    expect(new Set(ids).size).toBe(ids.length);
    const sorted = [...starts].sort();
    expect(starts).toEqual(filters.order === 'asc' ? sorted : sorted.reverse());
  });

  it('does bounded work per request: short pages with a token still add up to the whole answer', async () => {
    const filters: Filters = { rule: 'reason-required' };
    const tight = await allPages(filters, 50, tightHandler);
    expect([...tight.ids].sort()).toEqual(bruteForce(filters).sort());
    expect(tight.pages).toBeGreaterThan(3);
  });

  it('never mixes in sessions, and /sessions never returns findings', async () => {
    const { ids } = await allPages({}, 1000);
    expect(ids).toHaveLength(written.length);
    const sessions = JSON.parse((await call('/sessions?limit=1000')).body) as { sessions: unknown[] };
    expect(sessions.sessions).toHaveLength(sessionCount);
  });

  it('serves every finding field as written, valid against the schema', async () => {
    const response = await call('/findings?limit=1000');
    const served = new Map(z.parse(findingsPageSchema, JSON.parse(response.body)).findings.map((finding) => [finding.findingId, finding]));
    for (const finding of written) expect(z.parse(findingSchema, served.get(finding.findingId))).toEqual(finding);
  });

  it('exports JSON Lines and CSV with the token in x-next-token, and neutralised cells', async () => {
    const jsonl = await call('/findings?format=jsonl&limit=5&order=asc');
    expect(jsonl.headers?.['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const lines = jsonl.body.trimEnd().split('\n').map((line) => z.parse(findingSchema, JSON.parse(line)));
    const oldestStarts = written.map((finding) => finding.startDate).sort().slice(0, 5);
    expect(lines.map((finding) => finding.startDate)).toEqual(oldestStarts);
    expect(typeof jsonl.headers?.['x-next-token']).toBe('string');

    const csv = await call('/findings?format=csv&limit=1000');
    expect(csv.headers?.['content-type']).toBe('text/csv; charset=utf-8; header=present');
    const rows = parseCsv(csv.body, { columns: true, relax_column_count: false }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...FINDING_CSV_COLUMNS]);
    expect(rows).toHaveLength(written.length);
    const formula = rows.find((row) => row.message?.startsWith("'="));
    expect(formula?.message).toBe(`'=HYPERLINK("x") -rf, "quoted"`);
    const byId = new Map(written.map((finding) => [finding.findingId, finding]));
    for (const row of rows) {
      const finding = byId.get(row.findingId ?? '');
      expect(restoreCell(row.reason ?? '')).toBe(finding?.reason ?? '');
      expect(row.target).toBe(finding?.target);
    }
  });

  it('binds tokens to their query: other filters, or a /sessions token, are a 400', async () => {
    const first = JSON.parse((await call('/findings?rule=off-hours&limit=2')).body) as { nextToken: string };
    const other = await call(`/findings?rule=max-duration&limit=2&nextToken=${encodeURIComponent(first.nextToken)}`);
    expect(other.statusCode).toBe(400);
    expect(z.parse(errorBodySchema, JSON.parse(other.body)).error.code).toBe('InvalidNextToken');

    const sessionsToken = (JSON.parse((await call('/sessions?limit=2')).body) as { nextToken: string }).nextToken;
    const crossed = await call(`/findings?limit=2&nextToken=${encodeURIComponent(sessionsToken)}`);
    expect([crossed.statusCode, (JSON.parse(crossed.body) as { error: { code: string } }).error.code]).toEqual([400, 'InvalidNextToken']);

    // limit and format may change from page to page.
    const next = await call(`/findings?rule=off-hours&limit=5&format=jsonl&nextToken=${encodeURIComponent(first.nextToken)}`);
    expect(next.statusCode).toBe(200);
  });

  it.each([
    ['/findings?rule=too-long', 'InvalidParameter', /parameter 'rule' must be one of max-duration, reason-required, owner-not-allowed, forbidden-document, just-in-time-required, off-hours \(got 'too-long'\)/],
    ['/findings?status=Failed', 'UnknownParameter', /unknown parameter 'status'; accepted: from, to, rule, target, owner, accountId, region, source, order, limit, nextToken, format/],
    ['/findings?from=2026-05-01&to=2026-04-01', 'InvalidParameter', /'from' \(2026-05-01\) is later than 'to' \(2026-04-01\)/],
    ['/findings?limit=0', 'InvalidParameter', /parameter 'limit' must be between 1 and 1000/],
    ['/findings?rule=off-hours&rule=max-duration', 'RepeatedParameter', /parameter 'rule' given more than once/],
  ])('answers %s with a 400 %s that says what was wrong', async (path, code, message) => {
    const response = await call(path);
    expect(response.statusCode).toBe(400);
    const body = z.parse(errorBodySchema, JSON.parse(response.body));
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(message);
  });

  it('answers POST with 405 and Allow: GET', async () => {
    const response = await handler(toProxyEvent({ method: 'POST', url: '/findings' }, 'post'), localLambdaContext('post'));
    expect([response.statusCode, response.headers?.allow]).toEqual([405, 'GET']);
  });
});
