/**
 * `npx tsx bench/alibaba.ts [--write-docs]`: the Alibaba source's numbers (issue 14), not part of
 * `npm run bench`. Sweeps through the sweeper's Alibaba adapter (its own V3 signer over fetch,
 * lambdas/adapters/alibaba/alibaba-terminal-source.ts) against the emulator, the archive in dynalite:
 * backfill calls per ceil(N/100), the calls of a sweep with nothing new, session writes per
 * unchanged session. And the sweeper's bundle (esbuild as `cdk deploy` builds it) and cold import,
 * with and without the Alibaba adapter, in the same run: "without" stubs the module that opens
 * Alibaba sources, so the adapter and its signer drop out of the bundle.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, stop as stopEsbuild, type Plugin } from 'esbuild';
import { startAlibabaSweepRig } from '../test/support/alibaba-sweep-rig';
import { DEPLOYED_OPTIONS } from './cold-start';
import { ALIBABA_HEADING, withConsoleSection } from './console-section';
import { median, PROJECT_ROOT, progress } from './support';

const run = promisify(execFile);
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);
const IMPORT_TIMER = 'const t = performance.now(); await import(process.argv[2]); process.stdout.write(String(performance.now() - t));';
const ENV = { TABLE_NAME: 'bench', AWS_REGION: 'eu-west-1', ACCOUNT_ID: '123456789012', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' };

/** Replaces lambdas/adapters/alibaba/alibaba-sources.ts with a class that opens nothing: the sweeper as it was before. */
const withoutAlibaba: Plugin = {
  name: 'without-alibaba',
  setup(builder) {
    builder.onResolve({ filter: /alibaba-sources$/ }, () => ({ path: 'alibaba-sources-stub', namespace: 'stub' }));
    builder.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export class AlibabaSources { open() { throw new Error("no Alibaba"); } }', loader: 'js' }));
  },
};

async function bundle(workdir: string, name: string, plugins: Plugin[]): Promise<{ file: string; bytes: number }> {
  const file = join(workdir, name, 'index.mjs');
  await build({ ...DEPLOYED_OPTIONS, entryPoints: [join(PROJECT_ROOT, 'lambdas/sweeper/handler.ts')], outfile: file, plugins, logLevel: 'error' });
  return { file, bytes: statSync(file).size };
}

async function importMs(runner: string, file: string): Promise<number> {
  const { stdout } = await run(process.execPath, [runner, pathToFileURL(file).href], { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', ...ENV } });
  return Number(stdout);
}

/** Cold imports of both bundles, interleaved so that the machine's load falls on both alike; medians. */
async function coldImports(workdir: string, files: [string, string], repetitions: number): Promise<[number, number]> {
  const runner = join(workdir, 'timer.mjs');
  writeFileSync(runner, IMPORT_TIMER);
  for (const file of files) await importMs(runner, file); // fills the file cache
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < repetitions; i++) for (const [index, file] of files.entries()) times[index as 0 | 1].push(await importMs(runner, file));
  return [median(times[0]), median(times[1])];
}

async function sweeps(count: number): Promise<{ backfillCalls: number; ratio: number; nothingNewCalls: number; writesPerUnchanged: number; backfillMs: number }> {
  const rig = await startAlibabaSweepRig(T0, { recordCap: count + 1000 });
  try {
    rig.emulator.generateSessions({ count, seed: 1, fromMs: T0 - 28 * DAY, toMs: T0 - 12 * DAY, openFraction: 0 });
    const started = Date.now();
    await rig.sweep();
    const backfillMs = Date.now() - started;
    const backfillCalls = rig.emulator.stats.pages;
    rig.emulator.resetStats();
    const writes = rig.store.stats.sessionWrites;
    rig.emulator.advance(15 * 60_000);
    const quiet = await rig.sweep();
    return {
      backfillCalls,
      ratio: backfillCalls / Math.ceil(count / 100),
      nothingNewCalls: rig.emulator.stats.pages,
      writesPerUnchanged: (rig.store.stats.sessionWrites - writes) / Math.max(1, quiet.unchanged),
      backfillMs,
    };
  } finally {
    await rig.close();
  }
}

async function main(): Promise<void> {
  const write = process.argv.includes('--write-docs');
  const sessions = 3000;
  const load = loadavg()[0] ?? 0;
  const workdir = mkdtempSync(join(tmpdir(), 'session-archive-alibaba-bench-'));
  try {
    const before = await bundle(workdir, 'without', [withoutAlibaba]);
    const after = await bundle(workdir, 'with', []);
    const [beforeMs, afterMs] = await coldImports(workdir, [before.file, after.file], 11);
    progress('sweeper bundles measured');
    const measured = await sweeps(sessions);
    progress('Alibaba sweeps measured');
    const section = [
      ALIBABA_HEADING,
      '',
      `\`npx tsx bench/alibaba.ts --write-docs\` (not part of \`npm run bench\`), ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, load average ${load.toFixed(1)}: the sweeper's Alibaba adapter (V3 signatures over HTTP) against the Alibaba emulator, the archive in dynalite; bundles built as \`cdk deploy\` builds the sweeper; cold import = median of 11 fresh \`node\` processes per bundle, the two interleaved; "without" stubs lambdas/adapters/alibaba/alibaba-sources.ts (the adapter and its signer).`,
      '',
      '| measure | value | target |',
      '|---|---|---|',
      `| backfill of ${sessions} sessions: calls / ceil(N/100) | ${measured.backfillCalls} / ${Math.ceil(sessions / 100)} = ${measured.ratio.toFixed(3)} (${(measured.backfillMs / 1000).toFixed(1)} s) | ≤ 1.05 |`,
      `| sweep with nothing new: DescribeTerminalSessions calls | ${measured.nothingNewCalls} | 1 |`,
      `| session writes per unchanged session | ${measured.writesPerUnchanged} | 0 |`,
      `| sweeper bundle without / with the Alibaba adapter | ${before.bytes} / ${after.bytes} bytes (+${after.bytes - before.bytes}) | |`,
      `| sweeper cold import without / with (median of 11, interleaved) | ${beforeMs.toFixed(0)} / ${afterMs.toFixed(0)} ms | |`,
    ].join('\n');
    process.stdout.write(`${section}\n`);
    if (write) {
      const target = join(PROJECT_ROOT, 'docs', 'benchmarks.md');
      writeFileSync(target, withConsoleSection(readFileSync(target, 'utf8'), section, ALIBABA_HEADING));
      progress(`wrote the Alibaba section into ${target}`);
    }
  } finally {
    rmSync(workdir, { recursive: true, force: true });
    await stopEsbuild();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`alibaba bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
