/** Stand-ins for a sweep killed mid-way: a source or a store that dies at a chosen point. */
import type { ArchiveStore, SessionSource } from '../../lambdas/core/ports';
import type { ObservedSession } from '../../lambdas/core/session';

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
  return {
    scope: source.scope,
    historyRetentionMs: source.historyRetentionMs,
    listActive: () => guard(source.listActive()),
    listHistory: (query) => guard(source.listHistory(query)),
    findEnded: (id) => source.findEnded(id),
  };
}

/** A store that dies half-way through writing page number `page`. */
export function storeDyingAt(store: ArchiveStore, page: number): ArchiveStore {
  let pages = 0;
  return {
    listOpenSessions: (scope) => store.listOpenSessions(scope),
    markEndedUnobserved: (scope, id, now) => store.markEndedUnobserved(scope, id, now),
    loadSweepState: (scope) => store.loadSweepState(scope),
    saveSweepState: (scope, state, expected) => store.saveSweepState(scope, state, expected),
    archiveSessions: async (scope, sessions, now) => {
      if (pages++ === page) {
        await store.archiveSessions(scope, sessions.slice(0, Math.floor(sessions.length / 2)), now);
        throw new KilledError(`killed while writing page ${page}`);
      }
      return store.archiveSessions(scope, sessions, now);
    },
  };
}

