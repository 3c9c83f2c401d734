/**
 * The browser's own part of a first load, apart from the archive: the page exactly as the local
 * API served it (the first 100 rows and the API's answer inside), sent again at once from memory
 * by a static server, so no query runs. Loaded in a fresh browser context like the first loads,
 * with and without the page's script: what Chromium needs on this machine to open a tab and show
 * those rows, which no work on the data can shorten.
 */
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { median } from './support';

export interface BrowserFloor {
  /** The served page, rows painted (`console:rows`), median over fresh contexts. */
  withScriptMs: number;
  /** The same bytes without the console's script (the rows' own mark stays). */
  withoutScriptMs: number;
}

/** The console's page for its default search, as the API at `url` sends it, and its CSP. */
async function servedPage(url: string): Promise<{ html: string; csp: string }> {
  const response = await fetch(`${url}/`, { headers: { 'accept-encoding': 'identity' } });
  const html = await response.text();
  if (!html.includes('id="first-results"')) throw new Error('the page came without the server-rendered rows');
  return { html, csp: response.headers.get('content-security-policy') ?? '' };
}

function staticServer(pages: Record<string, string>, csp: string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const page = pages[request.url ?? ''];
    response.writeHead(page === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp, 'cache-control': 'no-store' });
    response.end(page ?? '');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}

async function rowsPaintedMs(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // The script's later requests (the chart's counts) have no API here: refused at once.
  await page.route((target) => target.pathname !== '/with-script' && target.pathname !== '/without-script', (route) => route.abort());
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('console:rows').length > 0);
  const painted = Number(await page.evaluate("performance.getEntriesByName('console:rows')[0].startTime"));
  await context.close();
  return painted;
}

export async function measureBrowserFloor(browser: Browser, apiUrl: string, runs: number): Promise<BrowserFloor> {
  const { html, csp } = await servedPage(apiUrl);
  // The console's script is the page's first plain <script> element (styles and markup before it).
  const withoutScript = html.replace(/<script>[^]*?<\/script>/, '');
  const { url, server } = await staticServer({ '/with-script': html, '/without-script': withoutScript }, csp);
  try {
    await rowsPaintedMs(browser, `${url}/with-script`); // warm-up, as for the first loads
    const withScript: number[] = [];
    const bare: number[] = [];
    for (let run = 0; run < runs; run++) {
      withScript.push(await rowsPaintedMs(browser, `${url}/with-script`));
      bare.push(await rowsPaintedMs(browser, `${url}/without-script`));
    }
    return { withScriptMs: median(withScript), withoutScriptMs: median(bare) };
  } finally {
    server.close();
  }
}
