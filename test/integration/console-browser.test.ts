/**
 * The auditor's console in real headless Chromium against a local stack (dynalite, the SSM
 * emulator, the sweeper, the local API serving the page). Expected sessions come from the
 * emulator's own sessions; the expected gap from the sweep's report; the expected export from
 * the CLI's `export --format csv` of the same search.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstResultsHtml } from '../../console/first-results';
import { ROWS_PAINTED_SCRIPT } from '../../console/src/served-names';
import { DAY_MS } from '../../lambdas/core/shared/time';
import { chromiumAvailable, launchChromium, MISSING_CHROMIUM_NOTE } from '../support/browser';
import { REPO_ROOT, runCli } from '../support/cli-process';
import { CONSOLE_ACCOUNT, CONSOLE_REGION, startConsoleStack, type ConsoleStack } from '../support/console-stack';

const FIRST_LOAD_BUDGET_BYTES = 150 * 1024;

if (!chromiumAvailable()) {
  describe('the console in a browser', () => {
    it('says in one line that it needs Chromium, and fails only in CI', () => {
      process.stdout.write(`${MISSING_CHROMIUM_NOTE}\n`);
      expect(MISSING_CHROMIUM_NOTE).toMatch(/need Chromium/);
      expect(process.env.CI ? 'CI must run the browser tests' : 'not CI').toBe('not CI');
    });
  });
} else {
  describe('the console in a browser', () => {
    let stack: ConsoleStack;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let range: { from: string; to: string };
    let expectedIds: string[];

    beforeAll(async () => {
      [stack, browser] = await Promise.all([startConsoleStack({ sessions: 1500, seed: 16 }), launchChromium()]);
      context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, colorScheme: 'light' });
      page = await context.newPage();
      range = { from: new Date(stack.t0 + 2 * DAY_MS).toISOString(), to: new Date(stack.t0 + 20 * DAY_MS).toISOString() };
      // Ground truth: what the emulator showed (sessions there all ended long before the second sweep).
      expectedIds = stack.sessions
        .filter((s) => s.endStatus === 'Terminated' && s.startMs >= Date.parse(range.from) && s.startMs < Date.parse(range.to))
        .sort((a, b) => b.startMs - a.startMs || (a.sessionId < b.sessionId ? 1 : -1))
        .map((s) => s.sessionId);
    }, 600_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.close();
    });

    const shownIds = (): Promise<string[]> => page.locator('#sessions tbody tr td:first-child a').allTextContents();
    const waitForFirstId = (id: string | undefined): Promise<unknown> => page.locator('#sessions tbody tr td:first-child a').first().filter({ hasText: id ?? '' }).waitFor();

    it('loads in at most 150 KB (gzip) and searches with filters from the keyboard, keeping them in the URL', async () => {
      const transferred: number[] = [];
      page.on('requestfinished', (request) => {
        if (!/\/sessions|\/findings|\/coverage/.test(new URL(request.url()).pathname)) void request.sizes().then((sizes) => transferred.push(sizes.responseBodySize + sizes.responseHeadersSize));
      });
      const requested: string[] = [];
      page.on('request', (request) => requested.push(new URL(request.url()).pathname + new URL(request.url()).search));
      await page.goto(`${stack.apiUrl}/`);
      await page.locator('#sessions tbody tr').first().waitFor();
      // One request: the page carries its styles and scripts.
      expect(transferred.length).toBe(1);
      // The first page came inside the page: the browser asked the API nothing before showing it.
      expect(requested.filter((url) => url === '/sessions?limit=100')).toEqual([]);
      const api = (await (await fetch(`${stack.apiUrl}/sessions?limit=100`)).json()) as { sessions: Array<{ sessionId: string }> };
      expect(await shownIds()).toEqual(api.sessions.map((s) => s.sessionId));
      expect(transferred.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_BYTES);

      await page.getByLabel('From (inclusive)').fill(range.from);
      await page.getByLabel('To (exclusive)').fill(range.to);
      await page.getByLabel('Status').selectOption('Terminated');
      await page.getByLabel('Per page').selectOption('25');
      await page.getByLabel('To (exclusive)').press('Enter');
      await waitForFirstId(expectedIds[0]);

      expect(await shownIds()).toEqual(expectedIds.slice(0, 25));
      const url = new URL(page.url());
      expect(Object.fromEntries(url.searchParams)).toEqual({ from: range.from, to: range.to, status: 'Terminated', limit: '25' });
      // The same URL in a new tab shows the same page: a search can be shared.
      const shared = await context.newPage();
      await shared.goto(url.href);
      await shared.locator('#sessions tbody tr').nth(24).waitFor();
      expect(await shared.locator('#sessions tbody tr td:first-child a').allTextContents()).toEqual(expectedIds.slice(0, 25));
      await shared.close();
    });

    it('arrives with the first page of the search in its URL, equal to the API\'s, and asks the API only for what comes after', async () => {
      const search = `?from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}&status=Terminated&limit=25`;
      // The HTML as a server sends it: the block holds what the API answers for the same request.
      const html = await (await fetch(`${stack.apiUrl}/${search}`)).text();
      const block = /<script type="application\/json" id="first-page">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
      const embedded = JSON.parse(block) as { request: string; status: number; body: string };
      const request = `/sessions?from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}&status=Terminated&limit=25`;
      expect(embedded.request).toBe(request);
      expect(embedded.status).toBe(200);
      const fromApi = (await (await fetch(`${stack.apiUrl}${request}`)).json()) as { sessions: Array<{ sessionId: string }>; nextToken?: string };
      const inPage = JSON.parse(embedded.body) as typeof fromApi;
      expect(inPage.sessions).toEqual(fromApi.sessions);
      expect(inPage.sessions.map((s) => s.sessionId)).toEqual(expectedIds.slice(0, 25));
      expect(typeof inPage.nextToken).toBe(typeof fromApi.nextToken);

      const fresh = await context.newPage();
      const requested: string[] = [];
      fresh.on('request', (sent) => requested.push(new URL(sent.url()).pathname + new URL(sent.url()).search));
      await fresh.goto(`${stack.apiUrl}/${search}`);
      await fresh.locator('#sessions tbody tr').nth(24).waitFor();
      expect(await fresh.locator('#sessions tbody tr td:first-child a').allTextContents()).toEqual(expectedIds.slice(0, 25));
      expect(await fresh.getByLabel('Status').inputValue()).toBe('Terminated');
      expect(requested.filter((url) => url.startsWith(request))).toEqual([]);
      // The next page is the API's, asked for with the token that came inside the page.
      await fresh.getByRole('button', { name: 'Next page →' }).click();
      await fresh.locator('#sessions tbody tr td:first-child a').first().filter({ hasText: expectedIds[25] ?? '' }).waitFor();
      expect(requested.filter((url) => url.startsWith(`${request}&nextToken=`))).toHaveLength(1);
      await fresh.close();
    });

    it('paints the first page from the server\'s HTML without script, and adopts those rows as the ones it would render itself', async () => {
      const search = `?from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}&status=Terminated&limit=25`;
      // Without JavaScript: the rows are in the HTML as sent.
      const plain = await browser.newContext({ javaScriptEnabled: false });
      const still = await plain.newPage();
      await still.goto(`${stack.apiUrl}/${search}`);
      expect(await still.locator('#sessions tbody tr td:first-child a').allTextContents()).toEqual(expectedIds.slice(0, 25));
      await plain.close();

      const fresh = await context.newPage();
      // Which table the document held once parsed (before the script's handlers ran): the server's.
      // Its results section says nothing while the server's rows show below it.
      await fresh.addInitScript("document.addEventListener('DOMContentLoaded', () => { window.servedTable = document.getElementById('sessions'); window.statusShown = getComputedStyle(document.querySelector('#results > p[role=status]')).display; })");
      await fresh.goto(`${stack.apiUrl}/${search}`);
      await fresh.waitForFunction(() => performance.getEntriesByName('console:results').length > 0); // a function, not a string: the page's CSP forbids eval
      expect(await fresh.evaluate("window.servedTable !== null && window.servedTable === document.querySelector('#results #sessions') && document.getElementById('first-results') === null")).toBe(true);
      expect(await fresh.evaluate('window.statusShown')).toBe('none');
      // The mark after the server's rows ran: its inline script is allowed by the page's CSP.
      expect(await fresh.evaluate("performance.getEntriesByName('console:rows').length")).toBe(1);
      const adopted = await fresh.locator('#sessions').evaluate((table) => table.outerHTML);
      expect(await fresh.locator('#sessions time[title$="(your local time)"]').count()).toBe(50);
      // Page 2 and back: page 1 rendered by the script from the API's answer.
      await fresh.getByRole('button', { name: 'Next page →' }).click();
      await fresh.locator('#sessions tbody tr td:first-child a').first().filter({ hasText: expectedIds[25] ?? '' }).waitFor();
      await fresh.getByRole('button', { name: '← Previous page' }).click();
      await fresh.locator('#sessions tbody tr td:first-child a').first().filter({ hasText: expectedIds[0] ?? '' }).waitFor();
      const rendered = await fresh.locator('#sessions').evaluate((table) => table.outerHTML);
      expect(rendered.match(/<tr>/g)).toHaveLength(26);
      expect(adopted).toBe(rendered);
      await fresh.close();
    });

    it('shows hostile text in the server\'s rows as text, never as markup', async () => {
      const hostile = '<script>window.ran = true</script><img src=x onerror="window.ran = true">';
      const html = firstResultsHtml('/', '', { status: 200, body: JSON.stringify({ sessions: [{ sessionId: `s-${hostile}`, startDate: '2026-01-15T09:30:00Z', status: 'Terminated', target: hostile, owner: hostile, reason: hostile }] }) });
      const scratch = await context.newPage();
      await scratch.setContent(`<!doctype html><body>${html}</body>`);
      expect(await scratch.locator('img').count()).toBe(0);
      // The one script is the page's mark after the rows, none from the sessions' text.
      expect(await scratch.locator('script').allTextContents()).toEqual([ROWS_PAINTED_SCRIPT]);
      expect(await scratch.locator('#sessions td.owner').textContent()).toBe(hostile);
      expect(await scratch.locator('#sessions td:first-child a').textContent()).toBe(`s-${hostile}`);
      expect(await scratch.evaluate('window.ran === undefined')).toBe(true);
      await scratch.close();
    });

    it('shows bad filters in the URL as a message in words, from the answer inside the page', async () => {
      const fresh = await context.newPage();
      const requested: string[] = [];
      fresh.on('request', (sent) => requested.push(new URL(sent.url()).pathname));
      await fresh.goto(`${stack.apiUrl}/?from=2026-03-01&to=2026-02-01&limit=50`);
      const problem = fresh.locator('#problem');
      await problem.filter({ hasText: /later than/ }).waitFor();
      expect(await problem.textContent()).toBe("The archive refused this request: parameter 'from' (2026-03-01) is later than 'to' (2026-02-01).");
      expect(await fresh.getByLabel('From (inclusive)').inputValue()).toBe('2026-03-01');
      expect(requested.filter((path) => path === '/sessions')).toEqual([]);
      await fresh.close();
    });

    it('pages forward and back with the API tokens', async () => {
      await page.getByRole('button', { name: 'Next page →' }).click();
      await waitForFirstId(expectedIds[25]);
      expect(await shownIds()).toEqual(expectedIds.slice(25, 50));
      expect(new URL(page.url()).searchParams.get('token')).toBeTruthy();

      await page.getByRole('button', { name: 'Next page →' }).click();
      await waitForFirstId(expectedIds[50]);
      expect(await shownIds()).toEqual(expectedIds.slice(50, 75));

      await page.getByRole('button', { name: '← Previous page' }).click();
      await waitForFirstId(expectedIds[25]);
      expect(await shownIds()).toEqual(expectedIds.slice(25, 50));
      await page.getByRole('button', { name: '← Previous page' }).click();
      await waitForFirstId(expectedIds[0]);
      expect(await shownIds()).toEqual(expectedIds.slice(0, 25));
      expect(new URL(page.url()).searchParams.get('token')).toBeNull();

      // The browser's Back button walks the same pages.
      await page.goBack();
      await waitForFirstId(expectedIds[25]);
      expect(await shownIds()).toEqual(expectedIds.slice(25, 50));
      await page.goForward();
      await waitForFirstId(expectedIds[0]);
    });

    it('opens a session with every field, times in UTC with the local time on hover, and its findings', async () => {
      const session = stack.sessions.find((s) => s.sessionId === expectedIds[3]);
      await page.getByRole('link', { name: expectedIds[3] }).click();
      await page.locator('#session-fields').waitFor();

      const field = (name: string) => page.locator(`#session-fields dd[data-field="${name}"]`);
      expect(await field('sessionId').textContent()).toBe(session?.sessionId);
      expect(await field('target').textContent()).toBe(session?.target);
      expect(await field('owner').textContent()).toBe(session?.owner);
      expect(await field('status').textContent()).toBe('Terminated');
      expect(await field('accountId').textContent()).toBe('123456789012');
      const start = new Date(session?.startMs ?? 0).toISOString();
      expect(await field('startDate').textContent()).toBe(start.slice(0, 19).replace('T', ' '));
      expect(await field('startDate').locator('time').getAttribute('title')).toContain('your local time');
      // Records without evidence fields (every record before evidence was kept) say so under "Evidence".
      expect(await page.locator('section:has(#evidence-title) #evidence-status').textContent()).toBe('Evidence: not recorded for this session.');
      expect(await page.locator('#session-fields dd[data-field^="evidence"]').count()).toBe(0);

      // A session of more than 12 hours broke the max-duration rule (cdk.json): its finding shows.
      const long = stack.sessions.find((s) => s.endStatus === 'Terminated' && s.startMs > stack.t0 + 2 * DAY_MS && (s.endMs ?? 0) - s.startMs > 12 * 3_600_000);
      await page.goto(`${stack.apiUrl}/?view=session&id=${encodeURIComponent(long?.sessionId ?? '')}`);
      await page.locator('table.findings').waitFor();
      expect(await page.locator('table.findings tbody tr td:first-child').allTextContents()).toEqual(['max-duration']);

      await page.goBack();
      await page.getByRole('link', { name: '← Back to the search' }).click();
      await waitForFirstId(expectedIds[0]);
    });

    it('exports the search as CSV into a download that equals the CLI export', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
      const downloaded = readFileSync(await download.path());
      await page.locator('#export-status').filter({ hasText: /^Exported \d+ sessions/ }).waitFor();

      const cli = await runCli(['export', '--api', stack.apiUrl, '--format', 'csv', '--from', range.from, '--to', range.to, '--status', 'Terminated']);
      expect(cli.code).toBe(0);
      expect(downloaded.toString('utf8')).toBe(cli.stdout);
      expect(downloaded.toString('utf8').split('\r\n').length - 2).toBe(expectedIds.length);
      expect(await page.locator('#export-status').textContent()).toContain(`Exported ${expectedIds.length.toLocaleString('en')} sessions`);
    });

    it('draws sessions per day and writes the screenshot for the README', async () => {
      await page.locator('#per-day svg rect.bar').first().waitFor();
      const counted = await page.locator('#per-day svg rect.bar').evaluateAll((bars) => bars.reduce((sum, bar) => sum + Number(bar.getAttribute('data-count')), 0));
      expect(counted).toBe(expectedIds.length);
      // Tall enough to show the form, the chart and the first results.
      await page.setViewportSize({ width: 1280, height: 1250 });
      await page.screenshot({ path: join(REPO_ROOT, 'docs', 'console.png') });
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    it('draws the gap a sweep found where the API says it is', async () => {
      const gap = stack.sweeps[1]?.gaps[0];
      expect(gap).toBeDefined();
      const axis = { from: Date.parse(new Date(stack.t0 - 25 * DAY_MS).toISOString()), to: stack.t0 + 35 * DAY_MS };
      await page.goto(`${stack.apiUrl}/?view=coverage&from=${new Date(axis.from).toISOString()}&to=${new Date(axis.to).toISOString()}`);
      const ssm = page.locator(`section.source[data-scope="ssm#${CONSOLE_ACCOUNT}#${CONSOLE_REGION}"]`);
      const drawn = ssm.locator('svg.coverage rect.gap');
      await drawn.waitFor();
      const coverage = (await (await fetch(`${stack.apiUrl}/coverage`)).json()) as { sources: Array<{ source: string; gaps: Array<{ from: string; to: string }> }> };
      expect(coverage.sources.find((source) => source.source === 'ssm')?.gaps.map(({ from, to }) => ({ from, to }))).toEqual([gap]);

      const plot = await ssm.locator('svg.coverage rect.plot').boundingBox();
      const box = await drawn.boundingBox();
      if (!plot || !box || !gap) throw new Error('the coverage picture is not drawn');
      const xOf = (iso: string): number => plot.x + ((Date.parse(iso) - axis.from) / (axis.to - axis.from)) * plot.width;
      expect(Math.abs(box.x - xOf(gap.from))).toBeLessThanOrEqual(1);
      expect(Math.abs(box.x + box.width - xOf(gap.to))).toBeLessThanOrEqual(1);
      expect(await ssm.locator('ul.gaps li').count()).toBe(1);
      expect(await ssm.locator('svg.coverage line.watermark').count()).toBe(1);
    });

    it('shows a target that failed with its last error in words, as GET /coverage reports it', async () => {
      await page.goto(`${stack.apiUrl}/?view=coverage`);
      const refused = page.locator(`section.source[data-scope="${stack.alibaba.refusedTarget}"]`);
      await refused.waitFor();
      const coverage = (await (await fetch(`${stack.apiUrl}/coverage`)).json()) as { sources: Array<{ source: string; accountId: string; region: string; lastError: { kind: string; message: string; since: string } | null }> };
      const reported = coverage.sources.find((source) => `${source.source}#${source.accountId}#${source.region}` === stack.alibaba.refusedTarget)?.lastError;
      // What the emulator answered the wrong secret with, kept as the target's last error (the
      // sweep's own error names the target and kind before it).
      expect(reported?.message).toContain('SignatureDoesNotMatch');
      expect(stack.alibaba.refusal.endsWith(`: ${reported?.message}`)).toBe(true);
      const shown = (await refused.locator('.problem').textContent()) ?? '';
      expect(shown).toBe(`${reported?.kind}: ${reported?.message} (since ${reported?.since.slice(0, 19).replace('T', ' ')} UTC)`);
      expect(shown).not.toContain('{');
      // The region swept without trouble shows no error.
      expect(await page.locator(`section.source[data-scope="${stack.alibaba.sweptTarget}"] .problem`).count()).toBe(0);
    });

    it('finds the Alibaba Cloud sessions by source, and opens one with each of its connections, as the emulator showed them', async () => {
      await page.goto(`${stack.apiUrl}/`);
      await page.getByLabel('Source').fill('alibaba');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.waitForURL(/source=alibaba/);
      await page.locator('#results .pager').filter({ hasText: /the last page/ }).waitFor();
      expect((await shownIds()).sort()).toEqual([...stack.alibaba.shown.keys()].sort());

      const [id, summary] = [...stack.alibaba.shown].find(([, shown]) => (shown.last.Connections?.Connection ?? []).length >= 2) ?? [];
      const connections = summary?.last.Connections?.Connection ?? [];
      expect(connections.length).toBeGreaterThanOrEqual(2);
      await page.goto(`${stack.apiUrl}/?view=session&id=${encodeURIComponent(id ?? '')}`);
      await page.locator('#session-fields').waitFor();
      const field = (name: string) => page.locator(`#session-fields dd[data-field="${name}"]`);
      expect(await field('source').textContent()).toBe('alibaba');
      expect(await field('accountId').textContent()).toBe(stack.alibaba.sweptTarget.split('#')[1]);
      expect(await field('region').textContent()).toBe(summary?.regionId);
      expect(await field('target').textContent()).toBe(connections[0]?.InstanceId);
      const lines = await field('connections').locator('li').allTextContents();
      expect(lines.map((line) => line.split(' · ').slice(0, 2).join(' · '))).toEqual(connections.map((c) => `${c.InstanceId} · ${c.Status}`));
      const instances = [...new Set(connections.map((c) => c.InstanceId))];
      if (instances.length > 1) expect(await field('instanceIds').textContent()).toBe(instances.join(', '));
      else expect(await field('instanceIds').count()).toBe(0);
    });

    it('shows an inverted time range as a message in words', async () => {
      await page.goto(`${stack.apiUrl}/`);
      await page.getByLabel('From (inclusive)').fill('2026-03-01');
      await page.getByLabel('To (exclusive)').fill('2026-02-01');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const problem = page.locator('#problem');
      await problem.filter({ hasText: /later than/ }).waitFor();
      const text = (await problem.textContent()) ?? '';
      expect(text).toMatch(/^The archive refused this request: parameter 'from' \(2026-03-01\) is later than 'to' \(2026-02-01\)\.$/);
      expect(text).not.toContain('{');
    });

    it('stays readable at 200 % zoom and follows a dark colour scheme', async () => {
      const zoomed = await browser.newContext({ viewport: { width: 640, height: 450 }, deviceScaleFactor: 2, colorScheme: 'dark' });
      const small = await zoomed.newPage();
      for (const view of ['', '?view=coverage', '?view=findings']) {
        await small.goto(`${stack.apiUrl}/${view}`);
        await small.locator('main h1').waitFor();
        await small.locator('table, svg.coverage').first().waitFor();
        // No sideways scrolling of the page itself (wide tables scroll inside their own region).
        expect(await small.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
        // The sessions view goes on counting sessions per day: let it finish before the store closes.
        if (view === '') await small.locator('#per-day p').filter({ hasText: /sessions in \d+ days|Counted the first/ }).waitFor();
      }
      expect(await small.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(13, 17, 23)');
      await zoomed.close();
    });
  });
}
