/** The sessions view: every filter of GET /sessions, a page of results, the chart and the export. */
import { ACCESS_TYPES, SESSION_STATUSES, type SessionRecord } from '../../lambdas/core/session/session';
import { describeError, fillPage, isAbort } from './api';
import { drawSessionsPerDay } from './chart';
import { field, h, input, replace, select } from './dom';
import { exportControls } from './export';
import { pager } from './pager';
import { adoptServedTable, prepareLocalTimesUnlessServed, SESSION_COLUMNS } from './served';
import { DEFAULT_PAGE_SIZE, filterParameters, navigate, PAGE_SIZES, pageSize, SESSION_FILTERS, viewLink, type ConsoleState } from './state';
import { DAY_MS, isoMinute, timeElement } from './time';

const PRESETS: ReadonlyArray<readonly [string, number]> = [
  ['Last 24 h', DAY_MS],
  ['7 days', 7 * DAY_MS],
  ['30 days', 30 * DAY_MS],
  ['90 days', 90 * DAY_MS],
  ['A year', 365 * DAY_MS],
];
const TIME_HINT = 'UTC: 2026-01-01 or 2026-01-01T09:30:00Z';

export function timeRangeFields(values: Record<string, string>, form: () => HTMLFormElement): HTMLElement {
  const presets = PRESETS.map(([label, span]) =>
    h('button', {
      type: 'button',
      onclick: () => {
        const element = form();
        (element.elements.namedItem('from') as HTMLInputElement).value = isoMinute(Date.now() - span);
        (element.elements.namedItem('to') as HTMLInputElement).value = '';
        element.requestSubmit();
      },
    }, label),
  );
  return h(
    'fieldset',
    { class: 'range' },
    h('legend', {}, 'Started between (UTC)'),
    field('from', 'From (inclusive)', input(values.from, { placeholder: '2026-01-01' }), TIME_HINT),
    field('to', 'To (exclusive)', input(values.to, { placeholder: 'now' }), TIME_HINT),
    h('div', { class: 'presets', role: 'group', 'aria-label': 'Time range presets' }, presets),
  );
}

/** The form's filled fields as URL values; the page token is dropped (a new search starts at page 1). */
export function formValues(form: HTMLFormElement, names: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of [...names, 'limit']) {
    const element = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    const value = element?.value.trim() ?? '';
    if (value !== '') values[name] = value;
  }
  if (values.limit === DEFAULT_PAGE_SIZE) delete values.limit;
  if (values.order === 'desc') delete values.order;
  return values;
}

function searchForm(state: ConsoleState): HTMLFormElement {
  const v = state.values;
  const form: HTMLFormElement = h(
    'form',
    { class: 'filters', 'aria-label': 'Search sessions', onsubmit: (event: Event) => {
      event.preventDefault();
      navigate({ view: 'sessions', values: formValues(form, SESSION_FILTERS) });
    } },
    timeRangeFields(v, () => form),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Filters'),
      field('target', 'Target', input(v.target, { placeholder: 'i-0123456789abcdef0' })),
      field('owner', 'Owner ARN', input(v.owner, { placeholder: 'arn:aws:sts::…' })),
      field('status', 'Status', select(SESSION_STATUSES, v.status, 'any')),
      field('document', 'Document', input(v.document, { placeholder: 'AWS-StartSSHSession' })),
      field('accessType', 'Access type', select(ACCESS_TYPES, v.accessType, 'any')),
      field('reason', 'Reason contains', input(v.reason, { placeholder: 'INC-20931' }), 'case-sensitive'),
      field('accountId', 'Account', input(v.accountId, { placeholder: '123456789012 or an Alibaba label' })),
      field('region', 'Region', input(v.region, { placeholder: 'eu-west-1' })),
      field('source', 'Source', input(v.source, { placeholder: 'ssm or alibaba' })),
      field('order', 'Order', select(['desc', 'asc'], v.order ?? 'desc', undefined), 'desc: newest first'),
      field('limit', 'Per page', select(PAGE_SIZES, v.limit ?? DEFAULT_PAGE_SIZE, undefined)),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Search'), h('a', { href: viewLink('sessions', {}), 'data-nav': true }, 'Clear')),
  );
  return form;
}

function sessionsTable(sessions: readonly SessionRecord[], state: ConsoleState): HTMLElement {
  const link = (session: SessionRecord): HTMLElement => {
    const values: Record<string, string> = { ...state.values, id: session.sessionId };
    return h('a', { href: viewLink('session', values), 'data-nav': true }, session.sessionId);
  };
  const rows = sessions.map((session) =>
    h('tr', {}, h('td', {}, link(session)), h('td', {}, timeElement(session.startDate)), h('td', {}, timeElement(session.endDate)), h('td', {}, session.status), h('td', {}, session.target), h('td', { class: 'owner' }, session.owner ?? '–'), h('td', {}, session.documentName ?? '–'), h('td', {}, session.reason ?? '')),
  );
  const columns = SESSION_COLUMNS;
  const head = columns.map((title) => h('th', { scope: 'col' }, title));
  // Column widths given up front (a fixed table layout): the browser lays the rows out without
  // measuring every cell first, which is most of the cost of showing a page of results.
  const widths = h('colgroup', {}, columns.map((_, index) => h('col', { class: `c${index}` })));
  return h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': 'Sessions' }, h('table', { id: 'sessions' }, h('caption', {}, 'Archived sessions'), widths, h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows)));
}

export function renderSessions(root: HTMLElement, state: ConsoleState, signal: AbortSignal): void {
  const results = h('section', { 'aria-labelledby': 'results-title', id: 'results' }, h('h2', { id: 'results-title' }, 'Results'), h('p', { role: 'status' }, 'Searching…'));
  const chart = h('section', { 'aria-labelledby': 'chart-title', id: 'per-day' });
  const parameters = filterParameters(state.values, SESSION_FILTERS);
  // The request goes out first; the form is built while the API works.
  const first = fillPage<SessionRecord>('/sessions', 'sessions', parameters, pageSize(state.values), state.values.token, signal);
  replace(root, h('h1', {}, 'Sessions'), searchForm(state), h('div', { id: 'problem', role: 'alert' }), exportControls(parameters), chart, results);
  prepareLocalTimesUnlessServed();
  void first.then(
    (page) => {
      // The first page's rows may already be on screen, rendered by the server: adopted, not rebuilt.
      const served = adoptServedTable(page.items.length);
      const table = page.items.length > 0 ? (served ?? sessionsTable(page.items, state)) : h('p', {}, 'No archived sessions match.');
      replace(results, h('h2', { id: 'results-title' }, 'Results'), pager(state, page.nextToken, page.items.length, 'sessions'), table);
      // After the frame that shows the results has been painted: the benchmark's mark (on the
      // browser's own clock), then the chart, whose counting requests would otherwise compete
      // with that frame for the machine.
      requestAnimationFrame(() =>
        setTimeout(() => {
          performance.mark('console:results');
          if (!signal.aborted) void drawSessionsPerDay(chart, parameters, state.values, signal);
        }, 0),
      );
    },
    (error: unknown) => {
      if (isAbort(error)) return;
      replace(results, h('h2', { id: 'results-title' }, 'Results'));
      replace(root.querySelector('#problem') as HTMLElement, h('p', { class: 'problem' }, describeError(error)));
    },
  );
}
