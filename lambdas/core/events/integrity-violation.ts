/** `Archive Integrity Violation`: one event per verify run that found anything (docs/events.md). */
import type { VerifyReport } from '../evidence/verify-findings';
import type { ArchiveIntegrityViolationDetail } from './detail-schemas';
import { DETAIL_TYPE, EVENT_SCHEMA_VERSION, type ArchiveEvent } from './event-types';

/** Violations listed in the event; the rest are counted (EventBridge takes 256 KB an entry). */
export const MAX_LISTED_VIOLATIONS = 50;
const MAX_MESSAGE = 500;

export function integrityViolationEvent(report: VerifyReport): ArchiveEvent {
  const listed = report.findings.slice(0, MAX_LISTED_VIOLATIONS).map((finding) => ({ ...finding, message: finding.message.slice(0, MAX_MESSAGE) }));
  const detail: ArchiveIntegrityViolationDetail = {
    version: EVENT_SCHEMA_VERSION,
    verificationId: `verify@${report.checkedAt}`,
    checkedAt: report.checkedAt,
    targets: report.chains.length,
    evidenceObjects: report.evidenceObjects,
    records: report.records,
    counts: report.counts,
    violations: listed,
    omitted: report.findings.length - listed.length,
  };
  return { id: detail.verificationId, detailType: DETAIL_TYPE.archiveIntegrityViolation, time: report.checkedAt, detail };
}
