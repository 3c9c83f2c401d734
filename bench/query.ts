/**
 * The query API over archives of 10k, 100k and 1M sessions: p50/p99 latency of the real handler
 * (createApiHandler, in this process) and read amplification (items DynamoDB evaluated per item
 * returned), against a Scan-and-filter baseline that pages through the table with the same
 * filters until it holds 100 matches.
 *
 * Each archive lives in dynalite on disk under .bench-cache/ and is seeded once with
 * BatchWriteItem in the store's exact item shape (checked against DynamoArchiveStore first);
 * later runs reuse it. dynalite runs in its own process, so the handler does not share its
 * event loop.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { BY_START_MONTH, START_KEY, startMonthOf } from '../lambdas/adapters/dynamodb/archive-table';
import { DynamoSessionReader } from '../lambdas/adapters/dynamodb/dynamodb-session-reader';
import { ensureArchiveTable } from '../lambdas/adapters/dynamodb/ensure-table';
import { createApiHandler, type ApiHandler } from '../lambdas/api/app';
import type { SourceScope } from '../lambdas/core/session/session';
import { DAY_MS, toIso } from '../lambdas/core/shared/time';
import { localLambdaContext, toProxyEvent } from '../local/api-server';
import { archiveItem, benchOwner, benchSession, benchTarget, itemShapeDigest, verifyItemShape, writeItems } from './session-items';
import { BENCH_ACCOUNT_ID, BENCH_CREDENTIALS, BENCH_REGION, CACHE_DIR, mean, percentile, progress, seededRandom, startJsonLineChild } from './support';

const TABLE = 'bench-archive';
const SCOPE: SourceScope = { source: 'ssm', accountId: BENCH_ACCOUNT_ID, region: BENCH_REGION };
/** Two years of sessions, the same span at every size: a larger archive is a denser one. */
const SPAN_TO = Date.UTC(2026, 0, 1);
const SPAN_FROM = SPAN_TO - 730 * DAY_MS;
const NOW_ISO = toIso(SPAN_TO + DAY_MS);
/** Bump when benchSession changes what it generates, so cached archives are rebuilt. */
const GENERATOR_VERSION = 1;
const PAGE = 100;

interface QueryKind {
  name: string;
  /** The API request, varied by `random` (window and order). */
  url(random: () => number): string;
  /** The same filters as a Scan FilterExpression. */
  scanFilter(url: string): { expression: string; names: Record<string, string>; values: Record<string, unknown> };
}

const BUSIEST_TARGET = benchTarget(0);
const BUSIEST_OWNER = benchOwner(0);
const YEAR_AGO = toIso(SPAN_TO - 365 * DAY_MS);

const QUERY_KINDS: readonly QueryKind[] = [
  {
    name: 'time range (7 days)',
    url: (random) => {
      const from = SPAN_FROM + Math.floor(random() * (SPAN_TO - SPAN_FROM - 7 * DAY_MS));
      return `/sessions?from=${toIso(from)}&to=${toIso(from + 7 * DAY_MS)}&order=${random() < 0.5 ? 'desc' : 'asc'}&limit=${PAGE}`;
    },
    scanFilter: (url) => {
      const query = new URL(url, 'http://bench').searchParams;
      return {
        expression: '#start >= :from AND #start < :to',
        names: { '#start': 'startDate' },
        values: { ':from': toIso(Date.parse(query.get('from') ?? '')), ':to': toIso(Date.parse(query.get('to') ?? '')) },
      };
    },
  },
  {
    name: 'busiest target (1 year)',
    url: (random) => `/sessions?target=${BUSIEST_TARGET}&from=${YEAR_AGO}&order=${random() < 0.5 ? 'desc' : 'asc'}&limit=${PAGE}`,
    scanFilter: () => ({
      expression: '#target = :target AND #start >= :from',
      names: { '#target': 'target', '#start': 'startDate' },
      values: { ':target': BUSIEST_TARGET, ':from': YEAR_AGO },
    }),
  },
  {
    name: 'busiest owner, status Failed',
    url: (random) => `/sessions?owner=${encodeURIComponent(BUSIEST_OWNER)}&status=Failed&order=${random() < 0.5 ? 'desc' : 'asc'}&limit=${PAGE}`,
    scanFilter: () => ({
      expression: '#owner = :owner AND #status = :status',
      names: { '#owner': 'owner', '#status': 'status' },
      values: { ':owner': BUSIEST_OWNER, ':status': 'Failed' },
    }),
  },
];

export interface LatencyStats {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Items DynamoDB evaluated per request, and returned (matched) per request. */
  evaluatedPerRequest: number;
  returnedPerRequest: number;
}

export interface QueryKindResult {
  kind: string;
  handler: LatencyStats;
  /** Evaluated / returned of the handler's reads: 1.0 means nothing read is thrown away. */
  readAmplification: number;
  scan: LatencyStats;
}

export interface SeedingRecord {
  seconds: number;
  itemsPerSecond: number;
  /** When it was seeded (ISO), so a cached archive still reports what seeding cost. */
  at: string;
}

export interface QuerySizeResult {
  size: number;
  /**
   * The store's own cost at this size: one bare DynamoDB Query of up to 100 items on the time
   * index (what a 7-day page needs), no handler. Latency growth from one size to the next that
   * this also shows is dynalite's, not the handler's.
   */
  bareQuery: { requests: number; p50Ms: number; itemsPerRequest: number };
  /** What seeding cost: in this run, or (when `cached`) in the run that seeded it. */
  seeding?: SeedingRecord;
  cached: boolean;
  kinds: QueryKindResult[];
}

export interface QueryBenchOptions {
  sizes: readonly number[];
  /** Measured handler requests per kind and size (after a warm-up of a tenth as many). */
  requests: number;
  /** Measured Scan-baseline requests per kind and size. */
  scanRequests: number;
  /** Only make sure the archives are seeded (the first full run's long step), measure nothing. */
  seedOnly?: boolean;
}

export async function runQueryBench(options: QueryBenchOptions): Promise<QuerySizeResult[]> {
  // The handler's metrics would otherwise print an EMF blob per request.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  // The builder must still write what the store writes, or the archives measure something else.
  await verifyItemShape(SCOPE, NOW_ISO, SPAN_FROM, SPAN_TO);
  const results: QuerySizeResult[] = [];
  for (const size of options.sizes) results.push(await benchmarkSize(size, options));
  return results;
}

async function benchmarkSize(size: number, options: QueryBenchOptions): Promise<QuerySizeResult> {
  const path = join(CACHE_DIR, `query-archive-${size}`);
  const marker = join(path, 'seeded.json');
  const seedingFile = join(path, 'seeding-cost.json');
  const expected = JSON.stringify({ size, generator: GENERATOR_VERSION, itemShape: itemShapeDigest(SCOPE, NOW_ISO, SPAN_FROM, SPAN_TO) });
  const cached = existsSync(marker) && readFileSync(marker, 'utf8') === expected;
  if (!cached) {
    rmSync(path, { recursive: true, force: true });
    mkdirSync(path, { recursive: true });
  }
  const dynalite = await startJsonLineChild<{ endpoint: string }>('bench/dynalite-process.ts', [path]);
  const raw = new DynamoDBClient({ region: BENCH_REGION, endpoint: dynalite.ready.endpoint, credentials: BENCH_CREDENTIALS, maxAttempts: 10 });
  const documents = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  try {
    const result: QuerySizeResult = { size, cached, kinds: [], bareQuery: { requests: 0, p50Ms: Number.NaN, itemsPerRequest: 0 } };
    if (!cached) {
      progress(`seeding a query archive of ${size.toLocaleString('en')} sessions into ${path} (once; later runs reuse it)`);
      await ensureArchiveTable(raw, TABLE);
      const started = performance.now();
      const step = Math.max(50_000, size / 10);
      let reported = 0;
      const itemsPerSecond = await writeItems(documents, TABLE, size, (index) => archiveItem(SCOPE, benchSession(index, SPAN_FROM, SPAN_TO), NOW_ISO), (written) => {
        if (written - reported >= step) {
          reported = written;
          progress(`  ${written.toLocaleString('en')} / ${size.toLocaleString('en')}`);
        }
      });
      result.seeding = { seconds: (performance.now() - started) / 1000, itemsPerSecond, at: new Date().toISOString() };
      writeFileSync(seedingFile, JSON.stringify(result.seeding));
      writeFileSync(marker, expected);
    } else {
      progress(`query archive of ${size.toLocaleString('en')} sessions: reusing ${path}`);
      if (existsSync(seedingFile)) result.seeding = JSON.parse(readFileSync(seedingFile, 'utf8')) as SeedingRecord;
    }
    if (options.seedOnly) return result;

    const reader = new DynamoSessionReader({ client: documents, tableName: TABLE });
    const handler = createApiHandler({
      reader,
      tokenSecret: 'bench-token-secret-bench-token-secret-0000',
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'SessionArchiveBench' }),
      clock: { now: () => SPAN_TO },
    });
    result.bareQuery = await measureBareQuery(documents, options.requests);
    for (const kind of QUERY_KINDS) {
      const random = seededRandom(size + kind.name.length);
      const urls = Array.from({ length: options.requests + Math.ceil(options.requests / 10) }, () => kind.url(random));
      const handlerStats = await measureHandler(handler, reader, urls, Math.ceil(options.requests / 10));
      const scanStats = await measureScan(documents, kind, urls.slice(0, options.scanRequests));
      result.kinds.push({ kind: kind.name, handler: handlerStats.stats, readAmplification: handlerStats.amplification, scan: scanStats });
    }
    progress(`  queried the ${size.toLocaleString('en')}-session archive`);
    return result;
  } finally {
    raw.destroy();
    await dynalite.stop();
  }
}

async function measureHandler(handler: ApiHandler, reader: DynamoSessionReader, urls: readonly string[], warmup: number): Promise<{ stats: LatencyStats; amplification: number }> {
  const call = async (url: string, index: number): Promise<number> => {
    const response = await handler(toProxyEvent({ method: 'GET', url }, `bench-${index}`), localLambdaContext(`bench-${index}`));
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
    return (JSON.parse(response.body) as { sessions: unknown[] }).sessions.length;
  };
  for (const [index, url] of urls.slice(0, warmup).entries()) await call(url, index);
  reader.resetStats();
  const latencies: number[] = [];
  let returned = 0;
  for (const [index, url] of urls.slice(warmup).entries()) {
    const started = performance.now();
    returned += await call(url, index);
    latencies.push(performance.now() - started);
  }
  return {
    stats: {
      requests: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      meanMs: mean(latencies),
      evaluatedPerRequest: reader.stats.scanned / latencies.length,
      returnedPerRequest: returned / latencies.length,
    },
    amplification: reader.stats.scanned / Math.max(1, reader.stats.returned),
  };
}

/** One Query of up to a page on the month partition of a random 7-day window, newest first. */
async function measureBareQuery(documents: DynamoDBDocumentClient, requests: number): Promise<QuerySizeResult['bareQuery']> {
  const random = seededRandom(requests);
  const latencies: number[] = [];
  let items = 0;
  const warmup = Math.ceil(requests / 10);
  for (let i = 0; i < requests + warmup; i++) {
    const from = SPAN_FROM + Math.floor(random() * (SPAN_TO - SPAN_FROM - 7 * DAY_MS));
    const to = toIso(from + 7 * DAY_MS);
    const started = performance.now();
    const output = await documents.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: BY_START_MONTH.name,
        KeyConditionExpression: '#month = :month AND #startKey BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#month': BY_START_MONTH.partitionKey, '#startKey': START_KEY },
        ExpressionAttributeValues: { ':month': startMonthOf(to), ':from': toIso(from), ':to': to },
        ScanIndexForward: false,
        Limit: PAGE,
      }),
    );
    if (i < warmup) continue;
    latencies.push(performance.now() - started);
    items += output.Count ?? 0;
  }
  return { requests, p50Ms: percentile(latencies, 50), itemsPerRequest: items / requests };
}

/** The baseline: Scan pages with the same filters until a page of 100 matches (or the table's end). */
async function measureScan(documents: DynamoDBDocumentClient, kind: QueryKind, urls: readonly string[]): Promise<LatencyStats> {
  const latencies: number[] = [];
  let evaluated = 0;
  let returned = 0;
  for (const url of urls) {
    const filter = kind.scanFilter(url);
    const started = performance.now();
    let matches = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(
        new ScanCommand({
          TableName: TABLE,
          FilterExpression: filter.expression,
          ExpressionAttributeNames: filter.names,
          ExpressionAttributeValues: filter.values,
          ExclusiveStartKey: startKey,
        }),
      );
      matches += page.Count ?? 0;
      evaluated += page.ScannedCount ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey && matches < PAGE);
    latencies.push(performance.now() - started);
    returned += Math.min(matches, PAGE);
  }
  return {
    requests: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    meanMs: mean(latencies),
    evaluatedPerRequest: evaluated / latencies.length,
    returnedPerRequest: returned / latencies.length,
  };
}
