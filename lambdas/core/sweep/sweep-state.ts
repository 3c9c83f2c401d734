/**
 * The checkpoint of one source scope. Coverage and gaps live in the same record as the watermark,
 * so one conditional write moves them together: no transactions needed.
 */
import { mergeRanges, type TimeRange } from '../shared/time';

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
  /**
   * Covered ranges that a reconciliation listed again after they were complete: nothing the
   * source showed in them is missing, whatever an incremental listing skipped.
   */
  confirmed: TimeRange[];
  /** The reconciliation under way (it may take several sweeps), or null. */
  reconciliation: ResumableListing | null;
  /** The range listing that looks for many vanished open sessions at once, under way, or null. */
  endedLookup: ResumableListing | null;
  /** The incremental History slice a sweep could not finish, with its place, or null. */
  historyListing: ResumableListing | null;
  /** Source time at which the last complete reconciliation (or first backfill) started. */
  lastReconciledAt: number | null;
  /** Why the last attempt to sweep this target failed, since when; null once a sweep ran. */
  lastError: TargetFailure | null;
  /**
   * Sources without a time filter only: the start of the newest record a complete listing showed.
   * A later listing that cannot reach back to it lost what lies between (the record cap).
   */
  newestListed?: number;
}

/** A target's sweep could not run: the role is missing, access denied, the region disabled, … */
export interface TargetFailure {
  kind: TargetFailureKind;
  message: string;
  /** When this kind of failure began (kept while it repeats). */
  since: number;
}

export const TARGET_FAILURE_KINDS = ['role-missing', 'access-denied', 'region-disabled', 'throttled', 'failed'] as const;
export type TargetFailureKind = (typeof TARGET_FAILURE_KINDS)[number];

/**
 * A History listing resumed page by page across sweeps: the token of its next page is kept with
 * the checkpoint. A token the source no longer accepts restarts it. Slices would not help here:
 * a source that filters after MaxResults pages through everything for any range.
 */
export interface ResumableListing {
  /** Source time when it began (a reconciliation confirms coverage up to here, less the margin). */
  startedAt: number;
  /** StartDate bounds; both absent: everything the source holds. */
  after?: number;
  before?: number;
  nextToken: string | null;
  pagesListed: number;
}

export const EMPTY_SWEEP_STATE: SweepState = {
  watermark: null,
  version: 0,
  coverage: [],
  gaps: [],
  listedUntil: null,
  sliceMs: null,
  confirmed: [],
  reconciliation: null,
  endedLookup: null,
  historyListing: null,
  lastReconciledAt: null,
  lastError: null,
};

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
    confirmed: mergeRanges([...stored.confirmed, ...mine.confirmed]),
    // Progress is only ever ahead in the later of the two; a finished one (null) stays finished
    // unless the other started a newer one.
    reconciliation: newerReconciliation(stored, mine),
    endedLookup: furtherListing(stored.endedLookup, mine.endedLookup),
    historyListing: furtherListing(stored.historyListing, mine.historyListing),
    lastReconciledAt: maxOrNull(stored.lastReconciledAt, mine.lastReconciledAt),
    lastError: mine.lastError,
    ...optionalMax('newestListed', stored.newestListed, mine.newestListed),
  };
}

function newerReconciliation(stored: SweepState, mine: SweepState): ResumableListing | null {
  const finishedAt = maxOrNull(stored.lastReconciledAt, mine.lastReconciledAt) ?? Number.NEGATIVE_INFINITY;
  const live = [stored.reconciliation, mine.reconciliation].filter((r): r is ResumableListing => r !== null && r.startedAt > finishedAt);
  return furtherListing(live[0] ?? null, live[1] ?? null);
}

/** Of two listings under way, the newer one, or the one further along. */
function furtherListing(a: ResumableListing | null, b: ResumableListing | null): ResumableListing | null {
  if (a === null || b === null) return a ?? b;
  if (a.startedAt !== b.startedAt) return a.startedAt > b.startedAt ? a : b;
  return a.pagesListed >= b.pagesListed ? a : b;
}

function optionalMax<K extends string>(key: K, a: number | undefined, b: number | undefined): { [P in K]?: number } {
  const value = maxOrNull(a ?? null, b ?? null);
  return value === null ? {} : ({ [key]: value } as { [P in K]?: number });
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
