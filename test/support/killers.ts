/** Stand-ins for a sweep killed mid-way: a source or a store that dies at a chosen point. */
import type { ArchiveStore, SessionSource, SourcePage } from '../../lambdas/core/sweep/ports';
import type { ObservedSession } from '../../lambdas/core/session/session';

export class KilledError extends Error {}

/** A source that dies after handing out `pages` pages, as a sweep killed mid-way would. */
export function dyingAfter(source: SessionSource, pages: number): SessionSource {
  let handed = 0;
  const guard = (iterable: AsyncIterable<ObservedSession[]>): AsyncIterable<ObservedSession[]> => ({
    async *[Symbol.asyncIterator]() {
      for await (const page of iterable) {
        if (handed++ >= pages) throw new KilledError(`killed after ${pages} pages`);
        yield page;
      }
    },
  });
  const guardPages = (iterable: AsyncIterable<SourcePage>): AsyncIterable<SourcePage> => ({
    async *[Symbol.asyncIterator]() {
      for await (const page of iterable) {
        if (handed++ >= pages) throw new KilledError(`killed after ${pages} pages`);
        yield page;
      }
    },
  });
  return {
    scope: source.scope,
    historyRetentionMs: source.historyRetentionMs,
    listActive: () => guard(source.listActive()),
    listHistory: (query) => guard(source.listHistory(query)),
    listHistoryPages: (query, token) => guardPages(source.listHistoryPages(query, token)),
    sourceClockOffsetMs: () => source.sourceClockOffsetMs(),
  };
}

/** A store that dies half-way through writing page number `page`. */
export function storeDyingAt(store: ArchiveStore, page: number): ArchiveStore {
  let pages = 0;
  return {
    ...delegate(store),
    archiveSessions: async (scope, sessions, now, options) => {
      if (pages++ === page) {
        await store.archiveSessions(scope, sessions.slice(0, Math.floor(sessions.length / 2)), now, options);
        throw new KilledError(`killed while writing page ${page}`);
      }
      return store.archiveSessions(scope, sessions, now, options);
    },
  };
}

/**
 * A store that dies at its `clear`-th outbox clear, after EventBridge took the events and before
 * the mark is removed: the one window in which an event is published twice (with the same
 * eventId). Dead means dead: every later call through it fails too, as in a killed process (the
 * clears already in flight complete, as requests already sent would).
 */
export function storeDyingBeforeClear(store: ArchiveStore, clear: number): ArchiveStore {
  let clears = 0;
  let dead = false;
  const alive = <T>(call: () => Promise<T>): Promise<T> => (dead ? Promise.reject(new KilledError('the sweep is dead')) : call());
  const base = delegate(store);
  return {
    archiveSessions: (scope, sessions, now, options) => alive(() => base.archiveSessions(scope, sessions, now, options)),
    listOpenSessions: (scope) => alive(() => base.listOpenSessions(scope)),
    markMissing: (scope, id, tracking) => alive(() => base.markMissing(scope, id, tracking)),
    acquireSweepLease: (scope, owner, now, until) => alive(() => base.acquireSweepLease(scope, owner, now, until)),
    releaseSweepLease: (scope, owner) => alive(() => base.releaseSweepLease(scope, owner)),
    markEndedUnobserved: (scope, id, now, seen, options) => alive(() => base.markEndedUnobserved(scope, id, now, seen, options)),
    loadSweepState: (scope) => alive(() => base.loadSweepState(scope)),
    saveSweepState: (scope, state, expected) => alive(() => base.saveSweepState(scope, state, expected)),
    listPendingEvents: (scope) => base.listPendingEvents(scope),
    claimPendingEvent: (scope, id, claim, nowMs) => alive(() => base.claimPendingEvent(scope, id, claim, nowMs)),
    releaseEventClaim: (scope, id, owner) => alive(() => base.releaseEventClaim(scope, id, owner)),
    clearPendingEvent: (scope, id, hash, owner) =>
      alive(async () => {
        if (clears++ === clear) {
          dead = true;
          throw new KilledError(`killed before clearing outbox mark ${clear}`);
        }
        return base.clearPendingEvent(scope, id, hash, owner);
      }),
  };
}

/** Every method of `store`, bound to it: a base to override one method of. */
export function delegate(store: ArchiveStore): ArchiveStore {
  return {
    archiveSessions: (scope, sessions, now, options) => store.archiveSessions(scope, sessions, now, options),
    listOpenSessions: (scope) => store.listOpenSessions(scope),
    markMissing: (scope, id, tracking) => store.markMissing(scope, id, tracking),
    acquireSweepLease: (scope, owner, now, until) => store.acquireSweepLease(scope, owner, now, until),
    releaseSweepLease: (scope, owner) => store.releaseSweepLease(scope, owner),
    markEndedUnobserved: (scope, id, now, seen, options) => store.markEndedUnobserved(scope, id, now, seen, options),
    loadSweepState: (scope) => store.loadSweepState(scope),
    saveSweepState: (scope, state, expected) => store.saveSweepState(scope, state, expected),
    listPendingEvents: (scope) => store.listPendingEvents(scope),
    claimPendingEvent: (scope, id, claim, nowMs) => store.claimPendingEvent(scope, id, claim, nowMs),
    clearPendingEvent: (scope, id, hash, owner) => store.clearPendingEvent(scope, id, hash, owner),
    releaseEventClaim: (scope, id, owner) => store.releaseEventClaim(scope, id, owner),
  };
}

