/**
 * The soak once per combination of SSM guesses: a pairwise covering array over every value of
 * every guess (every pair of values meets in some row), each row a seeded soak with the sweeper's
 * clock off by up to ±10 minutes. One line per row: sessions, lost, wrong final state,
 * over-confirmed coverage, SSM calls per sweep.
 */
import { MINUTE_MS, DAY_MS } from '../../lambdas/core/shared/time';
import { SeededRandom, type EmulatorGuesses } from '../../local/ssm-emulator';
import { pairwiseCoveringArray, type Row } from './covering-array';
import { runSoak, type SoakReport } from './soak';

/** The values each guess takes in the matrix: the emulator's default first. */
export const GUESS_FACTORS = {
  retentionFrom: ['StartDate', 'EndDate'],
  visibilityLagMs: [0, 10 * MINUTE_MS],
  clockOffsetMs: [0, -20 * MINUTE_MS, 20 * MINUTE_MS],
  unstablePageRate: [0, 0.5],
  terminatingIn: ['Active', 'History'],
  failedIn: ['History', 'Active'],
  nextTokenTtlMs: [DAY_MS, 10 * MINUTE_MS],
  filtersAfterMaxResults: [false, true],
} as const satisfies { [K in keyof EmulatorGuesses]?: readonly EmulatorGuesses[K][] };

export type GuessRow = Row<typeof GUESS_FACTORS>;

/** Every pair of guess values in at least one row. */
export function matrixRows(): GuessRow[] {
  return pairwiseCoveringArray(GUESS_FACTORS);
}

/**
 * Two rows between which every guess takes each of its values (the clock both ahead and behind):
 * the short matrix of `npm test`.
 */
export const SHORT_MATRIX_ROWS: GuessRow[] = [
  {
    retentionFrom: 'StartDate', visibilityLagMs: 10 * MINUTE_MS, clockOffsetMs: -20 * MINUTE_MS, unstablePageRate: 0.5,
    terminatingIn: 'History', failedIn: 'History', nextTokenTtlMs: 10 * MINUTE_MS, filtersAfterMaxResults: true,
  },
  {
    retentionFrom: 'EndDate', visibilityLagMs: 0, clockOffsetMs: 20 * MINUTE_MS, unstablePageRate: 0,
    terminatingIn: 'Active', failedIn: 'Active', nextTokenTtlMs: DAY_MS, filtersAfterMaxResults: false,
  },
];

export interface MatrixOptions {
  rows: readonly GuessRow[];
  seed: number;
  days: number;
  sessions: number;
  onRow?: (result: MatrixResult, index: number) => void;
  onProgress?: (line: string) => void;
}

export interface MatrixResult {
  guesses: GuessRow;
  sweeperClockOffsetMs: number;
  report: SoakReport;
}

export async function runSoakMatrix(options: MatrixOptions): Promise<MatrixResult[]> {
  const offsets = new SeededRandom(options.seed + 97);
  const results: MatrixResult[] = [];
  for (const [index, guesses] of options.rows.entries()) {
    // The sweeper's clock: up to ten minutes either side of the host's, whole seconds.
    const sweeperClockOffsetMs = Math.round((offsets.next() * 2 - 1) * 600) * 1000;
    const report = await runSoak({
      seed: options.seed + index,
      days: options.days,
      sessions: options.sessions,
      guesses: { ...guesses },
      sweeperClockOffsetMs,
      onProgress: options.onProgress && ((line) => options.onProgress?.(`row ${index + 1}: ${line}`)),
    });
    const result = { guesses, sweeperClockOffsetMs, report };
    results.push(result);
    options.onRow?.(result, index);
  }
  return results;
}

const minutes = (ms: number): string => `${ms > 0 ? '+' : ''}${Math.round(ms / MINUTE_MS)} min`;

const COLUMNS: ReadonlyArray<readonly [string, (result: MatrixResult) => string]> = [
  ['retention from', (r) => r.guesses.retentionFrom],
  ['lag', (r) => minutes(r.guesses.visibilityLagMs)],
  ['SSM clock', (r) => minutes(r.guesses.clockOffsetMs)],
  ['sweeper clock', (r) => `${r.sweeperClockOffsetMs > 0 ? '+' : ''}${r.sweeperClockOffsetMs / 1000} s`],
  ['unstable pages', (r) => String(r.guesses.unstablePageRate)],
  ['Terminating in', (r) => r.guesses.terminatingIn],
  ['Failed in', (r) => r.guesses.failedIn],
  ['token TTL', (r) => (r.guesses.nextTokenTtlMs >= DAY_MS ? `${r.guesses.nextTokenTtlMs / DAY_MS} d` : minutes(r.guesses.nextTokenTtlMs).replace('+', ''))],
  ['filters after max', (r) => (r.guesses.filtersAfterMaxResults ? 'yes' : 'no')],
  ['sessions', (r) => String(r.report.demanded)],
  ['lost', (r) => String(r.report.lost)],
  ['lost (shown)', (r) => String(r.report.lostShown)],
  ['wrong final state', (r) => String(r.report.wrongFinalState)],
  ['over-confirmed', (r) => (r.report.confirmedKnown ? String(r.report.overConfirmed) : `n/a (${r.report.lostInCoverage} in coverage)`)],
  ['SSM calls / sweep', (r) => r.report.ssmCallsPerSweep.toFixed(1)],
  ['pages skipped / repeated', (r) => `${r.report.unstablePages.skipped} / ${r.report.unstablePages.repeated}`],
];

/** A Markdown table, one row per combination. */
export function formatMatrixTable(results: readonly MatrixResult[]): string {
  const header = ['#', ...COLUMNS.map(([name]) => name)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  results.forEach((result, index) => lines.push(`| ${[String(index + 1), ...COLUMNS.map(([, cell]) => cell(result))].join(' | ')} |`));
  return lines.join('\n');
}
