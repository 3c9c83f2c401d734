/**
 * The console's static assets: the page is TypeScript under console/src, bundled by esbuild's JS
 * API into memory on the first request (no build step, no files written) and then kept, gzipped
 * once. Both servers that show the console (the local API and `session-archive console`) use this.
 *
 * Bundling decision: no UI framework. The page is a handful of forms, tables and SVG drawings;
 * a 40-line element helper (console/src/dom.ts) does what a framework would, and the whole bundle
 * stays a few tens of KB (measured in docs/benchmarks.md, "Console").
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { askFirstPage, firstPageBlock, firstPageRequest, type FirstPageAnswer, type FirstPageSource } from './first-page';
import { firstResultsHtml } from './first-results';
import { ROWS_PAINTED_SCRIPT } from './src/served-names';

export interface ConsoleAsset {
  contentType: string;
  body: Buffer;
  gzipped: Buffer;
}

export interface ConsoleBuild {
  /** By URL path: `/`, `/console/app.js`, `/console/app.css`. */
  assets: ReadonlyMap<string, ConsoleAsset>;
  /** The page (`/`) cut where the sessions view's first API answer goes, for pages sent with it. */
  page: { head: string; tail: string };
  /** Content-Security-Policy of every console response: this origin, plus the inlined styles and script by hash. */
  csp: string;
  buildMs: number;
}

const SOURCE_DIR = join(__dirname, 'src');
let cached: Promise<ConsoleBuild> | undefined;

/** Builds the bundle once per process; later calls share the result. */
export function buildConsole(): Promise<ConsoleBuild> {
  cached ??= bundle().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function bundle(): Promise<ConsoleBuild> {
  const startedAt = performance.now();
  // esbuild is a development dependency: loaded only when the console is asked for.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = await esbuild.build({
    entryPoints: { app: join(SOURCE_DIR, 'main.ts') },
    bundle: true,
    minify: true,
    write: false,
    outdir: '/console',
    format: 'iife',
    // Browsers of the last few years; every feature used (fetch, URLSearchParams, Blob) is older.
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const assets = new Map<string, ConsoleAsset>();
  const files: Record<string, string> = {};
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    files[name] = file.text;
    const contentType = name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
    assets.set(`/console/${name}`, asset(contentType, Buffer.from(file.contents)));
  }
  // The first load is one request: styles and script are inlined into the page (no round trips
  // after the HTML), and the CSP allows exactly those by their hashes (and the benchmark's mark
  // after the server's rows, console/src/served-names.ts). The sessions view's first
  // API answer, when the server has it, follows the script at the end of the same response.
  const script = (files['app.js'] ?? '').replace(/<\/(script)/gi, '<\\/$1');
  const styles = files['app.css'] ?? '';
  const [head = '', tail = ''] = readFileSync(join(SOURCE_DIR, 'index.html'), 'utf8')
    .replace('<!-- styles -->', () => `<style>${styles}</style>`)
    .replace('<!-- script -->', () => `<script>${script}</script>`)
    .split('<!-- first-page -->\n');
  assets.set('/', asset('text/html; charset=utf-8', Buffer.from(head + tail, 'utf8')));
  const csp = [
    "default-src 'self'",
    "img-src 'self' data: blob:",
    `style-src 'self' '${sha256(styles)}'`,
    `script-src 'self' '${sha256(script)}' '${sha256(ROWS_PAINTED_SCRIPT)}'`,
    "connect-src 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { assets, page: { head, tail }, csp, buildMs: performance.now() - startedAt };
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

function asset(contentType: string, body: Buffer): ConsoleAsset {
  return { contentType, body, gzipped: gzipSync(body, { level: 9 }) };
}

/** Paths the console owns; every other path belongs to the API. */
export function isConsolePath(pathname: string): boolean {
  return pathname === '/' || pathname === '/index.html' || pathname.startsWith('/console/');
}

/**
 * Answers a request for a console path (GET or HEAD), gzipped when the browser accepts it.
 * With `firstPage`, the sessions view is sent with its first API answer inside (see
 * console/first-page.ts). Returns false for any other path, which the caller then serves as an
 * API route.
 */
export async function serveConsole(request: IncomingMessage, response: ServerResponse, firstPage?: FirstPageSource): Promise<boolean> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const pathname = url.pathname;
  if (!isConsolePath(pathname)) return false;
  const build = await buildConsole();
  const found = build.assets.get(pathname === '/index.html' ? '/' : pathname);
  if (found === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
    const status = found === undefined ? 404 : 405;
    const message = found === undefined ? `the console has no file ${pathname}` : 'the console answers GET only';
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...(status === 405 ? { allow: 'GET, HEAD' } : {}) });
    response.end(`${message}\n`);
    return true;
  }
  const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  const wanted = found.contentType.startsWith('text/html') && firstPage !== undefined ? firstPageRequest(url.search) : undefined;
  const headers = {
    'content-type': found.contentType,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
    // Everything the page loads comes from this server: no CDN, works offline.
    'content-security-policy': build.csp,
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  };
  if (wanted !== undefined && firstPage !== undefined) {
    // It carries archive data: never kept by the browser.
    response.writeHead(200, { ...headers, 'cache-control': 'no-store' });
    if (request.method === 'HEAD') response.end();
    else await sendWithFirstPage(build.page, response, gzip, firstPage, url, wanted);
    return true;
  }
  const body = gzip ? found.gzipped : found.body;
  // The bundle is rebuilt per process, so the browser asks again rather than trusting a stale copy.
  response.writeHead(200, { ...headers, 'content-length': String(body.length), 'cache-control': 'no-cache' });
  response.end(request.method === 'HEAD' ? undefined : body);
  return true;
}

/**
 * The page up to its script at once, so the browser runs the script while the API answers; then
 * the answer and the end of the page. The script sits inside `<main>`, which is still open when
 * it runs: the server-rendered rows that follow it land in `<main>` after what the script built,
 * where the results go, and are painted as they are parsed. The data block after them is the
 * state the script adopts the rows with (it waits for the end of the document to read it).
 */
async function sendWithFirstPage(page: ConsoleBuild['page'], response: ServerResponse, gzip: boolean, source: FirstPageSource, url: URL, wanted: string): Promise<void> {
  const answered = askFirstPage(source, wanted);
  const rest = (answer: FirstPageAnswer | undefined): string => (answer === undefined ? page.tail : firstResultsHtml(url.pathname, url.search, answer) + firstPageBlock(wanted, answer) + page.tail);
  if (gzip) {
    const compressed = createGzip();
    compressed.pipe(response);
    compressed.write(page.head);
    compressed.flush();
    compressed.end(rest(await answered));
    return;
  }
  response.write(page.head);
  response.end(rest(await answered));
}
