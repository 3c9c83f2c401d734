/**
 * The sessions view's first API request, started by a small script in the page's head while the
 * browser still compiles the main one (console/src/early.ts), and taken over by the page when it
 * asks for exactly that URL. Saves the main script's compile time on the way to the first results.
 */
import { queryString } from './query-string';
import { filterParameters, pageSize, SESSION_FILTERS, stateFromSearch } from './state';

interface EarlyRequest {
  url: string;
  response: Promise<Response>;
}
type EarlyWindow = Window & { sessionArchiveFirstRequest?: EarlyRequest };

/** The URL `renderSessions` fetches first for a page URL's query string; undefined for other views. */
export function firstSessionsUrl(search: string): string | undefined {
  const state = stateFromSearch(search);
  if (state.view !== 'sessions') return undefined;
  const request: Array<readonly [string, string]> = [...filterParameters(state.values, SESSION_FILTERS), ['limit', String(pageSize(state.values))]];
  if (state.values.token !== undefined) request.push(['nextToken', state.values.token]);
  return `/sessions${queryString(request)}`;
}

export const API_HEADERS = { accept: 'application/json' } as const;

export function startFirstRequest(search: string): void {
  const url = firstSessionsUrl(search);
  if (url === undefined) return;
  const response = fetch(url, { headers: API_HEADERS });
  // Handled where it is taken; a page that never takes it must not report an unhandled rejection.
  response.catch(() => undefined);
  (window as EarlyWindow).sessionArchiveFirstRequest = { url, response };
}

/** The early request for `url`, once; undefined when there is none or it was for another URL. */
export function takeFirstRequest(url: string): Promise<Response> | undefined {
  const early = (window as EarlyWindow).sessionArchiveFirstRequest;
  delete (window as EarlyWindow).sessionArchiveFirstRequest;
  return early?.url === url ? early.response : undefined;
}
