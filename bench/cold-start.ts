/**
 * Cold start: each Lambda handler bundled as `cdk deploy` bundles it (the options of
 * lib/archive-function.ts, mirrored here because the construct passes them inline to
 * NodejsFunction), against a naive bundle of the same code (no minify, no tree shaking). Reports
 * bytes and the median time of `import()` in fresh `node` processes, the two kinds interleaved so
 * that a noisy neighbour hurts both alike.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, stop as stopEsbuild, type BuildOptions } from 'esbuild';
import { median, PROJECT_ROOT, progress } from './support';

const run = promisify(execFile);

/**
 * lib/archive-function.ts: format ESM, target node24, minify, source maps without sources
 * content, mainFields module,main, the AWS SDK bundled (no externals), the project tsconfig.
 * NodejsFunction adds --bundle and --platform=node and names the output index.mjs.
 */
export const DEPLOYED_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  external: [],
  tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
};

/** How lib/archive-function.ts spells each mirrored option: if one disappears, the mirror is stale. */
const CONSTRUCT_SPELLINGS: readonly string[] = [
  "ESBUILD_TARGET = 'node24'",
  'format: OutputFormat.ESM',
  'minify: true',
  'sourceMap: true',
  'sourcesContent: false',
  "mainFields: ['module', 'main']",
  'bundleAwsSDK: true',
  'externalModules: []',
];

/** Mirrored options lib/archive-function.ts no longer spells as above (empty: the mirror holds). */
export function staleMirroredOptions(): string[] {
  const construct = readFileSync(join(PROJECT_ROOT, 'lib', 'archive-function.ts'), 'utf8');
  return CONSTRUCT_SPELLINGS.filter((spelling) => !construct.includes(spelling));
}

/** The same code, bundled the way a first attempt does it: everything in, nothing shaken out or shrunk. */
const NAIVE_OPTIONS: BuildOptions = { ...DEPLOYED_OPTIONS, minify: false, treeShaking: false, sourcemap: false };

const FUNCTIONS = [
  { name: 'sweeper', entry: 'lambdas/sweeper/handler.ts' },
  { name: 'query', entry: 'lambdas/api/handler.ts' },
] as const;

/** What the handlers read at module load (both check their configuration at cold start). */
const HANDLER_ENV: Record<string, string> = {
  TABLE_NAME: 'session-archive-bench',
  AWS_REGION: 'eu-west-1',
  ACCOUNT_ID: '123456789012',
  TOKEN_SECRET: 'cold-start-bench-token-secret-0123456789',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
};

export interface BundleMeasurement {
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  importMs: number[];
  medianImportMs: number;
}

export interface ColdStartResult {
  function: string;
  deployed: BundleMeasurement;
  /** The deployed bundle with `--enable-source-maps`, as the function runs (NODE_OPTIONS in the construct). */
  deployedWithSourceMaps: { medianImportMs: number };
  naive: BundleMeasurement;
}

const IMPORT_TIMER = `
const started = performance.now();
await import(process.argv[2]);
process.stdout.write(JSON.stringify({ importMs: performance.now() - started }));
`;

async function timeImport(runner: string, bundle: string, flags: readonly string[]): Promise<number> {
  const { stdout } = await run(process.execPath, [...flags, runner, pathToFileURL(bundle).href], {
    cwd: tmpdir(),
    // Only what a Lambda would have: no NODE_OPTIONS or tsx hooks inherited from this process.
    env: { PATH: process.env.PATH ?? '', ...HANDLER_ENV },
  });
  return (JSON.parse(stdout) as { importMs: number }).importMs;
}

const fileBytes = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

export async function runColdStartBench(options: { repetitions: number }): Promise<ColdStartResult[]> {
  const workdir = mkdtempSync(join(tmpdir(), 'session-archive-cold-start-'));
  try {
    const runner = join(workdir, 'time-import.mjs');
    writeFileSync(runner, IMPORT_TIMER);
    const results: ColdStartResult[] = [];
    for (const fn of FUNCTIONS) {
      const deployedFile = join(workdir, fn.name, 'deployed', 'index.mjs');
      const naiveFile = join(workdir, fn.name, 'naive', 'index.mjs');
      await build({ ...DEPLOYED_OPTIONS, entryPoints: [join(PROJECT_ROOT, fn.entry)], outfile: deployedFile, logLevel: 'error' });
      await build({ ...NAIVE_OPTIONS, entryPoints: [join(PROJECT_ROOT, fn.entry)], outfile: naiveFile, logLevel: 'error' });
      const deployedTimes: number[] = [];
      const mappedTimes: number[] = [];
      const naiveTimes: number[] = [];
      // One warm-up each fills the OS file cache, as a Lambda's code is on local disk before init.
      await timeImport(runner, deployedFile, []);
      await timeImport(runner, naiveFile, []);
      for (let i = 0; i < options.repetitions; i++) {
        deployedTimes.push(await timeImport(runner, deployedFile, []));
        naiveTimes.push(await timeImport(runner, naiveFile, []));
        mappedTimes.push(await timeImport(runner, deployedFile, ['--enable-source-maps']));
      }
      const measure = (file: string, times: number[]): BundleMeasurement => ({
        bytes: fileBytes(file),
        gzipBytes: gzipSync(readFileSync(file)).length,
        mapBytes: fileBytes(`${file}.map`),
        importMs: times,
        medianImportMs: median(times),
      });
      results.push({
        function: fn.name,
        deployed: measure(deployedFile, deployedTimes),
        deployedWithSourceMaps: { medianImportMs: median(mappedTimes) },
        naive: measure(naiveFile, naiveTimes),
      });
      progress(`cold start of the ${fn.name} bundle measured`);
    }
    return results;
  } finally {
    // esbuild keeps a service process for later builds; the other parts should not share the CPU with it.
    await stopEsbuild();
    rmSync(workdir, { recursive: true, force: true });
  }
}
