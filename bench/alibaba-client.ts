/**
 * Official Alibaba SDK vs our own V3 signer, for the Alibaba source: esbuild bundle bytes
 * (minified, ESM, node platform, as lib/archive-function.ts bundles) and cold import time (median
 * of fresh `node` processes importing the bundle, the two interleaved). Also checks that both
 * list the same sessions from the emulator, so the comparison is between working clients.
 *
 *   npx tsx bench/alibaba-client.ts [--repetitions 7]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, stop as stopEsbuild } from 'esbuild';
import { AlibabaTerminalSource } from '../lambdas/adapters/alibaba/alibaba-terminal-source';
import { startAlibabaEmulator } from '../local/emulators/alibaba';
import { listTerminalSessionsViaSdk } from './alibaba-sdk-client';
import { median, PROJECT_ROOT, progress } from './support';

const run = promisify(execFile);

const CLIENTS = [
  { name: 'official SDK (@alicloud/ecs20140526)', entry: `export { listTerminalSessionsViaSdk } from ${JSON.stringify(join(PROJECT_ROOT, 'bench/alibaba-sdk-client.ts'))};` },
  { name: 'own V3 signer + fetch (the adapter)', entry: `export { AlibabaTerminalSource } from ${JSON.stringify(join(PROJECT_ROOT, 'lambdas/adapters/alibaba/alibaba-terminal-source.ts'))};` },
] as const;

/**
 * The SDK is CommonJS and requires Node built-ins at run time ("querystring", ...), which an ESM
 * bundle can only do with a `require` of its own: without this banner its bundle fails at import
 * with "Dynamic require of "querystring" is not supported". Both bundles get it, so the numbers compare.
 */
const REQUIRE_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

const IMPORT_TIMER = `
const started = performance.now();
await import(process.argv[2]);
process.stdout.write(JSON.stringify({ importMs: performance.now() - started }));
`;

export interface ClientMeasurement {
  name: string;
  bytes: number;
  importMs: number[];
  medianImportMs: number;
}

export async function measureAlibabaClients(repetitions: number): Promise<ClientMeasurement[]> {
  const workdir = mkdtempSync(join(tmpdir(), 'session-archive-alibaba-client-'));
  try {
    const runner = join(workdir, 'time-import.mjs');
    writeFileSync(runner, IMPORT_TIMER);
    const bundles = await Promise.all(
      CLIENTS.map(async (client, index) => {
        const entry = join(workdir, `entry-${index}.ts`);
        const outfile = join(workdir, `bundle-${index}.mjs`);
        writeFileSync(entry, client.entry);
        await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node24', minify: true, mainFields: ['module', 'main'], tsconfig: join(PROJECT_ROOT, 'tsconfig.json'), banner: { js: REQUIRE_BANNER }, logLevel: 'error' });
        return outfile;
      }),
    );
    const times: number[][] = CLIENTS.map(() => []);
    for (const bundle of bundles) await timeImport(runner, bundle);
    for (let round = 0; round < repetitions; round += 1) {
      for (const [index, bundle] of bundles.entries()) times[index]?.push(await timeImport(runner, bundle));
    }
    return CLIENTS.map((client, index) => ({ name: client.name, bytes: statSync(bundles[index] as string).size, importMs: times[index] ?? [], medianImportMs: median(times[index] ?? []) }));
  } finally {
    await stopEsbuild();
    rmSync(workdir, { recursive: true, force: true });
  }
}

async function timeImport(runner: string, bundle: string): Promise<number> {
  const { stdout } = await run(process.execPath, [runner, pathToFileURL(bundle).href], { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '' } });
  return (JSON.parse(stdout) as { importMs: number }).importMs;
}

/** Both clients list the same sessions from the emulator. */
async function checkBothWork(): Promise<number> {
  const key = { accessKeyId: 'LTAI5tBenchKey', accessKeySecret: 'bench-only-secret' };
  const emulator = await startAlibabaEmulator({ accessKeys: [key] });
  try {
    const now = emulator.alibabaNow();
    emulator.generateSessions({ count: 650, seed: 2, fromMs: now - 20 * 86_400_000, toMs: now });
    const viaSdk: string[] = [];
    for await (const page of listTerminalSessionsViaSdk({ ...key, region: 'cn-hangzhou', endpoint: emulator.endpoint })) viaSdk.push(...page.sessions.map((s) => s.sessionId));
    const viaOwn: string[] = [];
    for await (const page of new AlibabaTerminalSource({ ...key, accountLabel: 'bench', region: 'cn-hangzhou', endpoint: emulator.url }).listPages()) viaOwn.push(...page.sessions.map((s) => s.sessionId));
    if (viaSdk.length !== 650 || viaSdk.join() !== viaOwn.join()) throw new Error(`the clients disagree: ${viaSdk.length} vs ${viaOwn.length} sessions`);
    return viaSdk.length;
  } finally {
    await emulator.close();
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--repetitions');
  const repetitions = at >= 0 ? Number(process.argv[at + 1]) : 7;
  progress(`both clients listed the same ${await checkBothWork()} sessions from the emulator`);
  const results = await measureAlibabaClients(repetitions);
  process.stdout.write(`| client | bundle bytes | cold import ms (median of ${repetitions}) |\n|---|---:|---:|\n`);
  for (const result of results) process.stdout.write(`| ${result.name} | ${result.bytes} | ${result.medianImportMs.toFixed(1)} |\n`);
  process.stdout.write(`\n${JSON.stringify(results)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
