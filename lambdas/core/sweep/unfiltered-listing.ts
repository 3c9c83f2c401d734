/**
 * When a listing with no time filter may stop, and what it showed. Pure: the orchestrator
 * (unfiltered-sweep.ts) feeds it each page after storing it.
 *
 * The source keeps its newest records (up to a cap) and says nothing about their order. A
 * listing may stop before its end only when everything below the current page is already
 * archived in its final state. That is known only while every page so far came newest first:
 * then the pages still to come hold older records. So the sweep stops after a page that
 *   - continues a listing that has been newest first throughout (within and across pages),
 *   - reaches below the stop bound: older than the newest record of the last complete listing
 *     and older than every session the archive still holds open, and
 *   - stored nothing new below that bound (a record there the archive did not know means the
 *     source showed it late, or out of order: keep looking).
 * Any other order, or a surprise, lists to the end: more calls, nothing lost.
 */
import type { ObservedSession } from '../session/session';
import { fromIso } from '../shared/time';

export interface ListingBounds {
  /** Start of the newest record the last complete listing showed; undefined: never listed. */
  newestListed?: number;
  /** Earliest start of a session the archive holds open (+∞ when none). */
  earliestOpen: number;
  /** Lists to the end whatever the order (a reconciliation, or a look for vanished sessions). */
  full: boolean;
}

export class UnfilteredListing {
  /** Start of the newest and the oldest record shown (±∞ before any). */
  newest = Number.NEGATIVE_INFINITY;
  oldest = Number.POSITIVE_INFINITY;
  /** False once a page broke newest-first order. */
  ordered = true;
  /** Distinct records that started after the last complete listing's newest (all, on a first listing). */
  readonly newSince = new Set<string>();
  readonly seen = new Set<string>();
  private lowestSoFar = Number.POSITIVE_INFINITY;

  constructor(readonly bounds: ListingBounds) {}

  /** Below this a newest-first listing holds only records archived in their final state; null: no such point. */
  get stopBound(): number | null {
    const { newestListed, earliestOpen, full } = this.bounds;
    if (full || newestListed === undefined) return null;
    return Math.min(newestListed, earliestOpen);
  }

  /**
   * Takes in one stored page; `written` holds the ids the archive wrote from it (new or changed).
   * True when the listing may stop here.
   */
  observe(page: readonly ObservedSession[], written: ReadonlySet<string>): boolean {
    const starts = page.map((session) => fromIso(session.startDate));
    this.ordered &&= isNewestFirst(starts, this.lowestSoFar);
    for (const [i, session] of page.entries()) {
      const start = starts[i] as number;
      this.seen.add(session.sessionId);
      if (this.bounds.newestListed === undefined || start > this.bounds.newestListed) this.newSince.add(session.sessionId);
      this.newest = Math.max(this.newest, start);
      this.oldest = Math.min(this.oldest, start);
      this.lowestSoFar = Math.min(this.lowestSoFar, start);
    }
    const bound = this.stopBound;
    if (bound === null || !this.ordered || page.length === 0) return false;
    const lowest = Math.min(...starts);
    const surprise = page.some((session, i) => (starts[i] as number) < bound && written.has(session.sessionId));
    return lowest < bound && !surprise;
  }

  /**
   * A complete listing that could not reach back to the last one's newest record: the source
   * dropped what started between the two (its record cap, or its retention after a long pause).
   */
  droppedRange(): { from: number; to: number } | undefined {
    const { newestListed } = this.bounds;
    if (newestListed === undefined || this.seen.size === 0 || this.oldest <= newestListed) return undefined;
    return { from: newestListed, to: this.oldest };
  }
}

/** Starts never rise within the page, nor above the lowest start of the pages before it. */
function isNewestFirst(starts: readonly number[], lowestBefore: number): boolean {
  let previous = lowestBefore;
  for (const start of starts) {
    if (start > previous) return false;
    previous = start;
  }
  return true;
}
