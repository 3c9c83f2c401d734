/**
 * The sweeper's side of the backfill benchmark, in a process of its own so that its peak RSS is
 * the sweeper's alone (the emulator and dynalite run in other processes).
 *
 * `node --import tsx bench/child-sweep.ts --ssm URL --dynamodb URL --table T --now MS
 *    [--resweep] [--raw-items N] [--store-items N]`
 *
 * Prints a `ready` line with the RSS after loading its modules, then one result line:
 * 1. backfill: the first sweep of everything SSM holds (peak RSS is read right after it);
 * 2. nothing new: a second sweep at the same instant;
 * 3. with --resweep: the checkpoint is deleted and the whole window swept again (all unchanged);
 * 4. raw baselines on the same dynalite: BatchWriteItem of archive items, and the store's own
 *    write path (`archiveSessions`) without SSM.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseArgs } from 'node:util';
import { SOURCES_PARTITION } from '../lambdas/adapters/dynamodb/archive-table';
import { createSsmClient } from '../lambdas/adapters/aws/clients';
import { DynamoArchiveStore } from '../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { ensureArchiveTable } from '../lambdas/adapters/dynamodb/ensure-table';
import { SsmSessionSource } from '../lambdas/adapters/aws/ssm-session-source';
import { chunk } from '../lambdas/core/shared/concurrency';
import type { Clock, HistoryQuery, SessionSource, SourcePage } from '../lambdas/core/sweep/ports';
import type { ObservedSession } from '../lambdas/core/session/session';
import { scopeKey } from '../lambdas/core/session/session';
import { sweep, type SweepSummary } from '../lambdas/core/sweep/sweep';
import { DAY_MS, toIso } from '../lambdas/core/shared/time';
import { archiveItem, benchSession, writeItems } from './session-items';
import { BENCH_ACCOUNT_ID, BENCH_CREDENTIALS, BENCH_REGION, countRequests, countsSince, memoryOfThisProcess, snapshot } from './support';

export interface MeasuredSweep {
  wallMs: number;
  /** Of the wall time, how long the sweep waited for SSM pages (the rest: the store and the core). */
  sourceWaitMs: number;
  summary: SweepSummary;
  /** SDK requests to SSM and DynamoDB during this sweep, by command. */
  ssmRequests: Record<string, number>;
  dynamoRequests: Record<string, number>;
}

export interface ChildSweepReady {
  rssAfterImportsBytes: number;
}

export interface ChildSweepResult {
  backfill: MeasuredSweep;
  /** Peak RSS of this process when the backfill finished, and its RSS before it began. */
  memory: { baselineRssBytes: number; peakRssBytes: number; rssAfterBackfillBytes: number };
  nothingNew: MeasuredSweep;
  resweep?: MeasuredSweep;
  rawBatchWrite?: { items: number; itemsPerSecond: number };
  storeOnly?: { sessions: number; sessionsPerSecond: number };
}

/** The real source, with a stopwatch around every page it fetches. */
class TimedSource implements SessionSource {
  waitedMs = 0;
  constructor(private readonly inner: SessionSource) {}
  get scope() {
    return this.inner.scope;
  }
  get historyRetentionMs() {
    return this.inner.historyRetentionMs;
  }
  listActive(): AsyncIterable<ObservedSession[]> {
    return this.timed(this.inner.listActive());
  }
  listHistory(query: HistoryQuery): AsyncIterable<ObservedSession[]> {
    return this.timed(this.inner.listHistory(query));
  }
  listHistoryPages(query: HistoryQuery, startToken?: string): AsyncIterable<SourcePage> {
    return this.timed(this.inner.listHistoryPages(query, startToken));
  }
  sourceClockOffsetMs(): number | undefined {
    return this.inner.sourceClockOffsetMs();
  }
  private async *timed<T>(pages: AsyncIterable<T>): AsyncIterable<T> {
    const iterator = pages[Symbol.asyncIterator]();
    try {
      for (;;) {
        const started = performance.now();
        const next = await iterator.next();
        this.waitedMs += performance.now() - started;
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
}

const SCOPE = { source: 'ssm', accountId: BENCH_ACCOUNT_ID, region: BENCH_REGION };
/** Writes per page in flight: the store's default, as deployed. */
const STORE_PAGE = 200;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ssm: { type: 'string' },
      dynamodb: { type: 'string' },
      table: { type: 'string' },
      now: { type: 'string' },
      resweep: { type: 'boolean', default: false },
      'raw-items': { type: 'string', default: '0' },
      'store-items': { type: 'string', default: '0' },
    },
  });
  const { ssm: ssmEndpoint, dynamodb: dynamoEndpoint, table } = values;
  const nowMs = Number(values.now);
  if (!ssmEndpoint || !dynamoEndpoint || !table || !Number.isFinite(nowMs)) throw new Error('--ssm, --dynamodb, --table and --now are required');
  const baselineRssBytes = memoryOfThisProcess().rssBytes;
  process.stdout.write(`${JSON.stringify({ rssAfterImportsBytes: baselineRssBytes } satisfies ChildSweepReady)}\n`);

  // The clients the sweeper Lambda builds (lambdas/adapters/aws/clients.ts), pointed at the local endpoints.
  const ssm = createSsmClient({ region: BENCH_REGION, endpoint: ssmEndpoint });
  const dynamo = new DynamoDBClient({ region: BENCH_REGION, endpoint: dynamoEndpoint, credentials: BENCH_CREDENTIALS, maxAttempts: 8 });
  const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const ssmCounts = countRequests(ssm);
  const dynamoCounts = countRequests(dynamo);
  const source = new TimedSource(new SsmSessionSource({ client: ssm, accountId: BENCH_ACCOUNT_ID, region: BENCH_REGION }));
  const store = new DynamoArchiveStore({ client: documents, tableName: table });
  // The emulator's clock stands still at `now`; so does the sweeper's.
  const clock: Clock = { now: () => nowMs };

  const measure = async (): Promise<MeasuredSweep> => {
    const ssmBefore = snapshot(ssmCounts);
    const dynamoBefore = snapshot(dynamoCounts);
    const waitedBefore = source.waitedMs;
    const started = performance.now();
    const summary = await sweep({ source, store, clock });
    return {
      wallMs: performance.now() - started,
      sourceWaitMs: source.waitedMs - waitedBefore,
      summary, 
      ssmRequests: countsSince(ssmCounts, ssmBefore),
      dynamoRequests: countsSince(dynamoCounts, dynamoBefore),
    };
  };

  const backfill = await measure();
  const afterBackfill = memoryOfThisProcess();
  const result: ChildSweepResult = {
    backfill,
    memory: { baselineRssBytes, peakRssBytes: afterBackfill.peakRssBytes, rssAfterBackfillBytes: afterBackfill.rssBytes },
    nothingNew: await measure(),
  };

  if (values.resweep) {
    // Forget how far the archive was listed: the next sweep lists the whole window again and finds every record unchanged.
    await documents.send(new DeleteCommand({ TableName: table, Key: { pk: SOURCES_PARTITION, sk: scopeKey(SCOPE) } }));
    result.resweep = await measure();
  }

  const nowIso = toIso(nowMs);
  const spanFrom = nowMs - 30 * DAY_MS;
  const rawItems = Number(values['raw-items']);
  if (rawItems > 0) {
    const rawTable = `${table}-raw-batch`;
    await ensureArchiveTable(dynamo, rawTable);
    const itemsPerSecond = await writeItems(documents, rawTable, rawItems, (index) => archiveItem(SCOPE, benchSession(index, spanFrom, nowMs), nowIso));
    result.rawBatchWrite = { items: rawItems, itemsPerSecond };
  }
  const storeItems = Number(values['store-items']);
  if (storeItems > 0) {
    const storeTable = `${table}-store-only`;
    await ensureArchiveTable(dynamo, storeTable);
    const storeOnly = new DynamoArchiveStore({ client: documents, tableName: storeTable });
    const sessions = Array.from({ length: storeItems }, (_, index) => benchSession(index, spanFrom, nowMs));
    const started = performance.now();
    for (const page of chunk(sessions, STORE_PAGE)) await storeOnly.archiveSessions(SCOPE, page, nowIso);
    result.storeOnly = { sessions: storeItems, sessionsPerSecond: storeItems / ((performance.now() - started) / 1000) };
  }

  process.stdout.write(`${JSON.stringify(result)}\n`);
  ssm.destroy();
  dynamo.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`child sweep failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
