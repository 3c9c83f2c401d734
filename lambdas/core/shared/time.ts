/** Millisecond arithmetic on ISO-8601 instants; the archive stores times as ISO text. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

export function fromIso(iso: string): number {
  return Date.parse(iso);
}

/** A half-open time range [from, to) in epoch milliseconds. */
export interface TimeRange {
  from: number;
  to: number;
}

/** Sorts and merges overlapping or touching ranges; drops empty ones. */
export function mergeRanges(ranges: readonly TimeRange[]): TimeRange[] {
  const sorted = ranges.filter((r) => r.to > r.from).sort((a, b) => a.from - b.from);
  const merged: TimeRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.from <= last.to) last.to = Math.max(last.to, range.to);
    else merged.push({ ...range });
  }
  return merged;
}

/** The parts of `range` that none of `holes` overlaps. */
export function subtractRanges(range: TimeRange, holes: readonly TimeRange[]): TimeRange[] {
  let pieces: TimeRange[] = range.to > range.from ? [{ ...range }] : [];
  for (const hole of holes) {
    pieces = pieces.flatMap((piece) => {
      if (hole.to <= piece.from || hole.from >= piece.to) return [piece];
      const left = { from: piece.from, to: Math.min(piece.to, hole.from) };
      const right = { from: Math.max(piece.from, hole.to), to: piece.to };
      return [left, right].filter((part) => part.to > part.from);
    });
  }
  return pieces;
}

/** The parts of `ranges` inside `window`. */
export function intersectRanges(ranges: readonly TimeRange[], window: TimeRange): TimeRange[] {
  return ranges.map((range) => ({ from: Math.max(range.from, window.from), to: Math.min(range.to, window.to) })).filter((range) => range.to > range.from);
}
