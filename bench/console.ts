/**
 * `npx tsx bench/console.ts [--sessions 100000] [--runs 10]` (not part of `npm test` or `npm run
 * bench`): the auditor's console in headless Chromium against the local API over an archive of
 * `--sessions` sessions (dynalite in its own process, seeded once into .bench-cache/ in the
 * store's exact item shape, reused later). Measures:
 *   - the first load's transfer (gzip) and the time until the first 100 results are on screen,
 *     with where it goes (the page's first bytes, its script, the API's answer inside the page,
 *     the painted results), next to the latency of the same API call made directly, same run;
 *   - the browser's own part (bench/console-floor.ts) and a search from the open page;
 *   - export from the page (sessions/s) next to `session-archive export` of the same search.
 * Prints a "## Console" section and writes it into docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page, Request } from 'playwright-core';
import { buildConsole } from '../console/assets';
import { ensureArchiveTable } from '../lambdas/adapters/dynamodb/ensure-table';
import type { SourceScope } from '../lambdas/core/session/session';
import { DAY_MS, toIso } from '../lambdas/core/shared/time';
import { launchChromium } from '../test/support/browser';
import { measureBrowserFloor } from './console-floor';
import { EXPORT_RANGE, renderConsoleSection, type FirstLoad, type Navigation } from './console-report';
import { withConsoleSection } from './console-section';
import { archiveItem, benchSession, itemShapeDigest, verifyItemShape, writeItems } from './session-items';
import { BENCH_ACCOUNT_ID, BENCH_CREDENTIALS, BENCH_REGION, CACHE_DIR, PROJECT_ROOT, progress, startJsonLineChild } from './support';

const TABLE = 'bench-archive';
const SCOPE: SourceScope = { source: 'ssm', accountId: BENCH_ACCOUNT_ID, region: BENCH_REGION };
const SPAN_TO = Date.UTC(2026, 0, 1);
const SPAN_FROM = SPAN_TO - 730 * DAY_MS;
const NOW_ISO = toIso(SPAN_TO + DAY_MS);
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

const TIMINGS = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const mark = (name) => { const entry = performance.getEntriesByName(name)[0]; return entry ? entry.startTime : NaN; };
  return [mark('console:results'), nav ? nav.responseStart : NaN, mark('console:script'), nav ? nav.responseEnd : NaN, mark('console:first-page'), performance.getEntriesByType('resource').filter((entry) => { const url = new URL(entry.name); return url.pathname + url.search === '/sessions?limit=100'; }).length];
})()`;

async function navigate(page: Page, url: string): Promise<Navigation> {
  await page.goto(`${url}/`);
  await page.locator('#sessions tbody tr:nth-child(100)').waitFor();
  // The script's mark, once it has adopted the server's rows and a frame has been painted after.
  await page.waitForFunction(() => performance.getEntriesByName('console:results').length > 0); // a function, not a string: the page's CSP forbids eval
  const [adoptedMs, htmlStartMs, scriptStartMs, htmlDoneMs, firstPageMs, apiRequests] = (await page.evaluate(TIMINGS)) as number[];
  // On screen: the server's rows, painted as the HTML was parsed. An inline script right after
  // them (all 100 in the document by then) marks, after the next frame, `console:rows`.
  const onScreenMs = Number(await page.evaluate("performance.getEntriesByName('console:rows')[0]?.startTime ?? NaN"));
  if (!Number.isFinite(onScreenMs)) throw new Error('the page came without the server-rendered rows');
  progress(`  rows painted ${onScreenMs.toFixed(0)} ms, adopted by the script ${(adoptedMs ?? Number.NaN).toFixed(0)} ms`);
  // The first page comes inside the HTML: a request for it from the page would mean it did not.
  if (apiRequests !== 0) throw new Error(`the page asked the API ${apiRequests} times before its first results showed`);
  // The chart of sessions per day reads up to 10 pages of 1,000 after the results: let it finish,
  // so the next measurement (and the direct API call) does not share the API with it.
  await page.locator('#per-day p:not([role="status"])').waitFor({ timeout: 300_000 });
  return { onScreenMs: onScreenMs ?? Number.NaN, htmlStartMs: htmlStartMs ?? Number.NaN, scriptStartMs: scriptStartMs ?? Number.NaN, htmlDoneMs: htmlDoneMs ?? Number.NaN, firstPageMs: firstPageMs ?? Number.NaN };
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
  const searchMs = await searchInPage(page);
  await context.close();
  return { transferBytes, firstHundredMs, fresh, again, idleFetchMs, searchMs };
}

/**
 * A search from the open page: the form submitted (the same search), until the frame showing its
 * results was painted (the script's `console:results` mark, set after that frame). The script asks
 * the API and builds the 100 rows itself here.
 */
async function searchInPage(page: Page): Promise<number> {
  const started = Number(await page.evaluate("(() => { performance.clearMarks('console:results'); const t = performance.now(); document.querySelector('form.filters').requestSubmit(); return t; })()"));
  await page.waitForFunction(() => performance.getEntriesByName('console:results').length > 0);
  const shown = Number(await page.evaluate("performance.getEntriesByName('console:results')[0].startTime"));
  await page.locator('#per-day p:not([role="status"])').waitFor({ timeout: 300_000 });
  return shown - started;
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
    const floor = await measureBrowserFloor(browser, api.url, runs);
    progress('measured the browser floor');
    const fromPage = await pageExport(browser, api.url);
    const fromCli = await cliExport(api.url, join(work, 'cli.csv'));
    progress('measured exports');
    const section = renderConsoleSection({ size, runs, cached: archive.cached, build, buildMs, loads, direct, floor, fromPage, fromCli });
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
