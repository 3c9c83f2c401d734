/**
 * Query API latency over a large archive: `npx tsx bench/query-latency.ts [options]`.
 * Not part of `npm test`.
 *
 * For each archive size it runs dynalite in a child process (on disk, so a seeded archive is
 * reused by later runs), seeds it with BatchWriteItem in exactly the item shape the archive store
 * writes (checked against the store before seeding), then calls the query handler in this process
 * with 100-item pages of time-range, target and owner queries and reports p50/p99 latency and
 * read amplification. The claim under test: cost grows with the page, not with the archive.
 *
 * Options:
 *   --sizes 100000,1000000   archive sizes (default)
 *   --requests 300           measured requests per query kind and size
 *   --data-dir DIR           where the seeded archives live (default: $TMPDIR/session-archive-bench)
 *   --fresh                  re-seed even when a seeded archive exists
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { sessionKey } from '../lambdas/adapters/dynamodb/archive-table';
import { DynamoArchiveStore } from '../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { DynamoSessionReader } from '../lambdas/adapters/dynamodb/dynamodb-session-reader';
import { ensureArchiveTable } from '../lambdas/adapters/dynamodb/ensure-table';
import { createApiHandler, type ApiHandler } from '../lambdas/api/app';
import { mapWithConcurrency, sleep } from '../lambdas/core/shared/concurrency';
import { parseSessionQuery } from '../lambdas/core/query/parameters';
import { planQuery, resolveRange } from '../lambdas/core/query/plan';
import { scopeKey, type ObservedSession, type SourceScope } from '../lambdas/core/session/session';
import { DAY_MS, toIso } from '../lambdas/core/shared/time';
import { archiveItem } from './session-items';
import { localLambdaContext, toProxyEvent } from '../local/api-server';

const TABLE = 'bench-archive';
const SCOPE: SourceScope = { source: 'ssm', accountId: '123456789012', region: 'eu-west-1' };
const SPAN_TO = Date.UTC(2026, 0, 1);
const SPAN_FROM = SPAN_TO - 730 * DAY_MS;
const NOW_ISO = toIso(SPAN_TO + DAY_MS);
const TARGETS = 2000;
const OWNERS = 300;
/** Bump when the generated data changes, so stale seeded archives are rebuilt. */
const DATA_VERSION = 2;

/** Deterministic sessions: a skewed fleet and staff, as real archives have, over two years. */
function sessionAt(index: number): ObservedSession {
  const random = mulberry32(index * 2654435761);
  const target = `i-${(Math.floor(TARGETS * random() ** 2) + 0x1000).toString(16).padStart(17, '0')}`;
  const owner = `arn:aws:sts::123456789012:assumed-role/Operator/user${Math.floor(OWNERS * random() ** 1.5)}`;
  const start = SPAN_FROM + Math.floor(random() * (SPAN_TO - SPAN_FROM));
  const status = random() < 0.05 ? 'Failed' : random() < 0.02 ? 'Connected' : 'Terminated';
  const session: ObservedSession = {
    sessionId: `user-${index.toString(16).padStart(17, '0')}`,
    target,
    status,
    startDate: toIso(start),
    owner,
    documentName: random() < 0.6 ? 'SSM-SessionManagerRunShell' : 'AWS-StartPortForwardingSession',
    accessType: random() < 0.1 ? 'JustInTime' : 'Standard',
  };
  if (status !== 'Connected') session.endDate = toIso(start + Math.floor(random() * 3 * 3_600_000) + 1000);
  if (random() < 0.5) session.reason = `Maintenance ticket INC-${Math.floor(random() * 100_000)}`;
  return session;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Dynalite {
  endpoint: string;
  stop(): Promise<void>;
}

/** dynalite in its own process, so the measured handler does not share an event loop with it. */
async function startDynalite(path: string): Promise<Dynalite> {
  const script = "require('./local/embedded-store').startEmbeddedStore({ path: process.argv[1] }).then((s) => console.log('ENDPOINT ' + s.endpoint))";
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', '-e', script, path], { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ENDPOINT (\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
  });
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function documentClient(endpoint: string): { raw: DynamoDBClient; documents: DynamoDBDocumentClient } {
  const raw = new DynamoDBClient({ region: SCOPE.region, endpoint, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 10 });
  return { raw, documents: DynamoDBDocumentClient.from(raw) };
}

/** The bench writes items itself for speed; this proves they are the items the store would write. */
async function verifyItemShape(documents: DynamoDBDocumentClient): Promise<void> {
  const probe: ObservedSession = { ...sessionAt(0), sessionId: 'shape-probe-0000000000', reason: 'shape probe' };
  await new DynamoArchiveStore({ client: documents, tableName: TABLE }).archiveSessions(SCOPE, [probe], NOW_ISO);
  const stored = (await documents.send(new GetCommand({ TableName: TABLE, Key: sessionKey(probe.sessionId, scopeKey(SCOPE)) }))).Item;
  const built = archiveItem(SCOPE, probe, NOW_ISO);
  const sorted = (item: Record<string, unknown> | undefined) => JSON.stringify(Object.fromEntries(Object.entries(item ?? {}).sort(([a], [b]) => a.localeCompare(b))));
  if (sorted(stored) !== sorted(built)) throw new Error(`bench items differ from the store's:\n store ${sorted(stored)}\n bench ${sorted(built)}`);
}

async function seed(documents: DynamoDBDocumentClient, count: number): Promise<void> {
  const batches = Math.ceil(count / 25);
  const started = performance.now();
  let written = 0;
  const indexes = Array.from({ length: batches }, (_, i) => i);
  await mapWithConcurrency(indexes, 12, async (batch) => {
    let requests = Array.from({ length: Math.min(25, count - batch * 25) }, (_, i) => ({ PutRequest: { Item: archiveItem(SCOPE, sessionAt(batch * 25 + i), NOW_ISO) } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      const result = await documents.send(new BatchWriteCommand({ RequestItems: { [TABLE]: requests } }));
      requests = (result.UnprocessedItems?.[TABLE] ?? []) as typeof requests;
    }
    written += 25;
    if (batch % 2000 === 0) {
      const rate = written / ((performance.now() - started) / 1000);
      process.stderr.write(`  seeded ${Math.min(written, count)} / ${count} (${Math.round(rate)} items/s)\n`);
    }
  });
  process.stderr.write(`  seeded ${count} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

interface Measurement {
  kind: string;
  p50: number;
  p99: number;
  mean: number;
  itemsPerPage: number;
  amplification: number;
  /** The same page as one bare DynamoDB Query (the store's own cost), for comparison. */
  queryP50: number;
  queryP99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** The first index read the planner would make for this URL, timed alone. */
async function timeBareQuery(reader: DynamoSessionReader, url: string): Promise<number> {
  const search = new URL(url, 'http://bench').searchParams;
  const raw = Object.fromEntries([...search.keys()].map((name) => [name, search.getAll(name)]));
  const query = parseSessionQuery(raw);
  const plan = planQuery(query, resolveRange(query, SPAN_TO));
  const partition = plan.partitions.first;
  if (partition === undefined) throw new Error(`empty plan for ${url}`);
  const started = performance.now();
  await reader.readPartition({ index: plan.index, partition, keyRange: plan.keyRange, conditions: plan.conditions, order: plan.order, maxEvaluated: query.limit });
  return performance.now() - started;
}

async function measure(handler: ApiHandler, reader: DynamoSessionReader, kind: string, urls: readonly string[], warmup: number): Promise<Measurement> {
  const call = async (url: string) => {
    const response = await handler(toProxyEvent({ method: 'GET', url }, 'bench'), localLambdaContext('bench'));
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
    return (JSON.parse(response.body) as { sessions: unknown[] }).sessions.length;
  };
  for (const url of urls.slice(0, warmup)) await call(url);
  reader.resetStats();
  const latencies: number[] = [];
  let items = 0;
  for (const url of urls.slice(warmup)) {
    const started = performance.now();
    items += await call(url);
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  const bare: number[] = [];
  for (const url of urls.slice(warmup)) bare.push(await timeBareQuery(reader, url));
  bare.sort((a, b) => a - b);
  return {
    queryP50: percentile(bare, 50),
    queryP99: percentile(bare, 99),
    kind,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    mean: latencies.reduce((sum, value) => sum + value, 0) / latencies.length,
    itemsPerPage: items / latencies.length,
    amplification: reader.stats.scanned / Math.max(1, reader.stats.returned),
  };
}

/** Request URLs: a random 7-day window, the busiest target over a year, the busiest owner. */
function requestUrls(kind: string, count: number): string[] {
  const random = mulberry32(kind.length * 7919 + count);
  return Array.from({ length: count }, () => {
    const windowStart = SPAN_FROM + Math.floor(random() * (SPAN_TO - SPAN_FROM - 7 * DAY_MS));
    const from = toIso(windowStart);
    const to = toIso(windowStart + 7 * DAY_MS);
    const order = random() < 0.5 ? 'desc' : 'asc';
    if (kind === 'time range (7 days)') return `/sessions?from=${from}&to=${to}&order=${order}&limit=100`;
    if (kind === 'target (1 year)') return `/sessions?target=i-${(0x1000).toString(16).padStart(17, '0')}&from=${toIso(SPAN_TO - 365 * DAY_MS)}&order=${order}&limit=100`;
    return `/sessions?owner=${encodeURIComponent('arn:aws:sts::123456789012:assumed-role/Operator/user0')}&order=${order}&limit=100`;
  });
}

async function benchmarkSize(size: number, dataDir: string, requests: number, fresh: boolean): Promise<Measurement[]> {
  const path = join(dataDir, `archive-${size}`);
  const marker = join(path, 'seeded.json');
  const expectedMarker = JSON.stringify({ size, version: DATA_VERSION });
  const reuse = !fresh && existsSync(marker) && readFileSync(marker, 'utf8') === expectedMarker;
  if (!reuse) {
    rmSync(path, { recursive: true, force: true });
    mkdirSync(path, { recursive: true });
  }
  const dynalite = await startDynalite(path);
  const { raw, documents } = documentClient(dynalite.endpoint);
  try {
    if (!reuse) {
      process.stderr.write(`seeding ${size} sessions into ${path}\n`);
      await ensureArchiveTable(raw, TABLE);
      await verifyItemShape(documents);
      await seed(documents, size);
      writeFileSync(marker, expectedMarker);
    } else {
      process.stderr.write(`reusing the seeded archive of ${size} sessions in ${path}\n`);
    }
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const reader = new DynamoSessionReader({ client: documents, tableName: TABLE });
    const handler = createApiHandler({
      reader,
      tokenSecret: 'bench-token-secret-bench-token-secret-00',
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'SessionArchiveBench' }),
      clock: { now: () => SPAN_TO },
    });
    const results: Measurement[] = [];
    for (const kind of ['time range (7 days)', 'target (1 year)', 'owner (all time)']) {
      results.push(await measure(handler, reader, kind, requestUrls(kind, requests + 30), 30));
    }
    return results;
  } finally {
    raw.destroy();
    await dynalite.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '100000,1000000' },
      requests: { type: 'string', default: '300' },
      'data-dir': { type: 'string', default: join(tmpdir(), 'session-archive-bench') },
      fresh: { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const requests = Number(values.requests);
  if (sizes.some((size) => !Number.isInteger(size) || size < 1000) || !Number.isInteger(requests) || requests < 10) {
    throw new Error('--sizes takes whole numbers of at least 1000, --requests at least 10');
  }
  const bySize = new Map<number, Measurement[]>();
  for (const size of sizes) bySize.set(size, await benchmarkSize(size, values['data-dir'], requests, values.fresh));

  const lines = [
    `Query handler latency, 100-item pages, ${requests} requests each (ms); "bare Query" is the same page as one DynamoDB Query without the handler`,
    '',
    '| archive | query | p50 | p99 | mean | items/page | evaluated/returned | bare Query p50 | bare Query p99 |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [size, results] of bySize) {
    for (const r of results) {
      lines.push(
        `| ${size.toLocaleString('en')} | ${r.kind} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.mean.toFixed(1)} | ${r.itemsPerPage.toFixed(0)} | ${r.amplification.toFixed(2)} | ${r.queryP50.toFixed(1)} | ${r.queryP99.toFixed(1)} |`,
      );
    }
  }
  const [small, large] = sizes;
  const smallResults = small === undefined ? undefined : bySize.get(small);
  const largeResults = large === undefined ? undefined : bySize.get(large);
  if (smallResults && largeResults) {
    lines.push('', `| query | p50 ratio ${large}/${small} | p99 ratio | bare Query p50 ratio | handler minus bare Query, p50 (${small} → ${large}) |`, '|---|---|---|---|---|');
    for (const [i, r] of largeResults.entries()) {
      const base = smallResults[i];
      if (!base) continue;
      const overhead = (m: Measurement) => (m.p50 - m.queryP50).toFixed(1);
      lines.push(`| ${r.kind} | ${(r.p50 / base.p50).toFixed(2)} | ${(r.p99 / base.p99).toFixed(2)} | ${(r.queryP50 / base.queryP50).toFixed(2)} | ${overhead(base)} → ${overhead(r)} |`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
