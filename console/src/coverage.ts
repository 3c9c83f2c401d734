/**
 * Coverage as a picture: per source, account and region, a time axis with the covered ranges,
 * the ranges a reconciliation confirmed, the gaps (red) and the watermark; beside it the facts
 * (watermark age, last sweep, open sessions and last error when the API reports them).
 */
import { describeError, getJson, isAbort } from './api';
import { h, replace, svg } from './dom';
import { navigate, type ConsoleState } from './state';
import { formValues, timeRangeFields } from './search';
import { duration, timeElement, utcText } from './time';

type Range = { from: string; to: string };
/** One target of GET /coverage (lambdas/core/query/coverage.ts), the fields this page draws. */
interface SourceCoverage {
  source: string;
  accountId: string;
  region: string;
  watermark: string | null;
  watermarkAgeSeconds: number | null;
  coverage: Range[];
  confirmed: Range[];
  confirmedUntil: string | null;
  gaps: Array<Range & { detectedAt: string }>;
  lastSweep: { startedAt: string; finishedAt: string; complete: boolean; sessionsWritten: number } | null;
  /** The target's last failure, until a sweep of it succeeds. */
  lastError: { kind: string; message: string; since: string } | null;
}
interface CoverageReport {
  generatedAt: string;
  sources: SourceCoverage[];
}

const WIDTH = 800;
const LEFT = 10;
const PLOT = WIDTH - 2 * LEFT;
const HEIGHT = 84;

/** The axis: the search's time range when given, else from the oldest range to the report's time. */
function axisOf(report: CoverageReport, values: Record<string, string>): { from: number; to: number } {
  const starts = report.sources.flatMap((source) => [...source.coverage, ...source.gaps].map((range) => Date.parse(range.from)));
  const to = Date.parse(values.to ?? '') || Date.parse(report.generatedAt);
  const from = Date.parse(values.from ?? '') || (starts.length > 0 ? Math.min(...starts) : to - 30 * 86_400_000);
  return from < to ? { from, to } : { from: to - 30 * 86_400_000, to };
}

function picture(source: SourceCoverage, axis: { from: number; to: number }): SVGSVGElement {
  const x = (ms: number): number => LEFT + ((Math.min(Math.max(ms, axis.from), axis.to) - axis.from) / (axis.to - axis.from)) * PLOT;
  const visible = (range: Range): boolean => Date.parse(range.to) > axis.from && Date.parse(range.from) < axis.to;
  const rect = (range: Range, className: string, y: number, height: number, label: string): SVGRectElement => {
    const left = x(Date.parse(range.from));
    return svg('rect', { class: className, x: left, y, width: Math.max(x(Date.parse(range.to)) - left, 1), height, 'data-from': range.from, 'data-to': range.to }, svg('title', {}, `${label}: ${utcText(range.from)} to ${utcText(range.to)} UTC`));
  };
  const watermark = source.watermark === null || Date.parse(source.watermark) < axis.from || Date.parse(source.watermark) > axis.to ? null : x(Date.parse(source.watermark));
  return svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'coverage', role: 'img', 'aria-label': `Coverage of ${source.source} ${source.accountId} ${source.region}: ${source.coverage.length} covered ranges, ${source.gaps.length} gaps` },
    svg('rect', { class: 'plot', x: LEFT, y: 8, width: PLOT, height: 48, 'data-from': new Date(axis.from).toISOString(), 'data-to': new Date(axis.to).toISOString() }),
    source.coverage.filter(visible).map((range) => rect(range, 'covered', 8, 34, 'Covered')),
    (source.confirmed ?? []).filter(visible).map((range) => rect(range, 'confirmed', 44, 12, 'Confirmed by a reconciliation')),
    source.gaps.filter(visible).map((range) => rect(range, 'gap', 8, 48, 'Gap (sessions lost)')),
    watermark === null ? null : svg('line', { class: 'watermark', x1: watermark, x2: watermark, y1: 2, y2: 62 }, svg('title', {}, `Watermark ${utcText(source.watermark ?? '')} UTC`)),
    svg('text', { class: 'axis', x: LEFT, y: HEIGHT - 6, 'text-anchor': 'start' }, utcText(new Date(axis.from).toISOString()).slice(0, 16)),
    svg('text', { class: 'axis', x: WIDTH - LEFT, y: HEIGHT - 6, 'text-anchor': 'end' }, utcText(new Date(axis.to).toISOString()).slice(0, 16)),
  );
}

/** The target's last failure as GET /coverage reports it: its kind, message and since when. */
function lastErrorText(source: SourceCoverage): string | undefined {
  const error = source.lastError;
  return error ? `${error.kind}: ${error.message} (since ${utcText(error.since)} UTC)` : undefined;
}

function facts(source: SourceCoverage): HTMLElement {
  const sweep = source.lastSweep;
  const error = lastErrorText(source);
  const rows: Array<[string, HTMLElement | string]> = [
    ['Watermark', source.watermark === null ? 'none yet' : h('span', {}, timeElement(source.watermark), source.watermarkAgeSeconds === null ? '' : ` (${duration(source.watermarkAgeSeconds)} behind)`)],
    ['Confirmed until', timeElement(source.confirmedUntil ?? null)],
    ['Last sweep', sweep === null ? 'none yet' : h('span', {}, timeElement(sweep.finishedAt), `, ${sweep.complete ? 'complete' : 'stopped early'}, ${sweep.sessionsWritten} sessions written`)],
  ];
  if (error !== undefined) rows.push(['Last error', h('span', { class: 'problem' }, error)]);
  return h('dl', { class: 'facts' }, rows.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]));
}

function gapList(source: SourceCoverage): HTMLElement {
  if (source.gaps.length === 0) return h('p', {}, 'No gaps: nothing this source showed was lost.');
  return h('ul', { class: 'gaps' }, source.gaps.map((gap) => h('li', {}, 'Gap (sessions lost): ', timeElement(gap.from), ' to ', timeElement(gap.to), h('span', {}, ', found ', timeElement(gap.detectedAt)))));
}

const LEGEND = h('p', { class: 'legend' }, h('span', { class: 'key covered' }), ' covered ', h('span', { class: 'key confirmed' }), ' confirmed ', h('span', { class: 'key gap' }), ' gap ', h('span', { class: 'key watermark' }), ' watermark');

export function renderCoverage(root: HTMLElement, state: ConsoleState, signal: AbortSignal): void {
  const body = h('div', { role: 'status' }, 'Loading coverage…');
  const form: HTMLFormElement = h('form', { class: 'filters', 'aria-label': 'Coverage time range', onsubmit: (event: Event) => {
    event.preventDefault();
    navigate({ view: 'coverage', values: formValues(form, ['from', 'to']) });
  } }, timeRangeFields(state.values, () => form), h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Show')));
  replace(root, h('h1', {}, 'Coverage'), form, body);
  getJson<CoverageReport>('/coverage', [], signal).then(
    (report) => {
      const axis = axisOf(report, state.values);
      const sections = report.sources.map((source) =>
        h('section', { class: 'source', 'data-scope': `${source.source}#${source.accountId}#${source.region}` }, h('h2', {}, `${source.source} · account ${source.accountId} · ${source.region}`), picture(source, axis), facts(source), gapList(source)),
      );
      replace(body, h('p', {}, 'Generated ', timeElement(report.generatedAt), ' UTC.'), LEGEND.cloneNode(true), sections.length > 0 ? sections : h('p', {}, 'No sweep has run yet: nothing is covered.'));
    },
    (error: unknown) => {
      if (!isAbort(error)) replace(body, h('p', { class: 'problem', role: 'alert' }, describeError(error)));
    },
  );
}
