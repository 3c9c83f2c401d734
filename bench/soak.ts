/**
 * `npm run soak`: the long soak. 60+ simulated days, at least 20,000 sessions, random faults,
 * killed and short sweeps; exits non-zero if the archive lacks what SSM showed.
 *
 *   npm run soak                     one run with the emulator's default guesses
 *   npm run soak -- --matrix         one run per row of a pairwise covering array of every SSM guess
 *   npm run soak -- --matrix --quick the same rows, small (45 days, 3,000 sessions)
 *   ... --write-docs                 also write the table into docs/benchmarks.md (its soak section)
 *   npm run soak -- --alibaba        the Alibaba Cloud source (30 days, 150 sessions a day, cap overflows)
 *
 * Options: --days N (default 60; 45 with --quick), --sessions N (default 20000; 3000 with --quick),
 * --seed N (default 1), --rows 1,3 (only these rows of the matrix).
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { runAlibabaSoak } from '../test/support/alibaba-soak';
import { runSoak, type SoakReport } from '../test/support/soak';
import { formatMatrixTable, matrixRows, runSoakMatrix, type MatrixResult } from '../test/support/soak-matrix';
import { BENCHMARKS_FILE, writeSoakSection } from './soak-section';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      days: { type: 'string' }, sessions: { type: 'string' }, seed: { type: 'string' }, rows: { type: 'string' },
      matrix: { type: 'boolean' }, quick: { type: 'boolean' }, 'write-docs': { type: 'boolean' }, alibaba: { type: 'boolean' },
    },
  });
  if (values.alibaba) {
    if (values.matrix || values.quick || values['write-docs'] || values.rows !== undefined || values.sessions !== undefined) throw new Error('--alibaba takes --days and --seed only');
    const report = await runAlibabaSoak({ seed: wholeNumber('seed', values.seed ?? '1'), days: wholeNumber('days', values.days ?? '30'), perDay: 150, burst: 1500, onProgress: log });
    process.stdout.write(`${JSON.stringify({ ...report, problems: report.problems.length }, null, 2)}\n`);
    if (report.problems.length > 0 || report.droppedOutsideGaps > 0) {
      process.stderr.write(`the archive lacks what the Alibaba emulator showed (first 50):\n${report.problems.slice(0, 50).join('\n')}\n`);
      process.exitCode = 1;
    }
    return;
  }
  const quick = values.quick === true;
  const options = {
    days: wholeNumber('days', values.days ?? (quick ? '45' : '60')),
    sessions: wholeNumber('sessions', values.sessions ?? (quick ? '3000' : '20000')),
    seed: wholeNumber('seed', values.seed ?? '1'),
  };
  if (!values.matrix) {
    if (quick || values.rows !== undefined || values['write-docs']) throw new Error('--quick, --rows and --write-docs go with --matrix');
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
  if (values['write-docs']) {
    const command = `npm run soak -- --matrix${quick ? ' --quick' : ''} --days ${options.days} --sessions ${options.sessions} --seed ${options.seed}${values.rows ? ` --rows ${values.rows}` : ''}`;
    writeSoakSection(matrixSection(results, command, picked, all.length));
    log(`wrote the soak matrix into ${BENCHMARKS_FILE}`);
  }
  failOn(results.map((result) => result.report));
}

function matrixSection(results: readonly MatrixResult[], command: string, rows: readonly number[], total: number): string {
  const wall = results.reduce((sum, result) => sum + result.report.wallClockMs, 0) / 1000;
  const sweeps = results.reduce((sum, result) => sum + result.report.sweeps, 0);
  return [
    '## Soak across every guess about SSM',
    '',
    `\`${command}\` on ${new Date().toISOString().slice(0, 10)} at commit ${commitOf()}: rows ${rows.join(', ')} of the ${total}-row pairwise covering array`,
    `(every value of every guess meets every value of every other in some row), ${sweeps} sweeps, ${wall.toFixed(0)} s.`,
    'Each row is a seeded soak: sessions arriving over the run and the month before, some open longer than 30 days;',
    'sweeps every 15 minutes to 6 hours, 30 % of them under SSM faults, 15 % killed part-way, 10 % with 45-120 s to run;',
    'SSM time passes with every request; the sweeper\'s clock is off by up to ±10 minutes (column "sweeper clock").',
    '',
    'Ground truth is what the emulator showed: "sessions" counts those visible in History or Active at the start of at',
    'least one sweep. "lost": not archived at all ("lost (shown)": although a DescribeSessions page showed it to a sweep).',
    '"wrong final state": archived, but not with the status and end SSM last showed in History. "over-confirmed": lost, and',
    'inside a confirmed range of the checkpoint, outside every reported gap ("n/a" while the checkpoint has no confirmed',
    'ranges; the count in brackets is of lost sessions inside its plain coverage). "SSM calls / sweep": every HTTP request',
    'SSM answered (pages, lookups, retries, injected faults) over the sweeps.',
    '',
    formatMatrixTable(results),
  ].join('\n');
}

/** The commit the soak ran at (the sweep it measured), or 'unknown' outside a git checkout. */
function commitOf(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
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
