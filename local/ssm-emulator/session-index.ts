/**
 * The emulator's session store: one array kept sorted newest-first (StartDate desc,
 * SessionId asc), which is also the DescribeSessions keyset order. Time filters and page
 * cursors become binary searches; everything else is checked while scanning.
 */
import type { PageCursor } from './next-token';
import {
  assertValidSession,
  compareNewestFirst,
  statusAt,
  visibilityAt,
  type EmulatedSession,
  type SessionState,
  type VisibilityRules,
} from './session-model';
import type { FilterCriteria } from './validation';

export interface PageQuery {
  state: SessionState;
  criteria: FilterCriteria;
  maxResults: number;
  after: PageCursor | undefined;
  nowMs: number;
  rules: VisibilityRules;
  /** true: take maxResults raw items of the state's list first, then filter them. */
  filtersAfterMaxResults: boolean;
  /** Unstable paging: > 0 skips that many sessions after the cursor, < 0 repeats that many before it. */
  shift?: number;
}

export interface PageResult {
  sessions: EmulatedSession[];
  /** Where the next page starts; set only when more items remain. */
  nextCursor: PageCursor | undefined;
}

/** Below this batch size, inserting one by one beats re-sorting everything. */
const BATCH_INSERT_THRESHOLD = 64;

export class SessionIndex {
  private readonly newestFirst: EmulatedSession[] = [];
  private readonly byId = new Map<string, EmulatedSession>();
  private readonly targets = new Set<string>();

  /** Validates and stores copies of the sessions. Duplicate ids are an error. */
  add(sessions: readonly EmulatedSession[]): EmulatedSession[] {
    const batchIds = new Set<string>();
    for (const session of sessions) {
      assertValidSession(session);
      if (this.byId.has(session.sessionId) || batchIds.has(session.sessionId)) {
        throw new Error(`Duplicate sessionId ${JSON.stringify(session.sessionId)}`);
      }
      batchIds.add(session.sessionId);
    }
    const stored = sessions.map(copySession);
    for (const session of stored) {
      this.byId.set(session.sessionId, session);
      this.targets.add(session.target);
    }
    if (stored.length < BATCH_INSERT_THRESHOLD) {
      for (const session of stored) {
        this.newestFirst.splice(this.firstIndexAfter(session), 0, session);
      }
    } else {
      // A loop, not push(...stored): spreading 100k+ arguments overflows the stack.
      for (const session of stored) this.newestFirst.push(session);
      this.newestFirst.sort(compareNewestFirst);
    }
    return stored;
  }

  get(sessionId: string): EmulatedSession | undefined {
    return this.byId.get(sessionId);
  }

  has(sessionId: string): boolean {
    return this.byId.has(sessionId);
  }

  hasTarget(target: string): boolean {
    return this.targets.has(target);
  }

  all(): readonly EmulatedSession[] {
    return this.newestFirst;
  }

  page(query: PageQuery): PageResult {
    return query.filtersAfterMaxResults ? this.pageFilteringAfterLimit(query) : this.pageFilteringFirst(query);
  }

  /** Filters first, then MaxResults: full pages, and no token on the last one. */
  private pageFilteringFirst(query: PageQuery): PageResult {
    const { criteria, nowMs } = query;
    let start = this.firstIndexStartingAtOrBefore(nowMs);
    if (criteria.startBeforeMs !== undefined) start = Math.max(start, this.firstIndexStartingBefore(criteria.startBeforeMs));
    const lowest = start;
    if (query.after) start = Math.max(start, this.firstIndexAfter(query.after));
    start = this.shifted(start, lowest, query.shift ?? 0, (session) => this.matches(session, query));
    const end = criteria.startAtOrAfterMs === undefined ? this.newestFirst.length : this.firstIndexStartingBefore(criteria.startAtOrAfterMs);

    const sessions: EmulatedSession[] = [];
    for (let index = start; index < end; index += 1) {
      const session = this.newestFirst[index] as EmulatedSession;
      if (!this.matches(session, query)) continue;
      if (sessions.length === query.maxResults) {
        // One more match exists, so the page needs a token.
        const last = sessions[sessions.length - 1] as EmulatedSession;
        return { sessions, nextCursor: cursorOf(last) };
      }
      sessions.push(session);
    }
    return { sessions, nextCursor: undefined };
  }

  /**
   * MaxResults first: take maxResults raw items of the state's list, then filter them, so
   * pages can be short or empty and still carry a token.
   */
  private pageFilteringAfterLimit(query: PageQuery): PageResult {
    let start = this.firstIndexStartingAtOrBefore(query.nowMs);
    const lowest = start;
    if (query.after) start = Math.max(start, this.firstIndexAfter(query.after));
    start = this.shifted(start, lowest, query.shift ?? 0, (session) => visibilityAt(session, query.nowMs, query.rules) === query.state);
    const sessions: EmulatedSession[] = [];
    let rawCount = 0;
    let lastRaw: EmulatedSession | undefined;
    for (let index = start; index < this.newestFirst.length; index += 1) {
      const session = this.newestFirst[index] as EmulatedSession;
      if (visibilityAt(session, query.nowMs, query.rules) !== query.state) continue;
      if (rawCount === query.maxResults) {
        return { sessions, nextCursor: cursorOf(lastRaw as EmulatedSession) };
      }
      rawCount += 1;
      lastRaw = session;
      if (matchesCriteria(session, query.criteria, query.nowMs)) sessions.push(session);
    }
    return { sessions, nextCursor: undefined };
  }

  /** Whether any session entered or left `state` between the two instants. */
  changedBetween(state: SessionState, fromMs: number, toMs: number, rules: VisibilityRules): boolean {
    return this.newestFirst.some((session) => (visibilityAt(session, fromMs, rules) === state) !== (visibilityAt(session, toMs, rules) === state));
  }

  /** Moves a page's start over `shift` counted sessions: forward (skip) or back (repeat), never below `lowest`. */
  private shifted(start: number, lowest: number, shift: number, counted: (session: EmulatedSession) => boolean): number {
    let index = start;
    let left = Math.abs(shift);
    if (shift > 0) {
      for (; index < this.newestFirst.length && left > 0; index += 1) if (counted(this.newestFirst[index] as EmulatedSession)) left -= 1;
    } else {
      while (index > lowest && left > 0) {
        index -= 1;
        if (counted(this.newestFirst[index] as EmulatedSession)) left -= 1;
      }
    }
    return index;
  }

  private matches(session: EmulatedSession, query: PageQuery): boolean {
    return visibilityAt(session, query.nowMs, query.rules) === query.state && matchesCriteria(session, query.criteria, query.nowMs);
  }

  /** First index whose session sorts strictly after the cursor. */
  private firstIndexAfter(cursor: PageCursor): number {
    return this.firstIndexWhere((session) => compareNewestFirst(session, cursor) > 0);
  }

  /** First index with startMs <= ms (sessions that have started by ms). */
  private firstIndexStartingAtOrBefore(ms: number): number {
    return this.firstIndexWhere((session) => session.startMs <= ms);
  }

  /** First index with startMs < ms. */
  private firstIndexStartingBefore(ms: number): number {
    return this.firstIndexWhere((session) => session.startMs < ms);
  }

  /** Binary search for the first index where a predicate, monotone along the order, turns true. */
  private firstIndexWhere(predicate: (session: EmulatedSession) => boolean): number {
    let low = 0;
    let high = this.newestFirst.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (predicate(this.newestFirst[middle] as EmulatedSession)) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

export function matchesCriteria(session: EmulatedSession, criteria: FilterCriteria, nowMs: number): boolean {
  if (criteria.startAtOrAfterMs !== undefined && session.startMs < criteria.startAtOrAfterMs) return false;
  if (criteria.startBeforeMs !== undefined && session.startMs >= criteria.startBeforeMs) return false;
  if (!criteria.target.every((value) => value === session.target)) return false;
  if (!criteria.owner.every((value) => value === session.owner)) return false;
  if (!criteria.sessionId.every((value) => value === session.sessionId)) return false;
  if (!criteria.accessType.every((value) => value === session.accessType)) return false;
  if (criteria.status.length > 0) {
    const status = statusAt(session, nowMs);
    if (!criteria.status.every((value) => value === status)) return false;
  }
  return true;
}

function cursorOf(session: EmulatedSession): PageCursor {
  return { startMs: session.startMs, sessionId: session.sessionId };
}

function copySession(session: EmulatedSession): EmulatedSession {
  const copy: EmulatedSession = { ...session };
  if (session.outputUrl) copy.outputUrl = { ...session.outputUrl };
  return copy;
}
