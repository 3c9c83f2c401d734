/**
 * Unstable NextTokens: when the set of sessions in a State changes between two pages, an
 * offset-based pager skips sessions (one ended above the boundary) or repeats them (one
 * started above it). This decides, seeded, how far a follow-up page's start moves.
 */
import { SeededRandom } from './random';

/** The most sessions one boundary skips or repeats. */
const MAX_SHIFT = 3;

export class UnstablePages {
  private random: SeededRandom;
  /** Follow-up pages that were shifted, by direction. */
  readonly counts = { skipped: 0, repeated: 0 };

  constructor(
    private rate: number,
    seed: number,
  ) {
    this.random = new SeededRandom(seed);
  }

  /** Replaces the rate and restarts the seeded sequence. */
  configure(rate: number, seed: number): void {
    this.rate = rate;
    this.random = new SeededRandom(seed);
  }

  /**
   * How far to move the start of a follow-up page: > 0 skips that many sessions, < 0 repeats
   * that many, 0 leaves it. `changed` is asked only when the roll says so (it scans the index).
   */
  shift(tokenIssuedAtMs: number, nowMs: number, changed: (fromMs: number, toMs: number) => boolean): number {
    if (this.rate <= 0 || nowMs === tokenIssuedAtMs) return 0;
    // Three draws per follow-up page whatever happens, so the sequence stays reproducible.
    const roll = this.random.next();
    const sizeRoll = this.random.next();
    const directionRoll = this.random.next();
    if (roll >= this.rate || !changed(tokenIssuedAtMs, nowMs)) return 0;
    const size = 1 + Math.floor(sizeRoll * MAX_SHIFT);
    if (directionRoll < 0.5) {
      this.counts.skipped += 1;
      return size;
    }
    this.counts.repeated += 1;
    return -size;
  }
}
