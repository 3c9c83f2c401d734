/** What the compliance check needs from the archive: findings written once, and their outbox mark. */
import type { ComplianceFinding } from './finding';

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
