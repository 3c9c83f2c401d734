/**
 * Query across an organisation (`npx tsx bench/query-organization.ts [--sessions N]`): the same N
 * sessions archived under 1 target and spread over 200 (100 accounts × 2 regions), and the same
 * requests against each: read amplification (items DynamoDB evaluated per item returned) and p50
 * latency, through the API handler and the real DynamoDB reader on dynalite.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { parseArgs } from 'node:util';
import { createDocumentClient } from '../lambdas/adapters/aws/clients';
import { DynamoArchiveStore } from '../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { DynamoSessionReader } from '../lambdas/adapters/dynamodb/dynamodb-session-reader';
import { ensureArchiveTable } from '../lambdas/adapters/dynamodb/ensure-table';
import type { ObservedSession, SourceScope } from '../lambdas/core/session/session';
import { DAY_MS, toIso } from '../lambdas/core/shared/time';
import { createApiHandler } from '../lambdas/api/app';
import { localLambdaContext, toProxyEvent } from '../local/api-server';
import { startEmbeddedStore } from '../local/embedded-store';
import { generateSessions } from '../local/ssm-emulator';
import { percentile, progress } from './support';

const now = Date.UTC(2026, 10, 1);
const REQUESTS = 60;

function observed(count: number): ObservedSession[] {
  return generateSessions({ count, seed: 91, fromMs: now - 29 * DAY_MS, toMs: now, openFraction: 0 }).map((s) => ({
    sessionId: s.sessionId,
    target: s.target,
    owner: s.owner,
    status: s.endStatus,
    startDate: toIso(s.startMs),
    ...(s.endMs === null ? {} : { endDate: toIso(s.endMs) }),
    accessType: s.accessType,
  }));
}

function scopes(targets: number): SourceScope[] {
  return Array.from({ length: targets }, (_, i) => ({ source: 'ssm', accountId: String(200_000_000_000 + Math.floor(i / 2)), region: i % 2 === 0 ? 'us-east-1' : 'eu-west-1' }));
}

async function measureLayout(endpoint: string, table: string, sessions: ObservedSession[], targets: number): Promise<{ p50: number; amplification: number; accountFilterAmplification: number }> {
  const documents = createDocumentClient({ region: 'us-east-1', endpoint });
  await ensureArchiveTable(documents, table);
  const store = new DynamoArchiveStore({ client: documents, tableName: table });
  const layout = scopes(targets);
  for (const [i, scope] of layout.entries()) {
    const mine = sessions.filter((_, n) => n % targets === i);
    for (let start = 0; start < mine.length; start += 200) await store.archiveSessions(scope, mine.slice(start, start + 200), toIso(now));
  }
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const reader = new DynamoSessionReader({ client: documents, tableName: table });
  const handler = createApiHandler({ reader, tokenSecret: 'bench-token-secret-bench-token-secret-00', logger: new Logger({ logLevel: 'SILENT' }), metrics: new Metrics({ namespace: 'SessionArchiveBench' }), clock: { now: () => now } });
  const call = async (url: string): Promise<number> => {
    const started = performance.now();
    const response = await handler(toProxyEvent({ method: 'GET', url }, 'bench'), localLambdaContext('bench'));
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
    return performance.now() - started;
  };
  const windows = Array.from({ length: REQUESTS }, (_, i) => now - 28 * DAY_MS + ((i * 7919) % (21 * DAY_MS)));
  for (const from of windows.slice(0, 10)) await call(`/sessions?from=${toIso(from)}&to=${toIso(from + 7 * DAY_MS)}&limit=100`);
  reader.resetStats();
  const latencies: number[] = [];
  for (const from of windows) latencies.push(await call(`/sessions?from=${toIso(from)}&to=${toIso(from + 7 * DAY_MS)}&limit=100`));
  const amplification = reader.stats.scanned / Math.max(1, reader.stats.returned);
  reader.resetStats();
  await call(`/sessions?accountId=${layout[0]?.accountId ?? ''}&limit=100`);
  const accountFilterAmplification = reader.stats.scanned / Math.max(1, reader.stats.returned);
  documents.destroy();
  return { p50: percentile(latencies.sort((a, b) => a - b), 50), amplification, accountFilterAmplification };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sessions: { type: 'string', default: '4000' } } });
  const sessions = observed(Number(values.sessions));
  const store = await startEmbeddedStore();
  try {
    progress(`${sessions.length} sessions under 1 target`);
    const one = await measureLayout(store.endpoint, 'one-target', sessions, 1);
    progress(`${sessions.length} sessions over 200 targets`);
    const many = await measureLayout(store.endpoint, 'two-hundred-targets', sessions, 200);
    process.stdout.write(`${JSON.stringify({ sessions: sessions.length, one, many, growth: { p50: many.p50 / one.p50, amplification: many.amplification / one.amplification } }, null, 2)}\n`);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
