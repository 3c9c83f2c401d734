import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../lambdas/core/shared/time';
import { diffArchive, startSweepRig, type SweepRig } from '../support/sweep-harness';

const t0 = Date.UTC(2026, 7, 1);

describe('when SSM applies filters after MaxResults', () => {
  let rig: SweepRig | undefined;
  afterEach(async () => rig?.close());

  it('follows NextToken through short and empty pages and loses nothing', async () => {
    rig = await startSweepRig({ startMs: t0, emulator: { filtersAfterMaxResults: true } });
    rig.emulator.generateSessions({ count: 3000, seed: 17, fromMs: t0 - 25 * DAY_MS, toMs: t0 + 4 * DAY_MS, openFraction: 0.04 });
    let shortPages = 0;
    for (let hours = 0; hours <= 4 * 24; hours += 6) {
      rig.clock.set(t0 + hours * HOUR_MS);
      const summary = await rig.sweep();
      expect(summary.complete).toBe(true);
      // Each listing after the first is filtered by InvokedAfter, so raw pages come back short.
      if (summary.pagesFetched.history * 200 > summary.sessionsSeen) shortPages++;
    }
    expect(shortPages).toBeGreaterThan(0);
    expect(await diffArchive(rig)).toEqual([]);
  });
});
