/**
 * What verify reports (docs/evidence.md, "Verify and restore"): every record that was changed,
 * deleted or inserted behind the sweeper's back, and every evidence object whose place in its
 * chain does not hold. One finding names one record or one object, never a guess at both.
 */
import { INTEGRITY_VIOLATION_KINDS } from '../events/detail-schemas';
import type { SessionRecord } from '../session/session';

export type FindingKind = (typeof INTEGRITY_VIOLATION_KINDS)[number];

/** Kinds about a record of the archive; the others are about an evidence object. */
export const RECORD_KINDS: ReadonlySet<FindingKind> = new Set(['changed', 'deleted', 'inserted']);

export interface IntegrityFinding {
  kind: FindingKind;
  /** The target key, `ssm#123456789012#eu-west-1`. */
  target: string;
  /** Record kinds: the session. */
  sessionId?: string;
  /** Object kinds: the sequence number and the store key of the object. */
  sequence?: number;
  key?: string;
  message: string;
}

/** A record as the API serves it: the state, plus the hash and sequence of its evidence. */
export type ArchivedRecord = SessionRecord & { evidenceHash?: string; evidenceSequence?: number };

/** Which records verify compares: by the session's start (like `query`), and by target. */
export interface VerifyFilter {
  /** Inclusive, ISO-8601. */
  from?: string;
  /** Exclusive, ISO-8601. */
  to?: string;
  /** One target key. */
  target?: string;
}

export interface ChainSummary {
  target: string;
  objects: number;
  /** The highest sequence found. */
  lastSequence: number;
  keyIds: string[];
}

export interface VerifyReport {
  /** True only when nothing was found. */
  ok: boolean;
  checkedAt: string;
  filter: VerifyFilter;
  chains: ChainSummary[];
  evidenceObjects: number;
  /** States of the evidence inside the filter. */
  evidenceStates: number;
  /** Records of the archive inside the filter. */
  records: number;
  counts: Partial<Record<FindingKind, number>>;
  findings: IntegrityFinding[];
}

export function countByKind(findings: readonly IntegrityFinding[]): Partial<Record<FindingKind, number>> {
  const counts: Partial<Record<FindingKind, number>> = {};
  for (const finding of findings) counts[finding.kind] = (counts[finding.kind] ?? 0) + 1;
  return counts;
}

/** Whether a record's start and target fall inside the filter. */
export function inFilter(filter: VerifyFilter, target: string, startDate: string): boolean {
  if (filter.target !== undefined && filter.target !== target) return false;
  if (filter.from !== undefined && startDate < filter.from) return false;
  if (filter.to !== undefined && startDate >= filter.to) return false;
  return true;
}
