/** Compliance findings with their filters (GET /findings), a page at a time. */
import type { ComplianceFinding } from '../../lambdas/core/compliance/finding';
import { describeError, fillPage, isAbort } from './api';
import { field, h, input, replace, select } from './dom';
import { pager } from './pager';
import { formValues, timeRangeFields } from './search';
import { DEFAULT_PAGE_SIZE, FINDING_FILTERS, filterParameters, navigate, PAGE_SIZES, pageSize, RULES, viewLink, type ConsoleState } from './state';
import { timeElement } from './time';

export function findingsTable(findings: readonly ComplianceFinding[], values: Record<string, string>): HTMLElement {
  const head = ['Rule', 'Session started (UTC)', 'Session', 'Target', 'Owner', 'Message', 'Detected (UTC)'].map((title) => h('th', { scope: 'col' }, title));
  const rows = findings.map((finding) =>
    h(
      'tr',
      {},
      h('td', {}, finding.rule),
      h('td', {}, timeElement(finding.startDate)),
      h('td', {}, h('a', { href: viewLink('session', { ...values, id: finding.sessionId }), 'data-nav': true }, finding.sessionId)),
      h('td', {}, finding.target),
      h('td', { class: 'owner' }, finding.owner ?? '–'),
      h('td', {}, finding.message),
      h('td', {}, timeElement(finding.detectedAt)),
    ),
  );
  return h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': 'Findings' }, h('table', { class: 'findings' }, h('caption', {}, 'Compliance findings'), h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows)));
}

function findingsForm(state: ConsoleState): HTMLFormElement {
  const v = state.values;
  const form: HTMLFormElement = h(
    'form',
    { class: 'filters', 'aria-label': 'Search findings', onsubmit: (event: Event) => {
      event.preventDefault();
      navigate({ view: 'findings', values: formValues(form, FINDING_FILTERS) });
    } },
    timeRangeFields(v, () => form),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Filters'),
      field('rule', 'Rule', select(RULES, v.rule, 'any')),
      field('target', 'Target', input(v.target, { placeholder: 'i-0123456789abcdef0' })),
      field('owner', 'Owner ARN', input(v.owner, { placeholder: 'arn:aws:sts::…' })),
      field('order', 'Order', select(['desc', 'asc'], v.order ?? 'desc', undefined), 'desc: newest session first'),
      field('limit', 'Per page', select(PAGE_SIZES, v.limit ?? DEFAULT_PAGE_SIZE, undefined)),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Search findings'), h('a', { href: viewLink('findings', {}), 'data-nav': true }, 'Clear')),
  );
  return form;
}

export function renderFindings(root: HTMLElement, state: ConsoleState, signal: AbortSignal): void {
  const results = h('section', { id: 'results' }, h('p', { role: 'status' }, 'Searching…'));
  const problem = h('div', { id: 'problem', role: 'alert' });
  replace(root, h('h1', {}, 'Findings'), findingsForm(state), problem, results);
  const linkValues: Record<string, string> = {};
  if (state.values.from) linkValues.from = state.values.from;
  if (state.values.to) linkValues.to = state.values.to;
  fillPage<ComplianceFinding>('/findings', 'findings', filterParameters(state.values, FINDING_FILTERS), pageSize(state.values), state.values.token, signal).then(
    (page) => replace(results, pager(state, page.nextToken, page.items.length, 'findings'), page.items.length > 0 ? findingsTable(page.items, linkValues) : h('p', {}, 'No findings match.')),
    (error: unknown) => {
      if (isAbort(error)) return;
      replace(results);
      replace(problem, h('p', { class: 'problem' }, describeError(error)));
    },
  );
}
