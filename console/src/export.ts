/**
 * Export of the current search as CSV or JSON Lines: the API's pages are read 1,000 sessions at
 * a time and rendered here with the API's own CSV rules (the same code the CLI uses), so the file
 * equals `session-archive export` of the same search. Pages become Blob parts as they arrive;
 * the browser keeps them (on disk when large), then offers the file as a download.
 */
import { csvRow } from '../../lambdas/core/query/csv';
import { csvCells, SESSION_CSV_COLUMNS } from '../../lambdas/core/query/formats';
import type { SessionRecord } from '../../lambdas/core/session/session';
import { allPages, describeError, isAbort, type Parameters } from './api';
import { h, replace } from './dom';

type ExportFormat = 'csv' | 'jsonl';
const MIME: Record<ExportFormat, string> = { csv: 'text/csv;charset=utf-8', jsonl: 'application/x-ndjson;charset=utf-8' };

export function exportControls(parameters: Parameters): HTMLElement {
  const status = h('p', { role: 'status', 'aria-live': 'polite', id: 'export-status' });
  const progress = h('progress', { id: 'export-progress', hidden: true, 'aria-label': 'Export progress' });
  let running: AbortController | undefined;
  const cancel = h('button', { type: 'button', hidden: true, onclick: () => running?.abort() }, 'Cancel export');
  const start = (format: ExportFormat): void => {
    if (running) return;
    running = new AbortController();
    cancel.hidden = false;
    progress.hidden = false;
    void runExport(parameters, format, running.signal, (text) => replace(status, text)).finally(() => {
      running = undefined;
      cancel.hidden = true;
      progress.hidden = true;
    });
  };
  return h(
    'section',
    { class: 'export', 'aria-label': 'Export' },
    h('button', { type: 'button', id: 'export-csv', onclick: () => start('csv') }, 'Export CSV'),
    h('button', { type: 'button', id: 'export-jsonl', onclick: () => start('jsonl') }, 'Export JSON Lines'),
    cancel,
    progress,
    status,
  );
}

async function runExport(parameters: Parameters, format: ExportFormat, signal: AbortSignal, say: (text: string) => void): Promise<void> {
  const parts: BlobPart[] = format === 'csv' ? [csvRow(SESSION_CSV_COLUMNS)] : [];
  const startedAt = performance.now();
  let count = 0;
  const rate = (): string => `${Math.round(count / Math.max((performance.now() - startedAt) / 1000, 0.001)).toLocaleString('en')}/s`;
  say('Exporting…');
  try {
    for await (const page of allPages<SessionRecord>('/sessions', 'sessions', parameters, 1000, signal)) {
      const text = format === 'csv' ? page.map((session) => csvRow(csvCells(session))).join('') : page.map((session) => `${JSON.stringify(session)}\n`).join('');
      parts.push(new Blob([text]));
      count += page.length;
      say(`Exported ${count.toLocaleString('en')} sessions so far (${rate()})…`);
    }
  } catch (error: unknown) {
    say(isAbort(error) ? `Export cancelled after ${count.toLocaleString('en')} sessions; nothing was saved.` : `Export failed after ${count.toLocaleString('en')} sessions, nothing was saved: ${describeError(error)}`);
    return;
  }
  const file = new Blob(parts, { type: MIME[format] });
  const name = `sessions-${new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}.${format}`;
  const url = URL.createObjectURL(file);
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken its copy once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  say(`Exported ${count.toLocaleString('en')} sessions (${rate()}) to ${name}.`);
}
