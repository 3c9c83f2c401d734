/**
 * The archive store as a sweep under evidence sees it: every write goes through the target's
 * evidence (the sequence reserved and journalled first, each state noted as stored). Any sweep,
 * whatever its source, gets evidence by being handed this store.
 */
import type { ArchiveStore } from '../sweep/ports';
import type { TargetEvidence } from './target-evidence';

export function evidenceRecordingStore(store: ArchiveStore, evidence: TargetEvidence): ArchiveStore {
  const hook = { beforeWrite: (sessionIds: readonly string[]) => evidence.reserve(sessionIds) };
  return {
    archiveSessions: async (scope, sessions, now, options) => {
      const outcome = await store.archiveSessions(scope, sessions, now, { ...options, evidence: hook });
      await evidence.record(outcome.written);
      return outcome;
    },
    markEndedUnobserved: async (scope, id, now, seen, options) => {
      const record = await store.markEndedUnobserved(scope, id, now, seen, { ...options, evidence: hook });
      if (record) await evidence.record([record]);
      return record;
    },
    listOpenSessions: (scope) => store.listOpenSessions(scope),
    markMissing: (scope, id, tracking) => store.markMissing(scope, id, tracking),
    loadSweepState: (scope) => store.loadSweepState(scope),
    acquireSweepLease: (scope, owner, now, until) => store.acquireSweepLease(scope, owner, now, until),
    releaseSweepLease: (scope, owner) => store.releaseSweepLease(scope, owner),
    saveSweepState: (scope, state, expected) => store.saveSweepState(scope, state, expected),
    listPendingEvents: (scope) => store.listPendingEvents(scope),
    claimPendingEvent: (scope, id, claim, nowMs) => store.claimPendingEvent(scope, id, claim, nowMs),
    clearPendingEvent: (scope, id, hash, owner) => store.clearPendingEvent(scope, id, hash, owner),
    releaseEventClaim: (scope, id, owner) => store.releaseEventClaim(scope, id, owner),
  };
}
