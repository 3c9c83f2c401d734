/** Times are shown in UTC (what auditors compare across regions); the local time is on hover. */
import { h } from './dom';
import { utcText } from './utc-text';

export const DAY_MS = 86_400_000;

export { utcText } from './utc-text';

// One formatter for every time shown: creating one per call costs about a millisecond each.
let localFormat: Intl.DateTimeFormat | undefined;

function localFormatter(): Intl.DateTimeFormat {
  localFormat ??= new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });
  return localFormat;
}

/**
 * The first formatter of a new page loads the browser's locale data (tens of milliseconds): done
 * while the page waits for its first results rather than when it draws them (console/src/served.ts).
 */
export function prepareLocalTimes(): void {
  localFormatter();
}

export function localText(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? `${localFormatter().format(ms)} (your local time)` : iso;
}

/** A `<time>` showing UTC, with the local time as its title. */
export function timeElement(iso: string | undefined | null, suffix = ''): HTMLElement | string {
  if (!iso) return '–';
  return h('time', { datetime: iso, title: localText(iso) }, `${utcText(iso)}${suffix}`);
}

/** Minute precision, for presets: `2026-01-15T09:30:00Z`. */
export function isoMinute(ms: number): string {
  return `${new Date(Math.floor(ms / 60_000) * 60_000).toISOString().slice(0, 16)}:00Z`;
}

export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}

/** `2 d 3 h`, `45 min`: for the watermark's age. */
export function duration(seconds: number): string {
  if (seconds >= 86_400) return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`;
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 60)} min`;
}
