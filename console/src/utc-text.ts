/** Times as the console shows them, without the browser: the servers write them too (console/first-results.ts). */

/** `2026-01-15T09:30:00.000Z` → `2026-01-15 09:30:00`. */
export function utcText(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 19).replace('T', ' ') : iso;
}
