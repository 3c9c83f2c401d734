/**
 * Fuzz: thousands of random and hostile query strings through the handler, against dynalite with
 * the real SDK. Whatever comes in, the answer is a 200 with a valid page or a 4xx JSON error that
 * says what was wrong, never a 5xx and never a stack trace.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { DynamoSessionReader } from '../../lambdas/adapters/dynamodb/dynamodb-session-reader';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { createApiHandler, type ApiHandler } from '../../lambdas/api/app';
import { errorBodySchema, sessionsPageSchema } from '../../lambdas/core/query/response-schemas';
import type { ObservedSession } from '../../lambdas/core/session/session';
import { toIso } from '../../lambdas/core/shared/time';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { generateSessions } from '../../local/ssm-emulator';
import { localLambdaContext, toProxyEvent } from '../../local/api-server';

const FUZZ_RUNS = 5000;
const TABLE = 'fuzz-archive';

let store: EmbeddedStore;
let dynamo: DynamoDBClient;
let handler: ApiHandler;
const realTokens: { search: string; token: string }[] = [];
const outcomes = { ok: 0, clientError: 0, byCode: new Map<string, number>() };

beforeAll(async () => {
  store = await startEmbeddedStore();
  dynamo = new DynamoDBClient({ region: 'eu-west-1', endpoint: store.endpoint, credentials: { accessKeyId: 'fuzz', secretAccessKey: 'fuzz' } });
  await ensureArchiveTable(dynamo, TABLE);
  const documents = DynamoDBDocumentClient.from(dynamo);
  const sessions: ObservedSession[] = generateSessions({ count: 200, seed: 5, fromMs: Date.UTC(2025, 5, 1), toMs: Date.UTC(2026, 0, 1), openFraction: 0 }).map(
    (s) => ({
      sessionId: s.sessionId,
      target: s.target,
      status: s.endStatus,
      startDate: toIso(s.startMs),
      ...(s.endMs === null ? {} : { endDate: toIso(s.endMs) }),
      owner: s.owner,
      accessType: s.accessType,
      ...(s.documentName === undefined ? {} : { documentName: s.documentName }),
      ...(s.reason === undefined ? {} : { reason: s.reason }),
    }),
  );
  await new DynamoArchiveStore({ client: documents, tableName: TABLE }).archiveSessions({ source: 'ssm', accountId: '123456789012', region: 'eu-west-1' }, sessions, toIso(Date.UTC(2026, 0, 2)));
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  handler = createApiHandler({
    reader: new DynamoSessionReader({ client: documents, tableName: TABLE }),
    tokenSecret: 'fuzz-token-secret-fuzz-token-secret-0123',
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'SessionArchiveTest' }),
    clock: { now: () => Date.UTC(2026, 0, 2) },
    // Input handling is under test here, not the walk: one index read per request keeps 5,000 fast.
    budget: { maxReads: 1, maxEvaluated: 100 },
  });
  for (const search of ['limit=1', 'limit=2&order=asc', 'from=2025-07-01&limit=1', 'status=Terminated&limit=1&format=csv']) {
    const response = await get(`/sessions?${search}`);
    const token = response.headers?.['x-next-token'];
    if (typeof token === 'string') realTokens.push({ search, token });
  }
});

afterAll(async () => {
  dynamo?.destroy();
  await store?.close();
});

let requestCount = 0;
function get(url: string): Promise<APIGatewayProxyResult> {
  const requestId = `fuzz-${++requestCount}`;
  return handler(toProxyEvent({ method: 'GET', url }, requestId), localLambdaContext(requestId));
}

/** The contract every response must keep, whatever the input. */
function assertContract(response: APIGatewayProxyResult, input: string): void {
  expect(response.statusCode, input).toBeLessThan(500);
  expect([200, 400, 404], input).toContain(response.statusCode);
  expect(response.body, input).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  const contentType = String(response.headers?.['content-type'] ?? '');
  if (response.statusCode >= 400) {
    const body = z.parse(errorBodySchema, JSON.parse(response.body));
    expect(body.error.message.length, input).toBeGreaterThan(0);
    outcomes.clientError++;
    outcomes.byCode.set(body.error.code, (outcomes.byCode.get(body.error.code) ?? 0) + 1);
  } else {
    if (contentType.startsWith('application/json')) z.parse(sessionsPageSchema, JSON.parse(response.body));
    outcomes.ok++;
  }
}

const KNOWN = ['from', 'to', 'target', 'owner', 'status', 'document', 'accessType', 'reason', 'order', 'limit', 'nextToken', 'format'];
const INJECTIONS = [
  "' OR '1'='1",
  '"; DROP TABLE sessions; --',
  '${jndi:ldap://127.0.0.1/a}',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  'attribute_exists(pk) OR #x = :y',
  ':partition',
  '#startKey',
  'contains(reason, :c0)',
  '{"$ne":null}',
  '=HYPERLINK("http://127.0.0.1")',
  '\u0000',
  '\u202Eevil',
  '%00',
  '__proto__',
  'SESSION#x',
  'x'.repeat(5000),
];
const BAD_DATES = [
  '2024-02-30', '2023-02-29', '2024-13-01', '2024-00-10', '0000-00-00', '9999-99-99T99:99:99Z', '+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z',
  '1e10', 'NaN', 'Infinity', 'now', 'yesterday', '2024-01-01T00:00:00.0000000000000000000001Z', '2024-01-01T00:00:00+25:00', '2024-01-01T24:00:00Z',
  '1969-12-31T23:59:59Z', '0001-01-01', '9999-12-31T23:59:59.999Z', '２０２４-01-01', '2024-1-1', '20240101', '2024-01-01 00:00:00Z', '2024-01-01t00:00:00z',
  '2024-01-01T00:00:00', '1700000000', '2024-W01', '2024-001',
];
const BAD_LIMITS = ['-1', '0', '1001', '1e3', '0x10', '99999999999999999999999', '1.5', ' 10', '10 ', '', '١٠', 'NaN', '-0', '+5', '00000000100', '1000', '1'];

const names = fc.oneof(
  { arbitrary: fc.constantFrom(...KNOWN), weight: 24 },
  { arbitrary: fc.constantFrom('Limit', 'LIMIT', ' limit', 'limit[]', 'sessionId', 'page', 'offset', 'sort', '__proto__', 'constructor', 'toString', ''), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 1 },
);

function values(tokens: readonly string[]) {
  return fc.oneof(
    fc.constantFrom(...BAD_DATES),
    fc.constantFrom(...BAD_LIMITS),
    fc.constantFrom(...INJECTIONS),
    fc.constantFrom('asc', 'desc', 'DESC', 'json', 'jsonl', 'csv', 'xml', 'Terminated', 'Failed', 'terminated', 'Standard', 'JustInTime'),
    fc.integer({ min: Date.UTC(1960, 0, 1), max: Date.UTC(2100, 0, 1) }).map((ms) => toIso(ms)),
    fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(...tokens),
    // Mutated real tokens: one character changed, cut short, or extended.
    fc.tuple(fc.constantFrom(...tokens), fc.nat(), fc.constantFrom('A', '_', '-', '.', '=', '%', '0')).map(([token, at, c]) => {
      const i = at % token.length;
      return token.slice(0, i) + c + token.slice(i + 1);
    }),
    fc.tuple(fc.constantFrom(...tokens), fc.nat()).map(([token, at]) => token.slice(0, at % token.length)),
    // Forged: a plausible payload with a made-up signature.
    fc.tuple(fc.json(), fc.string({ minLength: 43, maxLength: 43 })).map(([json, sig]) => `${Buffer.from(json).toString('base64url')}.${Buffer.from(sig).toString('base64url').slice(0, 43)}`),
  );
}

/** Pairs encoded properly, or raw with broken percent-escapes and separators. */
function queryStrings(tokens: readonly string[]) {
  const pair = fc.tuple(names, values(tokens), fc.constantFrom('encoded', 'encoded', 'encoded', 'raw'));
  return fc
    .tuple(fc.array(pair, { maxLength: 6 }), fc.constantFrom('', '&', '&&', '%', '%zz', '%E0%A4%A', '=', '==x', '?', '#frag'))
    .map(([pairs, junk]) =>
      pairs.map(([name, value, style]) => (style === 'raw' ? `${name}=${value}` : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)).join('&') + junk,
    );
}

describe('fuzzing GET /sessions', () => {
  it(`${FUZZ_RUNS} random and hostile query strings: always a 200 page or a 4xx JSON error`, async () => {
    expect(realTokens.length).toBeGreaterThanOrEqual(3);
    const tokens = realTokens.map((t) => t.token);
    await fc.assert(
      fc.asyncProperty(queryStrings(tokens), async (query) => {
        const url = `/sessions?${query}`;
        assertContract(await get(url), url);
      }),
      { numRuns: FUZZ_RUNS },
    );
    console.info(`fuzz outcomes: ${outcomes.ok} pages, ${outcomes.clientError} client errors ${JSON.stringify(Object.fromEntries(outcomes.byCode))}`);
    // The fuzz must reach both sides of validation, and every kind of refusal.
    expect(outcomes.ok).toBeGreaterThan(FUZZ_RUNS * 0.03);
    expect(outcomes.clientError).toBeGreaterThan(FUZZ_RUNS * 0.5);
    for (const code of ['InvalidParameter', 'UnknownParameter', 'RepeatedParameter', 'InvalidNextToken']) expect(outcomes.byCode.get(code) ?? 0, code).toBeGreaterThan(10);
  });

  it('every real token is refused with other filters, and every mutation of it is refused', async () => {
    for (const { search, token } of realTokens) {
      const other = await get(`/sessions?${search}&reason=x&nextToken=${encodeURIComponent(token)}`);
      expect(other.statusCode).toBe(400);
      expect(JSON.parse(other.body).error.code).toBe('InvalidNextToken');
      for (let i = 0; i < token.length; i += 7) {
        const mutated = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
        const response = await get(`/sessions?${search}&nextToken=${encodeURIComponent(mutated)}`);
        expect(response.statusCode, mutated).toBe(400);
        expect(JSON.parse(response.body).error.code).toBe('InvalidNextToken');
      }
    }
  });

  it('hostile session ids are a 404 or a 400, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 120 }), fc.constantFrom(...INJECTIONS)), async (id) => {
        const url = `/sessions/${encodeURIComponent(id)}`;
        const response = await get(url);
        expect([400, 404], url).toContain(response.statusCode);
        z.parse(errorBodySchema, JSON.parse(response.body));
      }),
      { numRuns: 300 },
    );
  });

  it('events API Gateway could send but a URL cannot carry: lone surrogates, empty and missing value lists', async () => {
    const base = toProxyEvent({ method: 'GET', url: '/sessions' }, 'direct');
    const events: APIGatewayProxyEvent[] = [
      { ...base, queryStringParameters: { owner: 'a\uD800b' }, multiValueQueryStringParameters: { owner: ['a\uD800b'] } },
      { ...base, queryStringParameters: { reason: '\uDC00' }, multiValueQueryStringParameters: null },
      { ...base, queryStringParameters: { limit: undefined }, multiValueQueryStringParameters: { limit: [] } },
      { ...base, queryStringParameters: null, multiValueQueryStringParameters: { limit: ['5', '6'] } },
      { ...base, resource: '/sessions/{sessionId}', path: '/sessions/x', pathParameters: { sessionId: '\uD800' } },
      { ...base, resource: '/sessions/{sessionId}', path: '/sessions/', pathParameters: null },
    ];
    for (const event of events) {
      const response = await handler(event, localLambdaContext('direct'));
      assertContract(response, JSON.stringify(event.multiValueQueryStringParameters ?? event.pathParameters));
    }
  });
});
