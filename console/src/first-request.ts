/**
 * The sessions view's first API answer arrives inside the page: the server that sends the HTML
 * asks the API for it and puts the answer at the end of the document (console/first-page.ts), so
 * the browser makes no request of its own before the first results show. The page takes it over
 * when it asks for exactly that request; without it (another view, an older server) it fetches.
 */
import { SERVED_RESULTS_ID } from './served-names';
import { firstSessionsRequest } from './url-state';

export const API_HEADERS = { accept: 'application/json' } as const;
/** The id of the data block the servers write (console/first-page.ts). */
const BLOCK_ID = 'first-page';

interface Embedded {
  request: string;
  status: number;
  body: string;
}

// Read as the script starts: later views (pushState) change location.search.
const expected = firstSessionsRequest(location.search);
let taken = false;

/** The answer for `url` the page arrived with, once; undefined for any other request. */
export function takeFirstRequest(url: string, signal?: AbortSignal): Promise<Response> | undefined {
  if (taken || url !== expected) return undefined;
  taken = true;
  return embedded().then((answer) => {
    performance.mark('console:first-page');
    return answer?.request === url ? toResponse(answer) : fetch(url, { headers: API_HEADERS, signal: signal ?? null });
  });
}

/** The data block, once the document has been parsed to its end (it follows the script). */
function embedded(): Promise<Embedded | undefined> {
  return new Promise((resolve) => {
    const read = (): void => {
      const block = document.getElementById(BLOCK_ID);
      block?.remove();
      resolve(block === null ? undefined : parse(block.textContent ?? ''));
    };
    // With the server's rows in the page, the frame that paints them goes first; the script's
    // work with the answer (adopting them) comes after it rather than delaying it.
    const afterParse = (): void => {
      if (document.getElementById(SERVED_RESULTS_ID) === null) read();
      else requestAnimationFrame(() => setTimeout(read, 0));
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', afterParse, { once: true });
    else afterParse();
  });
}

function parse(text: string): Embedded | undefined {
  try {
    const value = JSON.parse(text) as Partial<Embedded>;
    if (typeof value.request === 'string' && typeof value.status === 'number' && typeof value.body === 'string') return value as Embedded;
  } catch {
    // A block that does not parse is ignored: the page asks the API itself.
  }
  return undefined;
}

function toResponse(answer: Embedded): Response {
  return new Response(answer.body, { status: answer.status, headers: { 'content-type': 'application/json' } });
}
