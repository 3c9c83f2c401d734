/**
 * Alibaba sweeps that must lose nothing when the source's order is not newest first, when it
 * throttles, fails and drops connections, and when a sweep is killed or runs out of time halfway.
 * Ground truth: every session the emulator held at each sweep's start is archived as last shown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { killedAt } from '../support/alibaba-soak';
import { ALIBABA_REGION, diffAgainstShown, startAlibabaSweepRig, type AlibabaSweepRig } from '../support/alibaba-sweep-rig';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 2, 8);

/** Sessions held at this moment that the archive lacks. */
async function missingNow(rig: AlibabaSweepRig): Promise<string[]> {
  const archived = new Set((await rig.archived()).map((record) => record.sessionId));
  return rig.emulator.retained(ALIBABA_REGION).filter((session) => !archived.has(session.sessionId)).map((session) => session.sessionId);
}


describe('an Alibaba sweep that cannot rely on order or on the network', () => {
  let rig: AlibabaSweepRig;
  afterEach(async () => rig?.close());

  for (const order of ['shuffled', 'scattered', 'oldest'] as const) {
    it(`loses nothing when the listing comes ${order}`, async () => {
      rig = await startAlibabaSweepRig(T0, { order, orderSeed: 4 });
      rig.emulator.generateSessions({ count: 700, seed: 21, fromMs: T0 - 6 * DAY, toMs: T0 });
      for (let round = 0; round < 4; round++) {
        const summary = await rig.sweep();
        expect(summary.complete).toBe(true);
        expect(await missingNow(rig)).toEqual([]);
        rig.emulator.generateSessions({ count: 150, seed: 30 + round, fromMs: rig.emulator.alibabaNow(), toMs: rig.emulator.alibabaNow() + 3 * HOUR });
        rig.emulator.advance(3 * HOUR);
      }
      expect(await diffAgainstShown(rig)).toEqual([]);
    });
  }

  it('loses nothing and stores nothing twice through throttling, 500s, dropped connections, kills and time-outs', async () => {
    rig = await startAlibabaSweepRig(T0, { faults: { seed: 8, throttleRate: 0.15, errorRate: 0.1, dropRate: 0.05 } });
    rig.emulator.generateSessions({ count: 900, seed: 41, fromMs: T0 - 4 * DAY, toMs: T0 });
    // Killed on its fourth page, then out of time after two pages, then a whole sweep.
    await expect(rig.sweep({ source: killedAt(rig.source, 4) })).rejects.toThrow('sweeper killed');
    let pagesLeft = 2;
    const starved = await rig.sweep({ remainingTimeMs: () => (pagesLeft-- > 0 ? 60_000 : 0) });
    expect(starved.complete).toBe(false);
    const state = await rig.store.loadSweepState(rig.source.scope);
    expect(state?.newestListed).toBeUndefined();
    expect((await rig.sweep()).complete).toBe(true);
    expect(await missingNow(rig)).toEqual([]);
    for (let round = 0; round < 3; round++) {
      rig.emulator.generateSessions({ count: 200, seed: 50 + round, fromMs: rig.emulator.alibabaNow(), toMs: rig.emulator.alibabaNow() + 2 * HOUR });
      rig.emulator.advance(2 * HOUR);
      await expect(rig.sweep({ source: killedAt(rig.source, 2) })).rejects.toThrow('sweeper killed');
      expect((await rig.sweep()).complete).toBe(true);
      expect(await missingNow(rig)).toEqual([]);
    }
    expect(rig.emulator.stats.faultsInjected).toBeGreaterThan(0);
    expect(await diffAgainstShown(rig)).toEqual([]);
  });
});
