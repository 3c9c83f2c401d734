import { describe, expect, it } from 'vitest';
import { runAlibabaSoak } from '../support/alibaba-soak';

describe('Alibaba soak (short; `npm run soak -- --alibaba` runs the long one)', () => {
  it('after simulated days of arrivals, an overflowing burst, faults, killed and short sweeps, the archive holds everything the emulator showed', async () => {
    const report = await runAlibabaSoak({ seed: 14, days: 6, perDay: 120, burst: 1400 });
    expect(report.problems).toEqual([]);
    expect(report.droppedOutsideGaps).toBe(0);
    // The burst overflowed the cap: what it dropped is reported, inside the gap.
    expect(report.gaps).toBeGreaterThanOrEqual(1);
    expect(report.droppedInGaps).toBeGreaterThan(0);
    // The run really exercised what it claims to.
    expect(report.shown).toBeGreaterThan(2000);
    expect(report.killedSweeps).toBeGreaterThan(2);
    expect(report.faultsInjected).toBeGreaterThan(5);
  }, 400_000);
});
