/**
 * The console's state lives in the URL, so a search can be shared and bookmarked: the view, its
 * filters (named as the API names them) and the token of the page shown. The tokens of the pages
 * before it are kept in the history entry, so "Previous page" works without a round trip.
 */
import { stateFromSearch, type ConsoleState, type View } from './url-state';

export { DEFAULT_PAGE_SIZE, filterParameters, PAGE_SIZES, pageSize, SESSION_FILTERS, stateFromSearch, VIEWS, type ConsoleState, type View } from './url-state';
export const FINDING_FILTERS = ['from', 'to', 'rule', 'target', 'owner', 'order'] as const;
export { RULES } from './rules';

export function readState(): ConsoleState {
  return stateFromSearch(location.search);
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

/** A link to another view that keeps the time range (and, for a session, the search to return to). */
export function viewLink(view: View, values: Record<string, string>): string {
  return urlOf({ view, values });
}
