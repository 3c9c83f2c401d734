/**
 * The naive baseline: a full-sync sweeper, as inventory tools do it. Every run lists the whole
 * window SSM holds (Active, then History with no InvokedAfter) and writes every session it sees
 * with BatchWriteItem, changed or not. Compared run by run with `sweep()` against the same
 * emulator, with sessions arriving at a steady rate and one run per 15-minute schedule tick.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { paginateDescribeSessions, type SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createSsmClient } from '../lambdas/adapters/aws/clients';
import { DynamoArchiveStore } from '../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { ensureArchiveTable } from '../lambdas/adapters/dynamodb/ensure-table';
import { SsmSessionSource, toObservedSession } from '../lambdas/adapters/aws/ssm-session-source';
import { chunk, mapWithConcurrency } from '../lambdas/core/shared/concurrency';
import type { SourceScope } from '../lambdas/core/session/session';
import { sweep } from '../lambdas/core/sweep/sweep';
import { MINUTE_MS, toIso } from '../lambdas/core/shared/time';
import { archiveItem, batchWrite, BATCH_WRITE_CONCURRENCY, BATCH_WRITE_SIZE } from './session-items';
import { BENCH_ACCOUNT_ID, BENCH_CREDENTIALS, BENCH_REGION, countRequests, countsSince, progress, snapshot, startJsonLineChild } from './support';
import type { EmulatorReady } from './sweep-backfill';

const SCOPE: SourceScope = { source: 'ssm', accountId: BENCH_ACCOUNT_ID, region: BENCH_REGION };
/** The deployed schedule (lib/: one sweep every 15 minutes). */
export const SCHEDULE_MS = 15 * MINUTE_MS;
const START_MS = Date.UTC(2026, 10, 20, 12);

export interface NaiveRunCounts {
  /** Pages listed. */
  ssmCalls: number;
  itemWrites: number;
  sessionsSeen: number;
}

/** Lists everything SSM holds and writes all of it. */
export class FullSyncSweeper {
  constructor(
    private readonly ssm: SSMClient,
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly scope: SourceScope,
  ) {}

  async run(nowIso: string): Promise<NaiveRunCounts> {
    const counts: NaiveRunCounts = { ssmCalls: 0, itemWrites: 0, sessionsSeen: 0 };
    for (const state of ['Active', 'History'] as const) {
      for await (const page of paginateDescribeSessions({ client: this.ssm, pageSize: 200 }, { State: state, MaxResults: 200 })) {
        counts.ssmCalls++;
        const sessions = (page.Sessions ?? []).map(toObservedSession);
        counts.sessionsSeen += sessions.length;
        await mapWithConcurrency(chunk(sessions, BATCH_WRITE_SIZE), BATCH_WRITE_CONCURRENCY, async (batch) => {
          await batchWrite(this.documents, this.tableName, batch.map((session) => archiveItem(this.scope, session, nowIso)));
          counts.itemWrites += batch.length;
        });
      }
    }
    return counts;
  }
}

export interface ComparedRun {
  run: number;
  ours: { ssmCalls: number; itemWrites: number; sessionWrites: number; checkpointWrites: number; sessionsSeen: number };
  naive: NaiveRunCounts;
}

export interface NaiveComparison {
  sessionsInWindow: number;
  arrivalsPerRun: number;
  runs: ComparedRun[];
}

/**
 * `runs` schedule ticks over a 30-day window of `sessions` (steady arrivals: as many per 30 days
 * after the start). Run 1 is each sweeper's backfill; the others are steady state.
 */
export async function compareWithNaive(options: { sessions: number; runs: number; seed: number }): Promise<NaiveComparison> {
  const futureMs = options.runs * SCHEDULE_MS;
  const emulator = await startJsonLineChild<EmulatorReady>('bench/emulator-process.ts', [
    '--now',
    String(START_MS),
    '--sessions',
    String(options.sessions),
    '--seed',
    String(options.seed),
    '--future-ms',
    String(futureMs),
  ]);
  const dynalite = await startJsonLineChild<{ endpoint: string }>('bench/dynalite-process.ts', []);
  const dynamo = new DynamoDBClient({ region: BENCH_REGION, endpoint: dynalite.ready.endpoint, credentials: BENCH_CREDENTIALS, maxAttempts: 8 });
  const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  // One SSM client each, so each sweeper's calls are counted apart.
  const oursSsm = createSsmClient({ region: BENCH_REGION, endpoint: emulator.ready.endpoint });
  const naiveSsm = createSsmClient({ region: BENCH_REGION, endpoint: emulator.ready.endpoint });
  try {
    const oursSsmCalls = countRequests(oursSsm);
    const naiveSsmCalls = countRequests(naiveSsm);
    const dynamoCalls = countRequests(dynamo);
    await ensureArchiveTable(dynamo, 'ours');
    await ensureArchiveTable(dynamo, 'naive');
    const store = new DynamoArchiveStore({ client: documents, tableName: 'ours' });
    const source = new SsmSessionSource({ client: oursSsm, accountId: BENCH_ACCOUNT_ID, region: BENCH_REGION });
    const naive = new FullSyncSweeper(naiveSsm, documents, 'naive', SCOPE);
    let nowMs = START_MS;
    const clock = { now: () => nowMs };
    progress(`naive baseline: ${options.runs} runs, ${options.sessions.toLocaleString('en')} sessions per 30 days`);

    const runs: ComparedRun[] = [];
    for (let run = 1; run <= options.runs; run++) {
      if (run > 1) {
        nowMs += SCHEDULE_MS;
        await emulator.request(`advance ${SCHEDULE_MS}`);
      }
      const ssmBefore = snapshot(oursSsmCalls);
      const dynamoBefore = snapshot(dynamoCalls);
      const summary = await sweep({ source, store, clock });
      const dynamoDelta = countsSince(dynamoCalls, dynamoBefore);
      const sessionWrites = dynamoDelta.UpdateItemCommand ?? 0;
      const checkpointWrites = dynamoDelta.PutItemCommand ?? 0;
      const oursCalls = countsSince(oursSsmCalls, ssmBefore).DescribeSessionsCommand ?? 0;

      const naiveBefore = snapshot(naiveSsmCalls);
      const naiveCounts = await naive.run(toIso(nowMs));
      runs.push({
        run,
        ours: { ssmCalls: oursCalls, itemWrites: sessionWrites + checkpointWrites, sessionWrites, checkpointWrites, sessionsSeen: summary.sessionsSeen },
        // Counted at the SDK like ours, retries included.
        naive: { ...naiveCounts, ssmCalls: countsSince(naiveSsmCalls, naiveBefore).DescribeSessionsCommand ?? 0 },
      });
    }
    return { sessionsInWindow: options.sessions, arrivalsPerRun: (options.sessions * SCHEDULE_MS) / (30 * 24 * 60 * MINUTE_MS), runs };
  } finally {
    oursSsm.destroy();
    naiveSsm.destroy();
    dynamo.destroy();
    await Promise.all([emulator.stop(), dynalite.stop()]);
  }
}
