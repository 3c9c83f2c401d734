/**
 * `npx tsx bench/console.ts [--sessions 100000] [--runs 10]` (not part of `npm test` or `npm run
 * bench`): the auditor's console in headless Chromium against the local API over an archive of
 * `--sessions` sessions (dynalite in its own process, seeded once into .bench-cache/ in the
 * store's exact item shape, reused later). Measures:
 *   - the first load's transfer (gzip) and the time until the first 100 results are on screen,
 *     next to the latency of the same API call made directly, in the same run;
 *   - export from the page (sessions/s) next to `session-archive export` of the same search.
 * Prints a "## Console" section and writes it into docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page, Request } from 'playwright-core';
import { buildConsole } from '../console/assets';
import { ensureArchiveTable } from '../lambdas/adapters/ensure-table';
import type { SourceScope } from '../lambdas/core/session';
import { DAY_MS, toIso } from '../lambdas/core/time';
import { launchChromium } from '../test/support/browser';
import { withConsoleSection } from './console-section';
import { archiveItem, benchSession, itemShapeDigest, verifyItemShape, writeItems } from './session-items';
import { BENCH_ACCOUNT_ID, BENCH_CREDENTIALS, BENCH_REGION, CACHE_DIR, describeMachine, median, PROJECT_ROOT, progress, startJsonLineChild } from './support';

const TABLE = 'bench-archive';
const SCOPE: SourceScope = { source: 'ssm', accountId: BENCH_ACCOUNT_ID, region: BENCH_REGION };
const SPAN_TO = Date.UTC(2026, 0, 1);
const SPAN_FROM = SPAN_TO - 730 * DAY_MS;
const NOW_ISO = toIso(SPAN_TO + DAY_MS);
/** The export's search: the last quarter of the archive's two years. */
const EXPORT_RANGE = { from: '2025-10-01T00:00:00Z', to: '2026-01-01T00:00:00Z' };
const API_PATHS = /^\/(sessions|findings|coverage)/;

async function seededArchive(size: number): Promise<{ endpoint: string; cached: boolean; stop: () => Promise<void> }> {
  const path = join(CACHE_DIR, `console-archive-${size}`);
  const marker = join(path, 'seeded.json');
  const expected = JSON.stringify({ size, itemShape: itemShapeDigest(SCOPE, NOW_ISO, SPAN_FROM, SPAN_TO) });
  const cached = existsSync(marker) && readFileSync(marker, 'utf8') === expected;
  if (!cached) {
    rmSync(path, { recursive: true, force: true });
    mkdirSync(path, { recursive: true });
  }
  const dynalite = await startJsonLineChild<{ endpoint: string }>('bench/dynalite-process.ts', [path]);
  if (!cached) {
    await verifyItemShape(SCOPE, NOW_ISO, SPAN_FROM, SPAN_TO);
    const raw = new DynamoDBClient({ region: BENCH_REGION, endpoint: dynalite.ready.endpoint, credentials: BENCH_CREDENTIALS, maxAttempts: 10 });
    const documents = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    await ensureArchiveTable(raw, TABLE);
    progress(`seeding ${size.toLocaleString('en')} sessions into ${path} (once)`);
    const rate = await writeItems(documents, TABLE, size, (index) => archiveItem(SCOPE, benchSession(index, SPAN_FROM, SPAN_TO), NOW_ISO), (written) => progress(`  ${written.toLocaleString('en')}`));
    progress(`  seeded at ${Math.round(rate)} items/s`);
    raw.destroy();
    writeFileSync(marker, expected);
  }
  return { endpoint: dynalite.ready.endpoint, cached, stop: () => dynalite.stop() };
}

/** One navigation to the console, on the page's own clock (ms from the document's navigation start). */
interface Navigation {
  /** To the frame that showed the first 100 results (the page's `console:results` mark). */
  onScreenMs: number;
  htmlDoneMs: number;
  scriptStartMs: number;
  apiSentMs: number;
  apiDoneMs: number;
}

interface FirstLoad {
  transferBytes: number;
  /** From the bench's goto() call, including opening the tab in a fresh context. */
  firstHundredMs: number;
  fresh: Navigation;
  /** The same page loaded again in the same tab (no new renderer process; nothing cached: no-cache). */
  again: Navigation;
  idleFetchMs: number;
}

const TIMINGS = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const api = performance.getEntriesByType('resource').find((entry) => new URL(entry.name).pathname === '/sessions');
  const mark = performance.getEntriesByName('console:results')[0];
  const script = performance.getEntriesByName('console:script')[0];
  return [mark ? mark.startTime : NaN, nav ? nav.responseEnd : NaN, api ? api.requestStart || api.startTime : NaN, api ? api.responseEnd : NaN, script ? script.startTime : NaN];
})()`;

async function navigate(page: Page, url: string): Promise<Navigation> {
  await page.goto(`${url}/`);
  await page.locator('#sessions tbody tr:nth-child(100)').waitFor();
  // The mark is set in the frame after the results were inserted.
  await page.waitForFunction("performance.getEntriesByName('console:results').length > 0");
  const [onScreenMs, htmlDoneMs, apiSentMs, apiDoneMs, scriptStartMs] = (await page.evaluate(TIMINGS)) as number[];
  return { onScreenMs: onScreenMs ?? Number.NaN, htmlDoneMs: htmlDoneMs ?? Number.NaN, scriptStartMs: scriptStartMs ?? Number.NaN, apiSentMs: apiSentMs ?? Number.NaN, apiDoneMs: apiDoneMs ?? Number.NaN };
}

async function firstLoad(browser: Browser, url: string): Promise<FirstLoad> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const sizes: Promise<number>[] = [];
  const collect = (request: Request): void => {
    if (!API_PATHS.test(new URL(request.url()).pathname)) sizes.push(request.sizes().then((s) => s.responseBodySize + s.responseHeadersSize));
  };
  page.on('requestfinished', collect);
  const started = performance.now();
  const fresh = await navigate(page, url);
  const firstHundredMs = performance.now() - started;
  page.off('requestfinished', collect);
  const transferBytes = (await Promise.all(sizes)).reduce((sum, size) => sum + size, 0);
  // The same request from the same page once it is idle: the browser's own cost, apart from the load.
  const idleFetchMs = Number(await page.evaluate("(async () => { const t = performance.now(); await (await fetch('/sessions?limit=100', { headers: { accept: 'application/json' } })).text(); return performance.now() - t; })()"));
  const again = await navigate(page, url);
  await context.close();
  return { transferBytes, firstHundredMs, fresh, again, idleFetchMs };
}

/** The page's first API call, made directly: the same URL the page sends. */
async function apiLatency(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/sessions?limit=100`);
  await response.text();
  return performance.now() - started;
}

async function pageExport(browser: Browser, url: string): Promise<{ sessions: number; seconds: number; bytes: number }> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${url}/?from=${EXPORT_RANGE.from}&to=${EXPORT_RANGE.to}`);
  // The per-day chart reads pages too: let it finish so the export runs alone.
  await page.locator('#per-day svg, #per-day .problem').first().waitFor({ timeout: 300_000 });
  const started = performance.now();
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 600_000 }), page.locator('#export-csv').click()]);
  const seconds = (performance.now() - started) / 1000;
  const bytes = statSync(await download.path()).size;
  const lines = readFileSync(await download.path(), 'utf8').split('\r\n').length - 2;
  await context.close();
  return { sessions: lines, seconds, bytes };
}

function cliExport(url: string, out: string): Promise<{ sessions: number; seconds: number; selfReportedRate: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'session-archive.js'), 'export', '--api', url, '--format', 'csv', '--from', EXPORT_RANGE.from, '--to', EXPORT_RANGE.to, '--out', out], { env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const match = /^exported (\d+) sessions to .* in [\d.]+ s \((\d+)\/s\)$/m.exec(stderr);
      if (code !== 0 || !match) return reject(new Error(`export failed (${code}): ${stderr}`));
      resolve({ sessions: Number(match[1]), seconds, selfReportedRate: Number(match[2]), bytes: statSync(out).size });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sessions: { type: 'string', default: '100000' }, runs: { type: 'string', default: '10' } } });
  const size = Number(values.sessions);
  const runs = Number(values.runs);
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const buildStarted = performance.now();
  const build = await buildConsole();
  const buildMs = performance.now() - buildStarted;
  const pageGzip = build.assets.get('/')?.gzipped.length ?? 0;
  const archive = await seededArchive(size);
  // The API (serving the console) in its own process, as `npm start` runs it apart from the browser.
  const apiChild = await startJsonLineChild<{ url: string }>('bench/api-process.ts', [archive.endpoint, TABLE]);
  const api = { url: apiChild.ready.url, close: () => apiChild.stop() };
  const browser = await launchChromium();
  const work = mkdtempSync(join(tmpdir(), 'console-bench-'));
  try {
    await firstLoad(browser, api.url); // warm-up: dynalite's cache, Chromium's first start
    const loads: FirstLoad[] = [];
    const direct: number[] = [];
    for (let run = 0; run < runs; run++) {
      loads.push(await firstLoad(browser, api.url));
      direct.push(await apiLatency(api.url));
    }
    progress('measured first loads');
    const fromPage = await pageExport(browser, api.url);
    const fromCli = await cliExport(api.url, join(work, 'cli.csv'));
    progress('measured exports');
    const firstHundred = median(loads.map((load) => load.firstHundredMs));
    const medianOf = (pick: (load: FirstLoad) => Navigation): Navigation => ({
      onScreenMs: median(loads.map((load) => pick(load).onScreenMs)),
      htmlDoneMs: median(loads.map((load) => pick(load).htmlDoneMs)),
      scriptStartMs: median(loads.map((load) => pick(load).scriptStartMs)),
      apiSentMs: median(loads.map((load) => pick(load).apiSentMs)),
      apiDoneMs: median(loads.map((load) => pick(load).apiDoneMs)),
    });
    const fresh = medianOf((load) => load.fresh);
    const again = medianOf((load) => load.again);
    const breakdown = (n: Navigation): string => `${n.htmlDoneMs.toFixed(0)} / ${n.scriptStartMs.toFixed(0)} / ${n.apiSentMs.toFixed(0)} / ${n.apiDoneMs.toFixed(0)} / ${n.onScreenMs.toFixed(0)} ms`;
    const apiMs = median(direct);
    const pageRate = fromPage.sessions / fromPage.seconds;
    const cliRate = fromCli.sessions / fromCli.seconds;
    const js = build.assets.get('/console/app.js');
    const css = build.assets.get('/console/app.css');
    const machine = describeMachine();
    const section = [
      '## Console',
      '',
      `\`npx tsx bench/console.ts --sessions ${size} --runs ${runs}\` (not part of \`npm run bench\`), ${new Date().toISOString().slice(0, 16)}Z, ${machine.cores} cores (${machine.cpuModel}), load average ${loadavg()[0]?.toFixed(1) ?? 'n/a'}: headless Chromium (Debian's package, playwright-core) against the local API over an archive of ${size.toLocaleString('en')} sessions (dynalite in its own process${archive.cached ? ', archive reused from .bench-cache/' : ''}). Medians of ${runs} first loads, each in a fresh browser context (empty cache).`,
      '',
      '| measure | value |',
      '|---|---|',
      `| bundle: script / styles (minified) | ${js?.body.length ?? 0} / ${css?.body.length ?? 0} bytes |`,
      `| the page as served (HTML with styles and scripts inlined): raw / gzip | ${build.assets.get('/')?.body.length ?? 0} / ${pageGzip} bytes |`,
      `| first load transfer, all requests but the API's (bodies gzip + headers), as Chromium counted it | ${median(loads.map((load) => load.transferBytes))} bytes (budget 150 KB = 153,600) |`,
      `| esbuild build in memory, first request of a process | ${buildMs.toFixed(0)} ms (then cached) |`,
      `| first 100 results on screen, fresh context (new tab and renderer): from navigation start to the frame showing them | ${fresh.onScreenMs.toFixed(0)} ms |`,
      `| where that time goes: HTML received / script starts / API request sent / API answer complete / results drawn | ${breakdown(fresh)} |`,
      `| the same, from the bench's goto() call (includes creating the tab) | ${firstHundred.toFixed(0)} ms |`,
      `| first 100 results on screen, page loaded again in the same tab (nothing cached) | ${again.onScreenMs.toFixed(0)} ms (${breakdown(again)}) |`,
      `| the API call itself (GET /sessions?limit=100, the page's first request) made directly, same run | ${apiMs.toFixed(0)} ms |`,
      `| the same API call from the loaded page, idle (fetch) | ${median(loads.map((load) => load.idleFetchMs)).toFixed(0)} ms |`,
      `| ratio: on screen / API call: fresh context; same tab | ${(fresh.onScreenMs / apiMs).toFixed(2)}; ${(again.onScreenMs / apiMs).toFixed(2)} (target ≤ 2) |`,
      `| export from the page, CSV, ${fromPage.sessions.toLocaleString('en')} sessions (${EXPORT_RANGE.from.slice(0, 10)} to ${EXPORT_RANGE.to.slice(0, 10)}) | ${Math.round(pageRate).toLocaleString('en')} sessions/s (${fromPage.seconds.toFixed(1)} s, click to download) |`,
      `| \`session-archive export --format csv\`, same search | ${Math.round(cliRate).toLocaleString('en')} sessions/s (${fromCli.seconds.toFixed(1)} s, process start to exit; it reports ${fromCli.selfReportedRate.toLocaleString('en')}/s itself) |`,
      `| ratio: page / CLI | ${(pageRate / cliRate).toFixed(2)} (target ≥ 0.8); files ${fromPage.bytes === fromCli.bytes ? 'of equal size' : `differ in size (${fromPage.bytes} vs ${fromCli.bytes})`} |`,
      '',
      'Reading the breakdown: the page itself costs little: one request of about 11 KB, the first API request leaves from a small script in the head before the main script runs, and drawing 100 rows takes the last step. ' +
        'The rest is the browser starting (a fresh context opens a new renderer process) and the API call running slower while Chromium competes for the same 2 cores (compare the direct call and the idle fetch from the page). ' +
        `On this run the target ratio of 2 was ${again.onScreenMs / apiMs <= 2 ? 'met' : 'missed'} for a page loaded again in the same tab and ${fresh.onScreenMs / apiMs <= 2 ? 'met' : 'missed'} for a fresh browser context. ` +
        'Runs on this shared machine vary by a factor of two or more (the load average is given above); the page export matches the CLI within the noise because both fetch the same 1,000-session JSON pages and render them with the same CSV code.',
      '',
    ].join('\n');
    process.stdout.write(`${section}\n`);
    const target = join(PROJECT_ROOT, 'docs', 'benchmarks.md');
    writeFileSync(target, withConsoleSection(readFileSync(target, 'utf8'), section));
    progress(`wrote the Console section of ${target}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await browser.close();
    await api.close();
    await archive.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`console bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
