/**
 * How a sweep's findings fold into the checkpoint: gaps the source dropped before anyone listed
 * them, coverage up to the last complete listing, and the watermark, which never moves back.
 */
import { mergeGaps, type CoverageGap, type SweepState } from './sweep-state';
import { mergeRanges, subtractRanges } from '../shared/time';
import type { SweepRun } from './run';

/** A range the source dropped before any sweep listed it is a gap: recorded, never hidden. */
export function detectGaps(run: SweepRun): CoverageGap[] {
  const { loaded } = run;
  if (loaded.watermark === null) return [];
  const unseenFrom = Math.max(loaded.watermark, loaded.listedUntil ?? loaded.watermark);
  return unseenFrom < run.windowStart ? [{ from: unseenFrom, to: run.windowStart, detectedAt: run.startedAt }] : [];
}

/** Where this sweep's coverage begins: the end of the last complete listing. */
export function coverageStart(run: SweepRun): number {
  const { loaded } = run;
  return loaded.listedUntil ?? loaded.watermark ?? run.windowStart;
}

/**
 * Moves the watermark to `reached` (never backwards) and extends coverage, around gaps, up to
 * `listedUntil`: every session that started before it was seen, ended or still open.
 */
export function advance(state: SweepState, reached: number, listedUntil: number, coverFrom: number, newGaps: readonly CoverageGap[]): SweepState {
  const watermark = state.watermark === null ? reached : Math.max(state.watermark, reached);
  return {
    ...state,
    watermark,
    listedUntil: Math.max(state.listedUntil ?? listedUntil, listedUntil),
    coverage: mergeRanges([...state.coverage, ...subtractRanges({ from: coverFrom, to: listedUntil }, newGaps)]),
    gaps: mergeGaps(state.gaps, newGaps),
  };
}
