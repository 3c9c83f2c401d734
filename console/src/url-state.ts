/**
 * What a console URL's query string means, without the browser: the page reads it, and the
 * servers read it too, to put the sessions view's first page into the HTML they send.
 */
import { queryString } from './query-string';

export const VIEWS = ['sessions', 'session', 'findings', 'coverage'] as const;
export type View = (typeof VIEWS)[number];

/** Filters of GET /sessions, in the form's order. accountId, region and source are sent only when filled. */
export const SESSION_FILTERS = ['from', 'to', 'target', 'owner', 'status', 'document', 'accessType', 'reason', 'accountId', 'region', 'source', 'order'] as const;
export const PAGE_SIZES = ['25', '50', '100', '250', '500', '1000'] as const;
export const DEFAULT_PAGE_SIZE = '100';

export interface ConsoleState {
  view: View;
  /** Every other URL parameter: filters, `limit`, `token`, `id`. */
  values: Record<string, string>;
}

/** The state a query string describes. */
export function stateFromSearch(query: string): ConsoleState {
  const search = new URLSearchParams(query);
  const viewText = search.get('view') ?? 'sessions';
  const view = (VIEWS as readonly string[]).includes(viewText) ? (viewText as View) : 'sessions';
  const values: Record<string, string> = {};
  for (const [name, value] of search) if (name !== 'view' && value !== '') values[name] = value;
  return { view, values };
}

/** The API parameters of the current view's filters, only those given. */
export function filterParameters(values: Record<string, string>, names: readonly string[]): Array<[string, string]> {
  return names.filter((name) => values[name] !== undefined && values[name] !== '').map((name) => [name, values[name] as string]);
}

export function pageSize(values: Record<string, string>): number {
  const size = values.limit ?? DEFAULT_PAGE_SIZE;
  return (PAGE_SIZES as readonly string[]).includes(size) ? Number(size) : Number(DEFAULT_PAGE_SIZE);
}

/**
 * The API request the sessions view sends first for a page URL's query string (path and query,
 * exactly as the page builds it); undefined for the other views.
 */
export function firstSessionsRequest(search: string): string | undefined {
  const state = stateFromSearch(search);
  if (state.view !== 'sessions') return undefined;
  const request: Array<readonly [string, string]> = [...filterParameters(state.values, SESSION_FILTERS), ['limit', String(pageSize(state.values))]];
  if (state.values.token !== undefined) request.push(['nextToken', state.values.token]);
  return `/sessions${queryString(request)}`;
}
