/**
 * What the emulator has to guess about SSM, as settings: nobody outside AWS knows these for
 * certain, so a sweep must hold up under every value. Each one can be set when the emulator
 * starts and changed while it runs (a soak switches them between sweeps).
 */
import type { SessionState, VisibilityRules } from './session-model';
import { DEFAULT_NEXT_TOKEN_TTL_MS } from './next-token';

export interface EmulatorGuesses {
  /** Which date the retention window counts from. Default 'StartDate' (the harsher). */
  retentionFrom: 'StartDate' | 'EndDate';
  /** Where Failed sessions are listed. Default 'History'. */
  failedIn: SessionState;
  /** Where Terminating sessions are listed. Default 'Active'. */
  terminatingIn: SessionState;
  /** A session shows up in Active this long after it starts, and in History this long after it ends. Default 0. */
  visibilityLagMs: number;
  /** SSM's clock (listing, NextToken ages, the HTTP Date header) runs this far from the host's; either sign. Default 0. */
  clockOffsetMs: number;
  /**
   * Share of follow-up pages (with a NextToken) that skip or repeat 1-3 sessions at the page
   * boundary, applied only when the set of sessions in that state changed since the token was
   * issued, as offset-based paging does. Seeded by `unstablePageSeed`. Default 0.
   */
  unstablePageRate: number;
  unstablePageSeed: number;
  /** true = take MaxResults raw items of the state's list, THEN filter (short/empty pages that still carry NextToken). */
  filtersAfterMaxResults: boolean;
  /** How long a NextToken stays valid, on SSM's clock. Default 24 h. */
  nextTokenTtlMs: number;
}

export const DEFAULT_GUESSES: EmulatorGuesses = {
  retentionFrom: 'StartDate',
  failedIn: 'History',
  terminatingIn: 'Active',
  visibilityLagMs: 0,
  clockOffsetMs: 0,
  unstablePageRate: 0,
  unstablePageSeed: 1,
  filtersAfterMaxResults: false,
  nextTokenTtlMs: DEFAULT_NEXT_TOKEN_TTL_MS,
};

/** Defaults filled in and every value checked; throws RangeError naming the bad setting. */
export function resolveGuesses(base: EmulatorGuesses, changes: Partial<EmulatorGuesses>): EmulatorGuesses {
  const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<EmulatorGuesses>;
  const next: EmulatorGuesses = { ...base, ...defined };
  oneOf('retentionFrom', next.retentionFrom, ['StartDate', 'EndDate']);
  oneOf('failedIn', next.failedIn, ['History', 'Active']);
  oneOf('terminatingIn', next.terminatingIn, ['Active', 'History']);
  if (!(Number.isFinite(next.visibilityLagMs) && next.visibilityLagMs >= 0)) throw new RangeError(`visibilityLagMs must be >= 0, got ${next.visibilityLagMs}`);
  if (!Number.isFinite(next.clockOffsetMs)) throw new RangeError(`clockOffsetMs must be a finite number, got ${next.clockOffsetMs}`);
  if (!(next.unstablePageRate >= 0 && next.unstablePageRate <= 1)) throw new RangeError(`unstablePageRate must be between 0 and 1, got ${next.unstablePageRate}`);
  if (!Number.isInteger(next.unstablePageSeed)) throw new RangeError(`unstablePageSeed must be an integer, got ${next.unstablePageSeed}`);
  if (typeof next.filtersAfterMaxResults !== 'boolean') throw new RangeError('filtersAfterMaxResults must be true or false');
  if (!(next.nextTokenTtlMs > 0)) throw new RangeError(`nextTokenTtlMs must be > 0, got ${next.nextTokenTtlMs}`);
  return next;
}

export function visibilityRules(guesses: EmulatorGuesses, retentionDays: number): VisibilityRules {
  return {
    retentionDays,
    retentionFrom: guesses.retentionFrom,
    failedIn: guesses.failedIn,
    terminatingIn: guesses.terminatingIn,
    visibilityLagMs: guesses.visibilityLagMs,
  };
}

function oneOf(name: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) throw new RangeError(`${name} must be ${allowed.join(' or ')}, got ${JSON.stringify(value)}`);
}
