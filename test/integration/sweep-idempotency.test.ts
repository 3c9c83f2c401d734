import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_SWEEP_STATE } from '../../lambdas/core/sweep/sweep-state';
import { DAY_MS, HOUR_MS } from '../../lambdas/core/shared/time';
import { generateSessions } from '../../local/ssm-emulator/generator';
import { diffArchive, startSweepRig, type SweepRig } from '../support/sweep-harness';

const t0 = Date.UTC(2026, 5, 1);

describe('idempotency and cost', () => {
  let rig: SweepRig | undefined;
  afterEach(async () => rig?.close());

  it('re-sweeping unchanged data writes no session item', async () => {
    rig = await startSweepRig({ startMs: t0 });
    rig.emulator.generateSessions({ count: 1200, seed: 2, fromMs: t0 - 25 * DAY_MS, toMs: t0 - DAY_MS, openFraction: 0 });
    const first = await rig.sweep();
    expect(first.written).toBe(1200);
    // One UpdateItem per session, plus at most two per stored page that widens the archive's start
    // bounds (the earliest and latest start the query walk is held to).
    const pages = first.pagesFetched.active + first.pagesFetched.history;
    expect(rig.dynamoCalls.UpdateItemCommand).toBeGreaterThanOrEqual(1200);
    expect(rig.dynamoCalls.UpdateItemCommand).toBeLessThanOrEqual(1200 + 2 * pages);

    // Forget the checkpoint so the next sweep re-reads the whole window: the same 1,200 sessions.
    const scope = rig.source().scope;
    const state = await rig.store.loadSweepState(scope);
    await rig.store.saveSweepState(scope, { ...EMPTY_SWEEP_STATE, version: (state?.version ?? 0) + 1 }, state?.version ?? 0);
    const writesBefore = { update: rig.dynamoCalls.UpdateItemCommand ?? 0, batch: rig.dynamoCalls.BatchWriteItemCommand ?? 0 };
    rig.clock.advance(HOUR_MS);
    const again = await rig.sweep();
    expect(again.sessionsSeen).toBe(1200);
    expect(again.written).toBe(0);
    expect(again.unchanged).toBe(1200);
    expect(rig.dynamoCalls.UpdateItemCommand ?? 0).toBe(writesBefore.update);
    expect(rig.dynamoCalls.BatchWriteItemCommand ?? 0).toBe(writesBefore.batch);
    expect(await diffArchive(rig)).toEqual([]);
  });

  it('backfills N sessions in ceil(N/200) History calls, and a sweep with nothing new costs at most 3 SSM calls', async () => {
    rig = await startSweepRig({ startMs: t0 });
    const n = 4321;
    // Sessions that all ended before the backfill, and two that stay open throughout.
    const ended = generateSessions({ count: n - 2, seed: 9, fromMs: t0 - 29 * DAY_MS, toMs: t0 - DAY_MS, openFraction: 0 });
    rig.emulator.addSessions(ended.map((s) => ({ ...s, endMs: Math.min(s.endMs ?? Infinity, s.startMs + 12 * HOUR_MS) })));
    rig.emulator.addSessions(
      ['carol-0000000000000000a', 'dmitri-0000000000000000b'].map((sessionId, i) => ({
        sessionId, target: `i-0000000000000000${i}`, owner: 'arn:aws:iam::123456789012:user/ops', accessType: 'Standard' as const, startMs: t0 - (i + 2) * DAY_MS, endMs: null, endStatus: 'Terminated' as const,
      })),
    );
    rig.emulator.resetStats();
    const backfill = await rig.sweep();
    expect(rig.emulator.stats.describeByState.History).toBe(Math.ceil(n / 200));
    expect(backfill.pagesFetched.history).toBe(Math.ceil(n / 200));
    expect(backfill.written).toBe(n);

    for (const later of [15 * 60_000, 6 * HOUR_MS]) {
      rig.clock.advance(later);
      rig.emulator.resetStats();
      const quiet = await rig.sweep();
      expect(rig.emulator.stats.requests).toBeLessThanOrEqual(3);
      expect(quiet.sourceCalls).toBe(rig.emulator.stats.requests);
      expect(quiet.written).toBe(0);
    }
  });

  it('never stores the first-archived time twice, and a stale open status never replaces a final one', async () => {
    rig = await startSweepRig({ startMs: t0 });
    rig.emulator.addSessions([
      { sessionId: 'bob-00000000000000001', target: 'i-00000000000000001', owner: 'arn:aws:iam::123456789012:user/bob', accessType: 'Standard', startMs: t0 - HOUR_MS, endMs: null, endStatus: 'Terminated' },
    ]);
    await rig.sweep();
    const [open] = await rig.archived();
    rig.emulator.terminate('bob-00000000000000001', t0 + HOUR_MS);
    rig.clock.set(t0 + 2 * HOUR_MS);
    await rig.sweep();
    const [ended] = await rig.archived();
    expect(ended).toMatchObject({ status: 'Terminated', firstArchivedAt: open?.firstArchivedAt });
    expect(ended?.lastSeenAt).not.toBe(open?.lastSeenAt);

    // An observation taken while it was still open arrives late: the archive keeps the final state.
    const scope = rig.source().scope;
    const stale = await rig.store.archiveSessions(scope, [{ sessionId: 'bob-00000000000000001', target: 'i-00000000000000001', status: 'Connected', startDate: open?.startDate ?? '' }], new Date(t0 + 3 * HOUR_MS).toISOString());
    expect(stale).toEqual({ written: [], unchanged: 1 });
    const [still] = await rig.archived();
    expect(still).toEqual(ended);
  });
});
