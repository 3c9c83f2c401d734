import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, toIso } from '../../lambdas/core/shared/time';
import type { ObservedSession } from '../../lambdas/core/session/session';
import { startSweepRig, type SweepRig } from '../support/sweep-harness';

async function historyIds(rig: SweepRig, invokedAfter: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of rig.source().listHistory({ invokedAfter })) ids.push(...page.map((s: ObservedSession) => s.sessionId));
  return ids;
}

describe('a session that stays open across many sweeps', () => {
  let rig: SweepRig;
  afterEach(async () => rig?.close());

  it('is archived while open, then with its final status and EndDate once it ends; a last-sweep-time checkpoint would lose it', async () => {
    const t0 = Date.UTC(2026, 2, 1);
    rig = await startSweepRig({ startMs: t0 });
    const longStart = t0 + HOUR_MS;
    rig.emulator.addSessions([
      { sessionId: 'alice-0a1b2c3d4e5f60718', target: 'i-0123456789abcdef0', owner: 'arn:aws:iam::123456789012:user/alice', accessType: 'Standard', documentName: 'SSM-SessionManagerRunShell', startMs: longStart, endMs: null, endStatus: 'Terminated' },
    ]);
    rig.emulator.generateSessions({ count: 300, seed: 11, fromMs: t0 - 10 * DAY_MS, toMs: t0 + 5 * DAY_MS, openFraction: 0 });

    const sweepTimes: number[] = [];
    // Three sweeps over several simulated days while the session stays open.
    for (const at of [t0 + 2 * HOUR_MS, t0 + 1 * DAY_MS, t0 + 2 * DAY_MS]) {
      rig.clock.set(at);
      const summary = await rig.sweep();
      sweepTimes.push(at);
      expect(summary.complete).toBe(true);
      // The watermark stays at or below the open session's start, however many sweeps pass.
      expect(Date.parse(summary.watermark ?? '')).toBeLessThanOrEqual(longStart);
      // Coverage still reaches the sweep (less the clock-skew margin): the open session is tracked.
      const state = await rig.store.loadSweepState(rig.source().scope);
      expect(state?.coverage.at(-1)?.to).toBe(at - 5 * 60_000);
      const record = (await rig.archived()).find((r) => r.sessionId === 'alice-0a1b2c3d4e5f60718');
      expect(record?.status).toBe('Connected');
      expect(record?.endDate).toBeUndefined();
    }
    const firstArchivedAt = (await rig.archived()).find((r) => r.sessionId === 'alice-0a1b2c3d4e5f60718')?.firstArchivedAt;

    rig.emulator.terminate('alice-0a1b2c3d4e5f60718', t0 + 3 * DAY_MS);
    rig.clock.set(t0 + 3 * DAY_MS + 6 * HOUR_MS);

    // Why "when I last swept" is the wrong checkpoint: listing History from the last sweep's time
    // misses the session, because its StartDate is days older than that sweep.
    const lastSweepAt = sweepTimes[sweepTimes.length - 1] as number;
    expect(await historyIds(rig, lastSweepAt)).not.toContain('alice-0a1b2c3d4e5f60718');

    const summary = await rig.sweep();
    expect(summary.complete).toBe(true);
    const record = (await rig.archived()).find((r) => r.sessionId === 'alice-0a1b2c3d4e5f60718');
    expect(record).toMatchObject({ status: 'Terminated', endDate: toIso(t0 + 3 * DAY_MS), startDate: toIso(longStart) });
    expect(record?.firstArchivedAt).toBe(firstArchivedAt);
  });
});
