import { describe, expect, it } from 'vitest';
import { runSoak } from '../support/soak';

describe('soak (short; `npm run soak` runs the long one, `npm run soak -- --matrix` every guess)', () => {
  it('after 60 simulated days of arrivals, faults, killed and short sweeps, the archive holds everything SSM showed', async () => {
    const report = await runSoak({ seed: 2026, days: 60, sessions: 3000 });
    expect(report.problems).toEqual([]);
    expect(report.lost).toBe(0);
    expect(report.wrongFinalState).toBe(0);
    // The run really exercised what it claims to.
    expect(report.inHistory).toBeGreaterThan(2500);
    expect(report.killedSweeps).toBeGreaterThan(5);
    expect(report.shortBudgetSweeps).toBeGreaterThan(5);
    expect(report.faultsInjected).toBeGreaterThan(20);
    expect(report.openOver30Days).toBeGreaterThan(5);
    // About 80 s on two idle cores: room for a machine busy with other test files.
  }, 400_000);
});
