import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, MINUTE_MS } from '../../lambdas/core/shared/time';
import { diffArchive, startSweepRig, type SweepRig } from '../support/sweep-harness';

const t0 = Date.UTC(2026, 6, 1);

describe('two sweeps at once', () => {
  let rig: SweepRig | undefined;
  afterEach(async () => rig?.close());

  it('never moves the checkpoint backwards and loses nothing', async () => {
    rig = await startSweepRig({ startMs: t0 });
    rig.emulator.generateSessions({ count: 2500, seed: 13, fromMs: t0 - 20 * DAY_MS, toMs: t0 + 3 * DAY_MS, openFraction: 0.03 });
    const scope = rig.source().scope;
    const watermarks: number[] = [];
    let conflicts = 0;
    for (let step = 0; step < 12; step++) {
      rig.clock.set(t0 + step * 6 * 60 * MINUTE_MS);
      // Separate SDK clients, as two Lambda invocations would have.
      const [a, b] = await Promise.all([rig.sweep({ source: rig.source({ maxAttempts: 8 }) }), rig.sweep({ source: rig.source({ maxAttempts: 8 }) })]);
      conflicts += a.checkpointConflicts + b.checkpointConflicts;
      const state = await rig.store.loadSweepState(scope);
      watermarks.push(state?.watermark ?? Number.NEGATIVE_INFINITY);
    }
    for (let i = 1; i < watermarks.length; i++) expect(watermarks[i]).toBeGreaterThanOrEqual(watermarks[i - 1] as number);
    // The two really raced on the conditional checkpoint.
    expect(conflicts).toBeGreaterThan(0);
    rig.clock.set(t0 + 4 * DAY_MS);
    await rig.sweep();
    expect(await diffArchive(rig)).toEqual([]);
  });
});
