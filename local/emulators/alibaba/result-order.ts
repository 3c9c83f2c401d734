/**
 * The order a listing returns sessions in. Alibaba does not document one (its examples are newest
 * first), so a sweep must not depend on it:
 * - newest: CreationTime descending (the default);
 * - oldest: CreationTime ascending;
 * - shuffled: newest first from page to page, but each page's sessions in a seeded random order;
 * - scattered: the whole listing in a seeded order unrelated to time (stable across pages, so
 *   paging still sees every session once).
 */
import { createHash } from 'node:crypto';
import { SeededRandom } from '../../ssm-emulator/random';
import type { EmulatedTerminalSession } from './session-model';

export const RESULT_ORDERS = ['newest', 'oldest', 'shuffled', 'scattered'] as const;
export type ResultOrder = (typeof RESULT_ORDERS)[number];

/** A session's place in a listing: by `rank`, then SessionId. */
export interface ListingPosition {
  rank: number;
  sessionId: string;
}

export class ListingOrder {
  private random: SeededRandom;

  constructor(
    private order: ResultOrder = 'newest',
    private seed = 1,
  ) {
    this.random = new SeededRandom(seed);
  }

  get current(): ResultOrder {
    return this.order;
  }

  /** Changes the order; restarts the seeded sequence. */
  configure(order: ResultOrder, seed: number = this.seed): void {
    this.order = order;
    this.seed = seed;
    this.random = new SeededRandom(seed);
  }

  positionOf(session: EmulatedTerminalSession): ListingPosition {
    switch (this.order) {
      case 'oldest':
        return { rank: session.creationMs, sessionId: session.sessionId };
      case 'scattered':
        return { rank: scatterRank(this.seed, session.sessionId), sessionId: session.sessionId };
      default:
        return { rank: -session.creationMs, sessionId: session.sessionId };
    }
  }

  /** The listing in order. */
  sort(sessions: readonly EmulatedTerminalSession[]): EmulatedTerminalSession[] {
    return sessions.map((session) => ({ session, position: this.positionOf(session) })).sort((a, b) => comparePositions(a.position, b.position)).map(({ session }) => session);
  }

  /** A page as it goes out: shuffled in place under 'shuffled', else as is. */
  arrangePage<T>(page: T[]): T[] {
    if (this.order !== 'shuffled') return page;
    for (let index = page.length - 1; index > 0; index -= 1) {
      const other = this.random.int(0, index + 1);
      [page[index], page[other]] = [page[other] as T, page[index] as T];
    }
    return page;
  }
}

export function comparePositions(a: ListingPosition, b: ListingPosition): number {
  return a.rank - b.rank || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0);
}

function scatterRank(seed: number, sessionId: string): number {
  return createHash('sha256').update(`${seed}\u0000${sessionId}`).digest().readUInt32BE(0);
}
