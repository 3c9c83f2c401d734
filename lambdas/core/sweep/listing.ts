/**
 * Listing mechanics shared by every phase: pages pulled one at a time under the time budget, and
 * History ranges cut into slices that shrink after a sweep ran out of time and grow back after.
 */

/** A History range: StartDate >= after and < before (epoch ms, source time). */
export interface Slice {
  /** Omitted for an open start: whatever the source still holds. */
  after?: number;
  /** Omitted for the last slice: everything that started since. */
  before?: number;
}

/** Pulls pages one at a time, checking the clock before each request. True when all were read. */
export async function drainPages<T>(pages: AsyncIterable<T>, outOfTime: () => boolean, onPage: (page: T) => Promise<void>): Promise<boolean> {
  const iterator = pages[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      if (outOfTime()) return false;
      const next = await iterator.next();
      if (next.done) {
        finished = true;
        return true;
      }
      await onPage(next.value);
    }
  } finally {
    if (!finished) await iterator.return?.();
  }
}

/**
 * Splits the History range into slices. With no slice size (the usual case) it is one listing,
 * which costs the fewest calls; slices appear only after a sweep ran out of time.
 */
export function planSlices(from: number | null, windowStart: number, now: number, sliceMs: number | null): Slice[] {
  const first: Slice = from === null ? {} : { after: from };
  if (sliceMs === null) return [first];
  const slices: Slice[] = [];
  let cursor = from ?? windowStart;
  let current = first;
  while (cursor + sliceMs < now) {
    cursor += sliceMs;
    slices.push({ ...current, before: cursor });
    current = { after: cursor };
  }
  slices.push(current);
  return slices;
}

export interface SliceSizing {
  current: number | null;
  /** The first slice, when not even it could be listed in this sweep's time. */
  tooLarge: Slice | undefined;
  complete: boolean;
  windowStart: number;
  now: number;
  retentionMs: number;
  minSliceMs: number;
}

/**
 * Halves a slice that did not fit in a whole sweep's time; keeps the size while sweeps make
 * progress slice by slice; grows it again after sweeps that finished.
 */
export function nextSliceMs(sizing: SliceSizing): number | null {
  const { current, tooLarge, complete } = sizing;
  if (tooLarge) {
    const width = (tooLarge.before ?? sizing.now) - (tooLarge.after ?? sizing.windowStart);
    return Math.max(sizing.minSliceMs, Math.floor(width / 2));
  }
  if (current === null || !complete) return current;
  const grown = current * 2;
  return grown >= sizing.retentionMs ? null : grown;
}

export function minValue(values: Iterable<number>): number {
  let min = Number.POSITIVE_INFINITY;
  for (const value of values) if (value < min) min = value;
  return min;
}
