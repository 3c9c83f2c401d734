/**
 * `npm run soak`: the long soak. 60+ simulated days, at least 20,000 sessions, random faults,
 * killed and short sweeps; exits non-zero if the archive lacks what SSM showed.
 *
 *   npm run soak                     one run with the emulator's default guesses
 *   npm run soak -- --matrix         one run per row of a pairwise covering array of every SSM guess
 *   npm run soak -- --matrix --quick the same rows, small (45 days, 3,000 sessions)
 *
 * Options: --days N (default 60; 45 with --quick), --sessions N (default 20000; 3000 with --quick),
 * --seed N (default 1), --rows 1,3 (only these rows of the matrix).
 */
import { parseArgs } from 'node:util';
import { runSoak, type SoakReport } from '../test/support/soak';
import { formatMatrixTable, matrixRows, runSoakMatrix } from '../test/support/soak-matrix';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      days: { type: 'string' }, sessions: { type: 'string' }, seed: { type: 'string' }, rows: { type: 'string' },
      matrix: { type: 'boolean' }, quick: { type: 'boolean' },
    },
  });
  const quick = values.quick === true;
  const options = {
    days: wholeNumber('days', values.days ?? (quick ? '45' : '60')),
    sessions: wholeNumber('sessions', values.sessions ?? (quick ? '3000' : '20000')),
    seed: wholeNumber('seed', values.seed ?? '1'),
  };
  if (!values.matrix) {
    if (quick || values.rows !== undefined) throw new Error('--quick and --rows go with --matrix');
    const report = await runSoak({ ...options, onProgress: log });
    process.stdout.write(`${JSON.stringify({ ...report, problems: report.problems.length }, null, 2)}\n`);
    failOn([report]);
    return;
  }
  const all = matrixRows();
  const picked = values.rows === undefined ? all.map((_, index) => index + 1) : values.rows.split(',').map((text) => wholeNumber('rows', text.trim()));
  for (const row of picked) if (row > all.length) throw new Error(`--rows: the matrix has ${all.length} rows, no row ${row}`);
  log(`soak matrix: ${picked.length} of ${all.length} rows, ${options.days} days, ${options.sessions} sessions each`);
  const results = await runSoakMatrix({
    ...options,
    rows: picked.map((row) => all[row - 1] as (typeof all)[number]),
    onRow: (result, index) => log(`row ${picked[index]}: ${result.report.demanded} sessions, ${result.report.lost} lost, ${result.report.wrongFinalState} wrong, ${Math.round(result.report.wallClockMs / 1000)} s`),
    onProgress: log,
  });
  process.stdout.write(`${formatMatrixTable(results)}\n`);
  failOn(results.map((result) => result.report));
}

function failOn(reports: readonly SoakReport[]): void {
  const problems = reports.flatMap((report) => report.problems);
  if (problems.length === 0) return;
  process.stderr.write(`the archive lacks what SSM showed (first 50):\n${problems.slice(0, 50).join('\n')}\n`);
  process.exitCode = 1;
}

function wholeNumber(name: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new Error(`--${name} must be a positive whole number, got '${text}'`);
  return value;
}

main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
