/**
 * What the overlap and the reconciliation cost (`npm run bench -- --sweep-day`, or part of a full
 * run): SSM calls and item writes of a sweep with nothing new, of a reconciliation over N ended
 * sessions, and of a whole day of 15-minute sweeps at 10,000 sessions a month, with and without
 * the overlap and the daily reconciliation. Counts of requests, not seconds: the numbers repeat.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../lambdas/core/shared/time';
import { startSweepRig, type SweepRig } from '../test/support/sweep-harness';
import { countsSince, progress, snapshot } from './support';

export interface SweepDayResults {
  nothingNew: { ssmCalls: number; activePages: number; historyPages: number; writes: number; startedInOverlap: number };
  reconciliation: { endedSessions: number; historyCalls: number; ideal: number; writes: number };
  day: { sessionsPerMonth: number; sweeps: number; callsWith: number; callsWithout: number; ratio: number };
}

const t0 = Date.UTC(2026, 8, 1);

function sessionWrites(rig: SweepRig, before: Record<string, number>): number {
  const since = countsSince(rig.dynamoCalls, before);
  // Checkpoint saves are PutItem on the state item; session writes are UpdateItem.
  return since.UpdateItemCommand ?? 0;
}

export async function runSweepDayBench(options: { quick: boolean }): Promise<SweepDayResults> {
  const reconcileSize = options.quick ? 2_000 : 10_000;
  const perMonth = 10_000;
  return {
    nothingNew: await measureNothingNew(),
    reconciliation: await measureReconciliation(reconcileSize),
    day: await measureDay(perMonth, options.quick ? 0.25 : 1),
  };
}

async function measureNothingNew(): Promise<SweepDayResults['nothingNew']> {
  const rig = await startSweepRig({ startMs: t0 });
  try {
    const sessions = rig.emulator.generateSessions({ count: 3_000, seed: 71, fromMs: t0 - 29 * DAY_MS, toMs: t0, openFraction: 0.02 });
    await rig.sweep();
    rig.clock.advance(15 * MINUTE_MS);
    const calls = snapshot(rig.ssmCalls);
    const dynamo = snapshot(rig.dynamoCalls);
    const summary = await rig.sweep();
    const startedInOverlap = sessions.filter((s) => s.startMs >= t0 - 5 * MINUTE_MS - HOUR_MS).length;
    return {
      ssmCalls: countsSince(rig.ssmCalls, calls).DescribeSessionsCommand ?? 0,
      activePages: summary.pagesFetched.active,
      historyPages: summary.pagesFetched.history,
      writes: sessionWrites(rig, dynamo),
      startedInOverlap,
    };
  } finally {
    await rig.close();
  }
}

async function measureReconciliation(endedSessions: number): Promise<SweepDayResults['reconciliation']> {
  const rig = await startSweepRig({ startMs: t0 });
  try {
    rig.emulator.generateSessions({ count: endedSessions, seed: 72, fromMs: t0 - 29 * DAY_MS, toMs: t0 - DAY_MS, openFraction: 0 });
    await rig.sweep();
    rig.clock.advance(DAY_MS);
    const dynamo = snapshot(rig.dynamoCalls);
    const summary = await rig.sweep();
    if (summary.reconciliation !== 'completed') throw new Error(`expected a completed reconciliation, got ${summary.reconciliation}`);
    return { endedSessions, historyCalls: summary.pagesFetched.reconciliation, ideal: Math.ceil(endedSessions / 200), writes: sessionWrites(rig, dynamo) };
  } finally {
    await rig.close();
  }
}

/** A day (or a share of one) of 15-minute sweeps; the same sessions with and without overlap and reconciliation. */
async function measureDay(perMonth: number, days: number): Promise<SweepDayResults['day']> {
  const sweeps = Math.round((days * DAY_MS) / (15 * MINUTE_MS));
  const calls = async (withGuards: boolean): Promise<number> => {
    const rig = await startSweepRig({ startMs: t0 });
    try {
      // A month before the day, then the day's own arrivals, some open for hours.
      rig.emulator.generateSessions({ count: Math.round(perMonth * (1 + days / 30)), seed: 73, fromMs: t0 - 30 * DAY_MS, toMs: t0 + days * DAY_MS, openFraction: 0.02 });
      const options = withGuards ? {} : { overlapMs: 0, reconcileEveryMs: Number.MAX_SAFE_INTEGER };
      await rig.sweep(options);
      const before = snapshot(rig.ssmCalls);
      for (let i = 1; i <= sweeps; i++) {
        rig.clock.set(t0 + i * 15 * MINUTE_MS);
        await rig.sweep(options);
      }
      return countsSince(rig.ssmCalls, before).DescribeSessionsCommand ?? 0;
    } finally {
      await rig.close();
    }
  };
  progress(`sweep day: ${sweeps} sweeps with overlap and reconciliation`);
  const callsWith = await calls(true);
  progress(`sweep day: the same without them`);
  const callsWithout = await calls(false);
  return { sessionsPerMonth: perMonth, sweeps, callsWith, callsWithout, ratio: callsWith / callsWithout - 1 };
}

if (require.main === module) {
  runSweepDayBench({ quick: process.argv.includes('--quick') })
    .then((results) => process.stdout.write(`${JSON.stringify(results, null, 2)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    });
}
