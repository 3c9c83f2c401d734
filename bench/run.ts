/**
 * `npm run bench` (about 10 minutes on 2 cores once the query archives are cached) and
 * `npm run bench -- --quick` (under a minute): measures the archive against its limits and against
 * naive baselines, prints a table and writes docs/benchmarks.md. Not part of `npm test`; it
 * measures and reports, it asserts nothing about timing.
 *
 * The first full run also seeds the 1M-session query archive into .bench-cache/ (7 to 14 minutes
 * on dynalite, depending on the machine's load); later runs reuse it and say "cached".
 * `npm run bench -- --prepare` does only that.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { keepSoakSection } from './soak-section';
import { keepEvidenceVerifySection } from './evidence-verify-section';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runColdStartBench, staleMirroredOptions } from './cold-start';
import { ALIBABA_HEADING, keptConsoleSection, withConsoleSection } from './console-section';
import { compareWithNaive } from './naive-sweeper';
import { runQueryBench } from './query';
import { buildRows, renderConsoleTable, renderMarkdown, type BenchResults } from './report';
import { describeMachine, errorText, progress, PROJECT_ROOT } from './support';
import { runBackfill, type BackfillRun } from './sweep-backfill';

interface Plan {
  /** Backfill sizes; the raw-write and store-alone baselines run with those marked. */
  backfills: { sessions: number; throughputBaselines: boolean }[];
  rawItems: number;
  storeItems: number;
  naive: { sessions: number; runs: number };
  query: { sizes: number[]; requests: number; scanRequests: number };
  coldStartRepetitions: number;
}

const FULL: Plan = {
  backfills: [
    // Throughput baselines once, on the large backfill: the budget is tight.
    { sessions: 10_000, throughputBaselines: false },
    { sessions: 100_000, throughputBaselines: true },
  ],
  rawItems: 6_000,
  storeItems: 1_000,
  naive: { sessions: 3_000, runs: 5 },
  query: { sizes: [10_000, 100_000, 1_000_000], requests: 100, scanRequests: 3 },
  coldStartRepetitions: 9,
};

const QUICK: Plan = {
  backfills: [
    { sessions: 500, throughputBaselines: false },
    { sessions: 2_000, throughputBaselines: true },
  ],
  rawItems: 1_000,
  storeItems: 200,
  naive: { sessions: 500, runs: 3 },
  query: { sizes: [10_000], requests: 30, scanRequests: 3 },
  coldStartRepetitions: 7,
};

const EMULATOR_SEED = 1;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, prepare: { type: 'boolean', default: false } } });
  const quick = values.quick;
  const plan = quick ? QUICK : FULL;
  if (values.prepare) {
    await runQueryBench({ ...plan.query, seedOnly: true });
    progress('query archives are seeded; `npm run bench` will reuse them');
    return;
  }
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  progress(`${quick ? 'quick' : 'full'} run started ${startedAt}`);

  const partSeconds: Record<string, number> = {};
  const timed = async <T>(part: string, work: () => Promise<T>): Promise<T> => {
    const partStarted = performance.now();
    const result = await work();
    partSeconds[part] = (performance.now() - partStarted) / 1000;
    progress(`${part}: ${partSeconds[part].toFixed(0)} s`);
    return result;
  };

  const coldStart = await timed('cold start', () => runColdStartBench({ repetitions: plan.coldStartRepetitions }));
  const backfills: BackfillRun[] = [];
  for (const backfill of plan.backfills) {
    backfills.push(
      await timed(`backfill ${backfill.sessions.toLocaleString('en')}`, () => runBackfill({
        sessions: backfill.sessions,
        seed: EMULATOR_SEED,
        resweep: true,
        rawItems: backfill.throughputBaselines ? plan.rawItems : 0,
        storeItems: backfill.throughputBaselines ? plan.storeItems : 0,
      })),
    );
  }
  const naive = await timed('naive baseline', () => compareWithNaive({ ...plan.naive, seed: EMULATOR_SEED + 1 }));
  const query = await timed('query', () => runQueryBench(plan.query));

  const results: BenchResults = {
    mode: quick ? 'quick' : 'full',
    command: quick ? 'npm run bench -- --quick' : 'npm run bench',
    startedAt,
    wallSeconds: (performance.now() - started) / 1000,
    partSeconds,
    machine: describeMachine(),
    backfills,
    naive,
    query,
    coldStart,
    staleBundlingOptions: staleMirroredOptions(),
    budgetSeconds: quick ? 60 : 600,
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN },
  };
  const { rows, misses } = buildRows(results);
  process.stdout.write(`${renderConsoleTable(rows)}\n`);
  if (misses.length > 0) process.stdout.write(`\nmisses its target:\n${misses.map((miss) => `- ${miss.measure}: ${miss.reason}`).join('\n')}\n`);
  const target = join(PROJECT_ROOT, 'docs', 'benchmarks.md');
  // The soak matrix's section comes from `npm run soak -- --matrix --write-docs`, the console's from
  // bench/console.ts, the evidence verify section from bench/evidence-verify.ts: all kept as they were.
  const previous = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
  const consoleNumbers = keptConsoleSection(target);
  const alibabaNumbers = keptConsoleSection(target, ALIBABA_HEADING);
  const markdown = keepEvidenceVerifySection(previous, keepSoakSection(previous, renderMarkdown(results, rows, misses)));
  const withConsole = consoleNumbers === '' ? markdown : withConsoleSection(markdown, consoleNumbers);
  writeFileSync(target, alibabaNumbers === '' ? withConsole : withConsoleSection(withConsole, alibabaNumbers, ALIBABA_HEADING));
  progress(`wrote ${target} after ${results.wallSeconds.toFixed(0)} s`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${errorText(error)}\n`);
  process.exitCode = 1;
});
