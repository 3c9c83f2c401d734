/**
 * The short soak matrix: two rows between which every guess about SSM takes each of its values
 * (`npm run soak -- --matrix` runs the full covering array, long). Ground truth is what the
 * emulator showed at each sweep's start; the sweep must lose none of it.
 */
import { describe, expect, it } from 'vitest';
import { formatMatrixTable, runSoakMatrix, SHORT_MATRIX_ROWS } from '../support/soak-matrix';

describe('soak matrix (short)', () => {
  it('loses no session SSM showed, keeps every final state and confirms no missing session, under every guess', async () => {
    const results = await runSoakMatrix({ rows: SHORT_MATRIX_ROWS, seed: 10, days: 20, sessions: 500 });
    const table = formatMatrixTable(results);

    const outcome = results.map(({ report }) => ({ lost: report.lost, wrongFinalState: report.wrongFinalState, overConfirmed: report.overConfirmed }));
    expect(outcome, `\n${table}\n${results.flatMap((r) => r.report.problems).slice(0, 20).join('\n')}`).toEqual(
      results.map(() => ({ lost: 0, wrongFinalState: 0, overConfirmed: 0 })),
    );
    // The runs really exercised what they claim to.
    for (const { report } of results) {
      expect(report.demanded).toBeGreaterThan(300);
      expect(report.openOver30Days).toBeGreaterThan(0);
      expect(report.killedSweeps + report.failedSweeps).toBeGreaterThan(0);
    }
    expect(results.some(({ report }) => report.shortBudgetSweeps > 0)).toBe(true);
    // About 45 s on two cores: room for a machine busy with other test files.
  }, 400_000);
});
