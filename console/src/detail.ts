/** One session: every field the archive holds, its compliance findings, its evidence status. */
import type { ComplianceFinding } from '../../lambdas/core/compliance/finding';
import type { SessionConnection, SessionRecord } from '../../lambdas/core/session/session';
import { allPages, describeError, getJson, isAbort } from './api';
import { findingsTable } from './findings';
import { h, replace } from './dom';
import { viewLink, type ConsoleState } from './state';
import { timeElement } from './time';

const TIME_FIELDS = new Set(['startDate', 'endDate', 'firstArchivedAt', 'lastSeenAt', 'endedUnobservedAt']);
const FIELD_ORDER = ['sessionId', 'target', 'status', 'startDate', 'endDate', 'documentName', 'owner', 'reason', 'details', 'outputUrl', 'maxSessionDuration', 'accessType', 'accountId', 'region', 'source', 'firstArchivedAt', 'lastSeenAt', 'endedUnobservedAt'];

function value(name: string, raw: unknown): HTMLElement | string {
  if (TIME_FIELDS.has(name) && typeof raw === 'string') return timeElement(raw);
  if (name === 'outputUrl' && typeof raw === 'object' && raw !== null) {
    const urls = raw as { s3OutputUrl?: string; cloudWatchOutputUrl?: string };
    return h('span', {}, urls.s3OutputUrl ? `S3: ${urls.s3OutputUrl}` : '', urls.s3OutputUrl && urls.cloudWatchOutputUrl ? h('br') : null, urls.cloudWatchOutputUrl ? `CloudWatch: ${urls.cloudWatchOutputUrl}` : '');
  }
  if (name === 'connections' && Array.isArray(raw)) return connectionList(raw as SessionConnection[]);
  if (name === 'instanceIds' && Array.isArray(raw)) return raw.join(', ');
  return typeof raw === 'string' ? raw : JSON.stringify(raw);
}

/** An Alibaba Cloud session's connections, one line each: instance, status, times, why it closed. */
function connectionList(connections: SessionConnection[]): HTMLElement {
  return h(
    'ul',
    { class: 'connections' },
    connections.map((c) =>
      h(
        'li',
        {},
        `${c.instanceId} · ${c.status} · `,
        c.startTime ? timeElement(c.startTime) : 'start unknown',
        ' → ',
        c.endTime ? timeElement(c.endTime) : 'open',
        c.closedReason ? ` · ${c.closedReason}` : '',
        c.failedDetail ? ` (${c.failedDetail})` : '',
      ),
    ),
  );
}

/** Shown under "Evidence" rather than in the field list. */
const EVIDENCE_FIELDS = ['evidenceHash', 'evidenceSequence'];

function fieldList(session: SessionRecord): HTMLElement {
  const record = session as unknown as Record<string, unknown>;
  // Every field the API sent, known ones first; a field added later still shows.
  const names = [...FIELD_ORDER.filter((name) => name in record), ...Object.keys(record).filter((name) => !FIELD_ORDER.includes(name) && !EVIDENCE_FIELDS.includes(name))];
  return h('dl', { class: 'fields', id: 'session-fields' }, names.flatMap((name) => [h('dt', {}, name), h('dd', { 'data-field': name }, value(name, record[name]))]));
}

/**
 * The session's place in the archive's evidence chain, when the archive recorded one: the hash
 * of its evidence record and its sequence number. Archives (or records) from before evidence
 * have neither, and say so.
 */
function evidenceSection(session: SessionRecord): HTMLElement {
  const record = session as unknown as Record<string, unknown>;
  const recorded = (name: string): boolean => record[name] !== undefined && record[name] !== null && record[name] !== '';
  const row = (name: string, label: string): HTMLElement[] => [h('dt', {}, label), h('dd', { 'data-field': name }, recorded(name) ? h('code', {}, String(record[name])) : 'not recorded')];
  const body = EVIDENCE_FIELDS.some(recorded)
    ? h('dl', { class: 'fields', id: 'evidence-status' }, row('evidenceHash', 'Hash'), row('evidenceSequence', 'Sequence'))
    : h('p', { id: 'evidence-status' }, 'Evidence: not recorded for this session.');
  return h('section', { 'aria-labelledby': 'evidence-title' }, h('h2', { id: 'evidence-title' }, 'Evidence'), body);
}

/** Findings of this session: the findings of its target (and owner) at its start instant. */
async function sessionFindings(session: SessionRecord, signal: AbortSignal): Promise<ComplianceFinding[]> {
  const start = Date.parse(session.startDate);
  const parameters: Array<[string, string]> = [
    ['from', new Date(start).toISOString()],
    ['to', new Date(start + 1).toISOString()],
    ['target', session.target],
  ];
  if (session.owner) parameters.push(['owner', session.owner]);
  const found: ComplianceFinding[] = [];
  for await (const page of allPages<ComplianceFinding>('/findings', 'findings', parameters, 1000, signal)) {
    found.push(...page.filter((finding) => finding.sessionId === session.sessionId && finding.source === session.source && finding.accountId === session.accountId && finding.region === session.region));
  }
  return found;
}

export function renderDetail(root: HTMLElement, state: ConsoleState, signal: AbortSignal): void {
  const id = state.values.id ?? '';
  const back = { ...state.values };
  delete back.id;
  const body = h('div', { role: 'status' }, 'Loading…');
  replace(root, h('p', {}, h('a', { href: viewLink('sessions', back), 'data-nav': true }, '← Back to the search')), h('h1', {}, 'Session ', h('code', {}, id)), body);
  void (async () => {
    try {
      const session = await getJson<SessionRecord>(`/sessions/${encodeURIComponent(id)}`, [], signal);
      const findings = h('section', { 'aria-labelledby': 'findings-title' }, h('h2', { id: 'findings-title' }, 'Findings'), h('p', { role: 'status' }, 'Looking for findings…'));
      replace(
        body,
        fieldList(session),
        findings,
        evidenceSection(session),
      );
      try {
        const list = await sessionFindings(session, signal);
        replace(findings, h('h2', { id: 'findings-title' }, 'Findings'), list.length === 0 ? h('p', {}, 'No compliance findings for this session.') : findingsTable(list, {}));
      } catch (error: unknown) {
        if (!isAbort(error)) replace(findings, h('h2', { id: 'findings-title' }, 'Findings'), h('p', { class: 'problem', role: 'alert' }, describeError(error)));
      }
    } catch (error: unknown) {
      if (!isAbort(error)) replace(body, h('p', { class: 'problem', role: 'alert' }, describeError(error)));
    }
  })();
}
