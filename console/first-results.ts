/**
 * The sessions view's first page of results as HTML, written by the server into the page it sends
 * (console/assets.ts), so the browser paints the rows while it parses them, before any script
 * has built a table. The markup is the one console/src/search.ts builds for the same data, minus
 * the local-time titles of the times (the server does not know the browser's time zone): the page
 * adopts this table ("hydrates" it, console/src/served.ts) instead of building its own.
 * Every value from the archive goes through `escapeText`/`escapeAttribute`.
 */
import type { SessionRecord } from '../lambdas/core/session/session';
import type { FirstPageAnswer } from './first-page';
import { ROWS_PAINTED_SCRIPT, SERVED_RESULTS_ID, SESSION_COLUMNS } from './src/served-names';
import { utcText } from './src/utc-text';
import { pageSize, stateFromSearch, type ConsoleState } from './src/url-state';

export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}

/**
 * The results block for a page URL (path and query string) and its first API answer; empty when
 * the page would not show this answer as it is (an error, no rows, or a short page the page
 * completes with more requests), which the script then renders itself.
 */
export function firstResultsHtml(pathname: string, search: string, answer: FirstPageAnswer): string {
  const state = stateFromSearch(search);
  if (state.view !== 'sessions' || answer.status !== 200) return '';
  const body = parseBody(answer.body);
  if (body === undefined || body.sessions.length === 0) return '';
  // fillPage (console/src/api.ts) asks again while a page is short and has a next token.
  if (body.nextToken !== undefined && body.sessions.length < pageSize(state.values)) return '';
  return `<div id="${SERVED_RESULTS_ID}">${pagerHtml(state, body.nextToken, body.sessions.length)}${tableHtml(pathname, state, body.sessions)}<script>${ROWS_PAINTED_SCRIPT}</script></div>`;
}

function parseBody(text: string): { sessions: SessionRecord[]; nextToken?: string } | undefined {
  try {
    const value = JSON.parse(text) as { sessions?: unknown; nextToken?: unknown };
    if (!Array.isArray(value.sessions) || !value.sessions.every((item) => typeof item === 'object' && item !== null && typeof (item as SessionRecord).sessionId === 'string')) return undefined;
    const sessions = value.sessions as SessionRecord[];
    return typeof value.nextToken === 'string' ? { sessions, nextToken: value.nextToken } : { sessions };
  } catch {
    return undefined;
  }
}

/**
 * console/src/pager.ts on a freshly loaded page (no earlier tokens in history), its buttons
 * disabled: they do nothing until the script replaces the pager with its own.
 */
function pagerHtml(state: ConsoleState, nextToken: string | undefined, shown: number): string {
  const current = state.values.token;
  const back = current === undefined ? '' : '<button type="button" disabled="">⇤ First page</button>';
  const next = nextToken === undefined ? '' : '<button type="button" disabled="">Next page →</button>';
  const summary = `Page ${current === undefined ? 1 : '(from a shared link)'}: ${shown} sessions${nextToken === undefined ? ', the last page' : ''}.`;
  return `<nav class="pager" aria-label="sessions pages">${back}<span role="status">${escapeText(summary)}</span>${next}</nav>`;
}

function tableHtml(pathname: string, state: ConsoleState, sessions: readonly SessionRecord[]): string {
  const head = SESSION_COLUMNS.map((title) => `<th scope="col">${escapeText(title)}</th>`).join('');
  const widths = SESSION_COLUMNS.map((_, index) => `<col class="c${index}">`).join('');
  const rows = sessions.map((session) => rowHtml(pathname, state, session)).join('');
  return `<div class="scroll" tabindex="0" role="region" aria-label="Sessions"><table id="sessions"><caption>Archived sessions</caption><colgroup>${widths}</colgroup><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

function rowHtml(pathname: string, state: ConsoleState, session: SessionRecord): string {
  const link = `<a href="${escapeAttribute(sessionLink(pathname, state, session.sessionId))}" data-nav="">${escapeText(session.sessionId)}</a>`;
  const cells = [
    link,
    timeHtml(session.startDate),
    timeHtml(session.endDate),
    escapeText(text(session.status)),
    escapeText(text(session.target)),
    escapeText(session.owner ?? '–'),
    escapeText(session.documentName ?? '–'),
    escapeText(session.reason ?? ''),
  ];
  return `<tr>${cells.map((cell, index) => (index === 5 ? `<td class="owner">${cell}</td>` : `<td>${cell}</td>`)).join('')}</tr>`;
}

/** The UTC text console/src/time.ts shows; the page adds the local time as the title. */
function timeHtml(iso: string | undefined | null): string {
  if (!iso) return '–';
  return `<time datetime="${escapeAttribute(iso)}">${escapeText(utcText(iso))}</time>`;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

/** viewLink('session', …) of console/src/state.ts, with the page's own path. */
function sessionLink(pathname: string, state: ConsoleState, id: string): string {
  const search = new URLSearchParams();
  search.set('view', 'session');
  for (const [name, value] of Object.entries({ ...state.values, id })) if (value !== '') search.set(name, value);
  return `${pathname}?${search.toString()}`;
}
