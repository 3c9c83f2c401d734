import { describe, expect, it } from 'vitest';
import { runSoak } from '../support/soak';

describe('soak (short; `npm run soak` runs the long one)', () => {
  it('after 60 simulated days of arrivals, faults and killed sweeps, the archive equals the ground truth', async () => {
    const report = await runSoak({ seed: 2026, days: 60, sessions: 3000 });
    expect(report.problems).toEqual([]);
    // The run really exercised what it claims to.
    expect(report.sessionsEverInHistory).toBeGreaterThan(2500);
    expect(report.killedSweeps).toBeGreaterThan(5);
    expect(report.faultsInjected).toBeGreaterThan(20);
    expect(report.longestOpenHours).toBeGreaterThan(72);
  });
});
