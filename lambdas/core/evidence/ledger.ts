/**
 * What the archive table keeps about each target's evidence chain (docs/evidence.md, "Write
 * path"): the chain head, and a journal of the sessions written under a reserved sequence, so
 * that a sweep killed before it wrote its object leaves enough behind for the next one to write it.
 */
import type { SessionRecord, SourceScope } from '../session/session';

/** One per target; saved only by a versioned put, so two writers never both extend the chain. */
export interface EvidenceChainHead {
  /** Sequence of the last object written; 0 before the first. */
  lastSequence: number;
  /** objectHash of that object; null before the first. */
  lastHash: string | null;
  /** Key that signed that object. */
  keyId: string | null;
  /**
   * Reserved by a sweep that is storing states under it: lastSequence + 1 while its object is
   * owed, null when nothing is. A head found reserved at the start of a sweep was left by a killed one.
   */
  reservedSequence: number | null;
  /** When the reservation was made (ISO), for the logs. */
  reservedAt: string | null;
  /** Optimistic lock: 0 while the item does not exist. */
  version: number;
}

export const EMPTY_CHAIN_HEAD: EvidenceChainHead = { lastSequence: 0, lastHash: null, keyId: null, reservedSequence: null, reservedAt: null, version: 0 };

export interface EvidenceLedger {
  loadChainHead(scope: SourceScope): Promise<EvidenceChainHead | undefined>;
  /** Saves only while the stored version still equals `expectedVersion`; false when another writer saved first. */
  saveChainHead(scope: SourceScope, head: EvidenceChainHead, expectedVersion: number): Promise<boolean>;
  /** Notes, before they are written, the sessions a write under `sequence` is about to store (entry `entry` of it). */
  journal(scope: SourceScope, sequence: number, entry: number, sessionIds: readonly string[]): Promise<void>;
  /** The session ids journalled under `sequence`, in the order they were noted (repeats removed). */
  journalled(scope: SourceScope, sequence: number): Promise<string[]>;
  /** Removes every journal entry of sequences up to `sequence`, once their object is written. */
  clearJournal(scope: SourceScope, sequence: number): Promise<void>;
  /** The records as stored now (consistent read); ids without a record are left out. */
  readRecords(scope: SourceScope, sessionIds: readonly string[]): Promise<SessionRecord[]>;
  /** Sets a record's evidenceHash, only while it still carries `sequence` (no newer state replaced it). */
  setEvidenceHash(scope: SourceScope, sessionId: string, sequence: number, hash: string): Promise<boolean>;
}
