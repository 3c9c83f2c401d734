/**
 * What the compliance check needs from the archive: the archived session itself (the event only
 * names it), findings written once, and their outbox mark.
 */
import type { SessionRecord, SourceScope } from '../session/session';
import type { ComplianceFinding } from './finding';

/** One session of one source scope: the archive table's key of a session item. */
export interface ArchivedSessionKey extends SourceScope {
  sessionId: string;
}

export interface ArchivedSessionReader {
  /** The session as the archive holds it now (a strongly consistent read), or undefined. */
  getArchivedSession(key: ArchivedSessionKey): Promise<SessionRecord | undefined>;
}

export interface StoredFinding {
  /** The finding as stored: the earlier one when it already existed. */
  finding: ComplianceFinding;
  /** True when this call stored it. */
  created: boolean;
  /** Its `Session Compliance Finding` event was delivered. */
  published: boolean;
}

export interface FindingStore {
  /** Stores the finding unless one with its id exists (a conditional put): never twice. */
  recordFinding(finding: ComplianceFinding): Promise<StoredFinding>;
  /** Its event was delivered: clears the outbox mark. */
  markPublished(finding: ComplianceFinding): Promise<void>;
}
