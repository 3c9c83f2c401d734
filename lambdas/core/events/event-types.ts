/**
 * The events Session Archive puts on EventBridge: source `session-archive`, one detail type per
 * kind of fact, every detail with a `version`. docs/events.md documents each one; the zod schemas
 * in detail-schemas.ts are the contract the tests and the compliance check hold them to.
 */
export const EVENT_SOURCE = 'session-archive';

export const DETAIL_TYPE = {
  sessionArchived: 'Session Archived',
  sweepCompleted: 'Sweep Completed',
  coverageGapDetected: 'Coverage Gap Detected',
  complianceFinding: 'Session Compliance Finding',
  targetSweepFailed: 'Target Sweep Failed',
  archiveIntegrityViolation: 'Archive Integrity Violation',
} as const;
export type DetailType = (typeof DETAIL_TYPE)[keyof typeof DETAIL_TYPE];

/** Bumped when a detail changes incompatibly; consumers match on it. */
export const EVENT_SCHEMA_VERSION = 1;

/** One event as the core hands it to an `EventSink`. */
export interface ArchiveEvent {
  /**
   * What the event reports, stably: the same fact always gets the same id (also in the detail), so
   * a consumer that sees it twice can drop the repeat. Not EventBridge's own event id.
   */
  id: string;
  detailType: DetailType;
  /** When the fact happened, ISO-8601; EventBridge's `time`. */
  time: string;
  /** Serialised as the entry's `Detail`. */
  detail: { version: number } & Record<string, unknown>;
}
