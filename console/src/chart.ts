/**
 * Sessions per day of the current search, as SVG bars. The API has no counting route, so the page
 * reads the search's pages (1,000 sessions each) up to a cap and says when it stopped there.
 */
import type { SessionRecord } from '../../lambdas/core/session/session';
import { allPages, describeError, isAbort, type Parameters } from './api';
import { h, replace, svg } from './dom';
import { DAY_MS, dayOf } from './time';

export const CHART_CAP = 10_000;
const WIDTH = 800;
const HEIGHT = 160;
const LEFT = 40;
const BOTTOM = 20;

export async function drawSessionsPerDay(section: HTMLElement, parameters: Parameters, values: Record<string, string>, signal: AbortSignal): Promise<void> {
  const counts = new Map<string, number>();
  let total = 0;
  let capped = false;
  const title = h('h2', { id: 'chart-title' }, 'Sessions per day (UTC)');
  replace(section, title, h('p', { role: 'status' }, 'Counting…'));
  try {
    for await (const page of allPages<SessionRecord>('/sessions', 'sessions', parameters, 1000, signal)) {
      for (const session of page) counts.set(dayOf(session.startDate), (counts.get(dayOf(session.startDate)) ?? 0) + 1);
      total += page.length;
      if (total >= CHART_CAP) {
        capped = true;
        break;
      }
    }
  } catch (error: unknown) {
    if (isAbort(error)) return;
    replace(section, title, h('p', { class: 'problem' }, describeError(error)));
    return;
  }
  const note = capped
    ? `Counted the first ${total.toLocaleString('en')} sessions of this search in its order; narrow the time range to count all of them.`
    : `${total.toLocaleString('en')} sessions in ${counts.size} days.`;
  replace(section, title, h('p', {}, note), total === 0 ? null : bars(counts, values));
}

function dayRange(counts: Map<string, number>, values: Record<string, string>): string[] {
  const seen = [...counts.keys()].sort();
  const fromMs = Date.parse(values.from ?? '') || Date.parse(seen[0] ?? '');
  const toMs = (Date.parse(values.to ?? '') || Date.parse(seen[seen.length - 1] ?? '') + DAY_MS) - 1;
  const days: string[] = [];
  // Beyond two years of days the bars would be thinner than a pixel: keep the days that have sessions.
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs - fromMs > 731 * DAY_MS) return seen;
  for (let ms = Date.parse(dayOf(new Date(fromMs).toISOString())); ms <= toMs; ms += DAY_MS) days.push(dayOf(new Date(ms).toISOString()));
  return days;
}

function bars(counts: Map<string, number>, values: Record<string, string>): SVGSVGElement {
  const days = dayRange(counts, values);
  const most = Math.max(1, ...counts.values());
  const slot = (WIDTH - LEFT) / Math.max(days.length, 1);
  const plotHeight = HEIGHT - BOTTOM;
  const rects = days.map((day, index) => {
    const count = counts.get(day) ?? 0;
    const height = (count / most) * (plotHeight - 4);
    return svg('rect', { class: 'bar', x: LEFT + index * slot + slot * 0.1, y: plotHeight - height, width: Math.max(slot * 0.8, 0.5), height, 'data-day': day, 'data-count': count }, svg('title', {}, `${day}: ${count} sessions`));
  });
  const label = (x: number, text: string, anchor: string): SVGTextElement => svg('text', { x, y: HEIGHT - 5, 'text-anchor': anchor, class: 'axis' }, text);
  return svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'xMinYMid meet', role: 'img', 'aria-label': `Sessions per day from ${days[0] ?? ''} to ${days[days.length - 1] ?? ''}; the busiest day had ${most}`, class: 'chart' },
    svg('text', { x: LEFT - 4, y: 12, 'text-anchor': 'end', class: 'axis' }, String(most)),
    svg('line', { x1: LEFT, x2: WIDTH, y1: plotHeight, y2: plotHeight, class: 'baseline' }),
    rects,
    label(LEFT, days[0] ?? '', 'start'),
    label(WIDTH, days[days.length - 1] ?? '', 'end'),
  );
}
