/**
 * The console's state lives in the URL, so a search can be shared and bookmarked: the view, its
 * filters (named as the API names them) and the token of the page shown. The tokens of the pages
 * before it are kept in the history entry, so "Previous page" works without a round trip.
 */
export const VIEWS = ['sessions', 'session', 'findings', 'coverage'] as const;
export type View = (typeof VIEWS)[number];

/** Filters of GET /sessions, in the form's order. accountId, region and source are sent only when filled. */
export const SESSION_FILTERS = ['from', 'to', 'target', 'owner', 'status', 'document', 'accessType', 'reason', 'accountId', 'region', 'source', 'order'] as const;
export const FINDING_FILTERS = ['from', 'to', 'rule', 'target', 'owner', 'order'] as const;
export { RULES } from './rules';
export const PAGE_SIZES = ['25', '50', '100', '250', '500', '1000'] as const;
export const DEFAULT_PAGE_SIZE = '100';

export interface ConsoleState {
  view: View;
  /** Every other URL parameter: filters, `limit`, `token`, `id`. */
  values: Record<string, string>;
}

export function readState(): ConsoleState {
  return stateFromSearch(location.search);
}

/** The state a query string describes (pure: the early script uses it before the page exists). */
export function stateFromSearch(query: string): ConsoleState {
  const search = new URLSearchParams(query);
  const viewText = search.get('view') ?? 'sessions';
  const view = (VIEWS as readonly string[]).includes(viewText) ? (viewText as View) : 'sessions';
  const values: Record<string, string> = {};
  for (const [name, value] of search) if (name !== 'view' && value !== '') values[name] = value;
  return { view, values };
}

export function urlOf(state: ConsoleState): string {
  const search = new URLSearchParams();
  if (state.view !== 'sessions') search.set('view', state.view);
  for (const [name, value] of Object.entries(state.values)) if (value !== '') search.set(name, value);
  const text = search.toString();
  return `${location.pathname}${text === '' ? '' : `?${text}`}`;
}

/** The tokens of earlier pages of the current search, newest last. */
export function previousTokens(): string[] {
  const saved = (history.state as { previous?: unknown } | null)?.previous;
  return Array.isArray(saved) ? saved.filter((token): token is string => typeof token === 'string') : [];
}

let onNavigate: () => void = () => undefined;

export function setNavigationHandler(handler: () => void): void {
  onNavigate = handler;
  window.addEventListener('popstate', handler);
}

/** Goes to a state: a new history entry (so Back returns), then renders it. */
export function navigate(state: ConsoleState, previous: string[] = []): void {
  history.pushState({ previous }, '', urlOf(state));
  onNavigate();
}

/** The API parameters of the current view's filters, only those given. */
export function filterParameters(values: Record<string, string>, names: readonly string[]): Array<[string, string]> {
  return names.filter((name) => values[name] !== undefined && values[name] !== '').map((name) => [name, values[name] as string]);
}

export function pageSize(values: Record<string, string>): number {
  const size = values.limit ?? DEFAULT_PAGE_SIZE;
  return (PAGE_SIZES as readonly string[]).includes(size) ? Number(size) : Number(DEFAULT_PAGE_SIZE);
}

/** A link to another view that keeps the time range (and, for a session, the search to return to). */
export function viewLink(view: View, values: Record<string, string>): string {
  return urlOf({ view, values });
}
