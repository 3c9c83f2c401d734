/**
 * The checkpoint of one source scope. Coverage and gaps live in the same record as the watermark,
 * so one conditional write moves them together: no transactions needed.
 */
import { mergeRanges, type TimeRange } from './time';

export interface CoverageGap extends TimeRange {
  /** When the sweep noticed that the source no longer held this range. */
  detectedAt: number;
}

export interface LastSweep {
  startedAt: number;
  finishedAt: number;
  complete: boolean;
  sessionsWritten: number;
}

export interface SweepState {
  /**
   * Every session that started before this instant has ended and is archived in its final
   * state. The next History listing starts here (InvokedAfter). Null before the first sweep.
   */
  watermark: number | null;
  /** Bumped on every save; saves are conditional on it. */
  version: number;
  /** Ranges of StartDate listed completely: every session in them is archived, ended or open. */
  coverage: TimeRange[];
  /** Ranges the source dropped before a sweep could read them. */
  gaps: CoverageGap[];
  /**
   * The clock-skew-adjusted start of the last sweep that listed the source completely: every
   * session that started before it was seen then, open or ended. Gaps are measured from here.
   */
  listedUntil: number | null;
  /** Size of the History time slices; null lists the whole range at once. */
  sliceMs: number | null;
  lastSweep?: LastSweep;
  /** When a sweep last finished the whole range. */
  lastCompletedAt?: number;
}

export const EMPTY_SWEEP_STATE: SweepState = { watermark: null, version: 0, coverage: [], gaps: [], listedUntil: null, sliceMs: null };

export function mergeGaps(a: readonly CoverageGap[], b: readonly CoverageGap[]): CoverageGap[] {
  const byRange = new Map<string, CoverageGap>();
  for (const gap of [...a, ...b]) {
    const key = `${gap.from}-${gap.to}`;
    const known = byRange.get(key);
    if (!known || gap.detectedAt < known.detectedAt) byRange.set(key, gap);
  }
  return [...byRange.values()].sort((x, y) => x.from - y.from);
}

/**
 * Folds what this sweep learned into a state another sweep saved meanwhile. The watermark only
 * moves forward: both values are safe on their own, so the later one wins.
 */
export function reconcileSweepState(stored: SweepState, mine: SweepState): SweepState {
  const watermark = maxOrNull(stored.watermark, mine.watermark);
  const latest = (stored.lastSweep?.finishedAt ?? 0) >= (mine.lastSweep?.finishedAt ?? 0) ? stored : mine;
  return {
    watermark,
    version: stored.version,
    coverage: mergeRanges([...stored.coverage, ...mine.coverage]),
    gaps: mergeGaps(stored.gaps, mine.gaps),
    listedUntil: maxOrNull(stored.listedUntil, mine.listedUntil),
    sliceMs: mine.sliceMs,
    lastSweep: latest.lastSweep,
    lastCompletedAt: Math.max(stored.lastCompletedAt ?? 0, mine.lastCompletedAt ?? 0) || undefined,
  };
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
