/**
 * The detail of every event, as zod schemas: docs/events.md describes them, the tests validate
 * what the sweeper and the check really publish against them, and the compliance function parses
 * its input with them. The session in `Session Archived` is the query API's Session JSON.
 */
import * as z from 'zod/mini';
import { findingSchema } from '../compliance/finding';
import { sessionSchema } from '../query/response-schemas';
import { EVENT_SCHEMA_VERSION } from './event-types';

const version = z.literal(EVENT_SCHEMA_VERSION);
const isoTime = z.string().check(z.iso.datetime());
const count = z.int().check(z.minimum(0));

/** Optional text fields that may be cut to fit EventBridge's 256 KB entry limit. */
export const TRIMMABLE_SESSION_FIELDS = ['details', 'reason'] as const;

export const sessionArchivedDetailSchema = z.strictObject({
  version,
  /** `<sessionId>#<contentHash>`: the same archived state always has the same id. */
  eventId: z.string().check(z.minLength(1)),
  contentHash: z.string().check(z.minLength(1)),
  /** The session reached Terminated or Failed: it will not change again. */
  final: z.boolean(),
  session: sessionSchema,
  /** Fields shortened (or removed) to fit the entry limit; absent when nothing was. */
  truncated: z.optional(z.array(z.enum(TRIMMABLE_SESSION_FIELDS))),
});
export type SessionArchivedDetail = z.infer<typeof sessionArchivedDetailSchema>;

export const sweepCompletedDetailSchema = z.strictObject({
  version,
  /** `<source>#<accountId>#<region>@<startedAt>`. */
  sweepId: z.string(),
  source: z.string(),
  accountId: z.string(),
  region: z.string(),
  startedAt: isoTime,
  finishedAt: isoTime,
  durationMs: count,
  /** False when the sweep stopped before listing its whole range; the next one continues. */
  complete: z.boolean(),
  stoppedEarly: z.optional(z.literal('time-budget')),
  sessionsSeen: count,
  sessionsWritten: count,
  sessionsUnchanged: count,
  openSessions: count,
  unresolvedOpen: count,
  previousWatermark: z.nullable(isoTime),
  watermark: z.nullable(isoTime),
  gapsFound: count,
  /** `Session Archived` events this sweep delivered, and those it left for a later sweep. */
  sessionEvents: z.strictObject({ published: count, undelivered: count }),
});
export type SweepCompletedDetail = z.infer<typeof sweepCompletedDetailSchema>;

export const coverageGapDetailSchema = z.strictObject({
  version,
  /** `<source>#<accountId>#<region>#<from>#<to>`. */
  gapId: z.string(),
  source: z.string(),
  accountId: z.string(),
  region: z.string(),
  /** Sessions that started in [from, to) and ended were dropped by the source before any sweep read them. */
  from: isoTime,
  to: isoTime,
  durationSeconds: count,
  detectedAt: isoTime,
});
export type CoverageGapDetail = z.infer<typeof coverageGapDetailSchema>;

export const targetSweepFailedDetailSchema = z.strictObject({
  version,
  /** `<source>#<accountId>#<region>#<kind>#<since>`: the same failure keeps its id while it repeats. */
  failureId: z.string(),
  source: z.string(),
  accountId: z.string(),
  region: z.string(),
  /** role-missing | access-denied | region-disabled | throttled | failed */
  kind: z.string(),
  message: z.string(),
  /** When this kind of failure began for the target. */
  since: isoTime,
  /** This attempt. */
  failedAt: isoTime,
});
export type TargetSweepFailedDetail = z.infer<typeof targetSweepFailedDetailSchema>;

export const complianceFindingDetailSchema = z.strictObject({
  version,
  finding: findingSchema,
});
export type ComplianceFindingDetail = z.infer<typeof complianceFindingDetailSchema>;

/** What one verify run found wrong: the kinds of lambdas/core/evidence/verify-findings.ts. */
export const INTEGRITY_VIOLATION_KINDS = ['changed', 'deleted', 'inserted', 'missing', 'reordered', 'altered', 'unsigned', 'unknown-key', 'undecodable'] as const;

export const archiveIntegrityViolationDetailSchema = z.strictObject({
  version,
  /** `verify@<checkedAt>`: one per verify run. */
  verificationId: z.string().check(z.minLength(1)),
  checkedAt: isoTime,
  /** What the run walked. */
  targets: count,
  evidenceObjects: count,
  records: count,
  /** Violations by kind; only kinds that occurred. */
  counts: z.partialRecord(z.enum(INTEGRITY_VIOLATION_KINDS), count),
  /** The first violations found (at most 50, to fit the entry limit); `omitted` says how many more. */
  violations: z.array(
    z.strictObject({
      kind: z.enum(INTEGRITY_VIOLATION_KINDS),
      target: z.string(),
      sessionId: z.optional(z.string()),
      sequence: z.optional(count),
      key: z.optional(z.string()),
      message: z.string(),
    }),
  ),
  omitted: count,
});
export type ArchiveIntegrityViolationDetail = z.infer<typeof archiveIntegrityViolationDetailSchema>;
