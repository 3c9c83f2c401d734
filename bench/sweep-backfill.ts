/**
 * Backfills of N sessions, each in three processes: the SSM emulator (holding the N sessions),
 * dynalite (in memory) and the sweeper (bench/child-sweep.ts). One run per size yields the page
 * efficiency, the write efficiency, the throughput and the sweeper's peak RSS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureArchiveTable } from '../lambdas/adapters/dynamodb/ensure-table';
import { DAY_MS, toIso } from '../lambdas/core/shared/time';
import type { ChildSweepReady, ChildSweepResult } from './child-sweep';
import { archiveItem, benchSession, writeItems } from './session-items';
import { BENCH_ACCOUNT_ID, BENCH_CREDENTIALS, BENCH_REGION, progress, startJsonLineChild } from './support';

/** The emulator's clock stands here (a whole hour, so runs are repeatable). */
export const BACKFILL_NOW_MS = Date.UTC(2026, 10, 20, 12);

export interface EmulatorReady {
  endpoint: string;
  /** Sessions listed in Active, and in History, at the emulator's instant. */
  open: number;
  ended: number;
}

export interface EmulatorStatsLine {
  describeByState: { Active: number; History: number };
  requests: number;
}

export interface BackfillRun {
  sessions: number;
  open: number;
  ended: number;
  ready: ChildSweepReady;
  result: ChildSweepResult;
  /** DescribeSessions pages the emulator answered during the whole child run, by State (server side). */
  emulatorDescribes: { Active: number; History: number };
  /**
   * Raw BatchWriteItem items/s on the same dynalite just before the sweeper started (this
   * process); the child measures it again after its sweeps. The sweep takes minutes and the
   * machine's load drifts, so the baseline is the mean of the two.
   */
  rawBatchWriteBefore?: { items: number; itemsPerSecond: number };
}

export interface BackfillOptions {
  sessions: number;
  seed: number;
  resweep: boolean;
  rawItems: number;
  storeItems: number;
}

export async function runBackfill(options: BackfillOptions): Promise<BackfillRun> {
  const emulator = await startJsonLineChild<EmulatorReady>('bench/emulator-process.ts', [
    '--now',
    String(BACKFILL_NOW_MS),
    '--sessions',
    String(options.sessions),
    '--seed',
    String(options.seed),
  ]);
  const dynalite = await startJsonLineChild<{ endpoint: string }>('bench/dynalite-process.ts', []);
  try {
    const table = `backfill-${options.sessions}`;
    const dynamo = new DynamoDBClient({ region: BENCH_REGION, endpoint: dynalite.ready.endpoint, credentials: BENCH_CREDENTIALS, maxAttempts: 8 });
    await ensureArchiveTable(dynamo, table);
    let rawBatchWriteBefore: BackfillRun['rawBatchWriteBefore'];
    if (options.rawItems > 0) {
      const rawTable = `${table}-raw-before`;
      await ensureArchiveTable(dynamo, rawTable);
      const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
      const scope = { source: 'ssm', accountId: BENCH_ACCOUNT_ID, region: BENCH_REGION };
      const spanFrom = BACKFILL_NOW_MS - 30 * DAY_MS;
      const itemsPerSecond = await writeItems(documents, rawTable, options.rawItems, (index) =>
        archiveItem(scope, benchSession(index, spanFrom, BACKFILL_NOW_MS), toIso(BACKFILL_NOW_MS)),
      );
      rawBatchWriteBefore = { items: options.rawItems, itemsPerSecond };
    }
    dynamo.destroy();
    progress(`backfill of ${options.sessions.toLocaleString('en')} sessions (${emulator.ready.open} open, ${emulator.ready.ended} ended)`);
    const args = ['--ssm', emulator.ready.endpoint, '--dynamodb', dynalite.ready.endpoint, '--table', table, '--now', String(BACKFILL_NOW_MS)];
    if (options.resweep) args.push('--resweep');
    args.push('--raw-items', String(options.rawItems), '--store-items', String(options.storeItems));
    const sweeper = await startJsonLineChild<ChildSweepReady>('bench/child-sweep.ts', args);
    try {
      const result = await sweeper.nextLine<ChildSweepResult>();
      const stats = await emulator.request<EmulatorStatsLine>('stats');
      progress(
        `  swept in ${(result.backfill.wallMs / 1000).toFixed(1)} s; peak RSS ${(result.memory.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
      );
      return {
        sessions: options.sessions,
        open: emulator.ready.open,
        ended: emulator.ready.ended,
        ready: sweeper.ready,
        result,
        emulatorDescribes: stats.describeByState,
        ...(rawBatchWriteBefore ? { rawBatchWriteBefore } : {}),
      };
    } finally {
      await sweeper.stop();
    }
  } finally {
    await Promise.all([emulator.stop(), dynalite.stop()]);
  }
}
