/**
 * The sessions view's first API answer, written into the page by the server that sends it
 * (console/src/first-request.ts takes it over). The first results then need no request from the
 * browser after the HTML: the server asks the API while the browser already runs the page's
 * script, and the answer follows in the same response.
 */
import { firstSessionsRequest } from './src/url-state';

/** An API answer as the page would have received it. */
export interface FirstPageAnswer {
  status: number;
  body: string;
}

/**
 * Asks the API for a request (path and query, e.g. `/sessions?limit=100`) on the page's behalf:
 * the local API calls its handler in-process, `session-archive console` sends it signed.
 * Undefined when it could not; the page then sends the request itself and shows what it gets.
 */
export type FirstPageSource = (request: string) => Promise<FirstPageAnswer | undefined>;

/** The API request whose answer belongs in the page for a page URL's query string, if any. */
export function firstPageRequest(search: string): string | undefined {
  return firstSessionsRequest(search);
}

/**
 * A data block (never executed, so outside the CSP's script rules) holding the answer. JSON has
 * `<` only inside strings, where `\u003c` means the same: no `</script>` or `<!--` can close or
 * confuse the block, whatever the sessions' text holds.
 */
export function firstPageBlock(request: string, answer: FirstPageAnswer): string {
  const json = JSON.stringify({ request, status: answer.status, body: answer.body }).replace(/</g, '\\u003c');
  return `<script type="application/json" id="first-page">${json}</script>`;
}

/** The answer, or undefined when asking failed or the status is not one a page can be given. */
export async function askFirstPage(source: FirstPageSource, request: string): Promise<FirstPageAnswer | undefined> {
  try {
    const answer = await source(request);
    return answer !== undefined && answer.status >= 200 && answer.status <= 599 ? answer : undefined;
  } catch {
    // The page will send the request itself, and say in words what went wrong.
    return undefined;
  }
}
