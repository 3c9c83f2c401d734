/**
 * The shapes the API answers with, as zod schemas: the OpenAPI document is generated from them and
 * the integration tests validate real responses against them, so the document describes what the
 * API actually sends.
 */
import * as z from 'zod/mini';
import { findingSchema } from '../compliance/finding';
import { ACCESS_TYPES, SESSION_STATUSES, type SessionRecord } from '../session/session';

const isoTime = (description: string) => z.string().check(z.meta({ description, format: 'date-time', example: '2026-01-15T09:30:00.000Z' }));
const described = (description: string) => z.string().check(z.meta({ description }));

export const sessionSchema = z.strictObject({
  sessionId: described('Session Manager session id.'),
  target: described('Instance or managed node the session connected to.'),
  status: z.string().check(z.meta({ description: `Last archived status (${SESSION_STATUSES.join(', ')}).`, example: 'Terminated' })),
  startDate: isoTime('When the session started.'),
  endDate: z.optional(isoTime('When the session ended; absent while it is open.')),
  documentName: z.optional(described('Session Manager document.')),
  owner: z.optional(described('Who started the session: the principal ARN (SSM) or the PrincipalId (Alibaba Cloud).')),
  reason: z.optional(described('Reason given when the session started.')),
  details: z.optional(described('Details reported by Session Manager.')),
  outputUrl: z.optional(
    z.strictObject({ s3OutputUrl: z.optional(z.string()), cloudWatchOutputUrl: z.optional(z.string()) }).check(z.meta({ description: 'Where the session log was written.' })),
  ),
  maxSessionDuration: z.optional(described('Maximum duration in minutes, when one was set.')),
  accessType: z.optional(z.string().check(z.meta({ description: `Access type (${ACCESS_TYPES.join(', ')}).` }))),
  instanceIds: z.optional(z.array(z.string()).check(z.meta({ description: 'Alibaba Cloud: every instance the connections reached, when more than one (target is the first).' }))),
  username: z.optional(described('Alibaba Cloud: user name of the identity (owner holds its PrincipalId).')),
  identityType: z.optional(described('Alibaba Cloud: identity type, e.g. RAMUser.')),
  clientIp: z.optional(described('Alibaba Cloud: client IP address.')),
  portNumber: z.optional(z.int().check(z.meta({ description: 'Alibaba Cloud: port of the connection (22 for SSH).' }))),
  targetServer: z.optional(described('Alibaba Cloud: address the session reached on the instance.')),
  connections: z.optional(
    z
      .array(
        z.strictObject({
          instanceId: described('Instance of this connection.'),
          startTime: z.optional(isoTime('When the connection started.')),
          endTime: z.optional(isoTime('When the connection ended.')),
          status: z.string().check(z.meta({ description: 'Connecting, Connected, Terminated or Failed.', example: 'Terminated' })),
          closedReason: z.optional(described('Why it closed.')),
          failedDetail: z.optional(described('Why it failed.')),
        }),
      )
      .check(z.meta({ description: 'Alibaba Cloud: the connections of the session (reconnects add more).' })),
  ),
  accountId: described('Account the session ran in: an AWS account id, or an Alibaba Cloud account label.'),
  region: described('Region the session ran in (AWS or Alibaba Cloud).'),
  source: described('Source that reported the session (ssm, alibaba).'),
  firstArchivedAt: isoTime('When the archive first stored the session; never changes.'),
  lastSeenAt: isoTime('When a sweep last wrote a change of the session.'),
  endedUnobservedAt: z.optional(
    isoTime('Set when the session vanished from the source before its final state could be read; status is then the last one seen.'),
  ),
  evidenceHash: z.optional(
    z.string().check(z.meta({ description: 'Hex SHA-256 of this state in canonical JSON (docs/evidence.md); absent when the archive keeps no evidence.' })),
  ),
  evidenceSequence: z.optional(
    z.int().check(z.meta({ description: 'Sequence number of the evidence object of this target that holds this state.', example: 42 })),
  ),
});

// The documented shape and the record must have the same fields: this fails to compile when they drift.
type DocumentedFields = keyof z.infer<typeof sessionSchema>;
type Drift = Exclude<keyof SessionRecord, DocumentedFields> | Exclude<DocumentedFields, keyof SessionRecord>;
const sessionSchemaMatchesRecord: [Drift] extends [never] ? true : Drift = true;
void sessionSchemaMatchesRecord;

export const sessionsPageSchema = z.strictObject({
  sessions: z.array(sessionSchema),
  nextToken: z.optional(described('Present when more may follow: pass it back, with the same filters and order, for the next page.')),
});

export const findingsPageSchema = z.strictObject({
  findings: z.array(findingSchema),
  nextToken: z.optional(described('Present when more may follow: pass it back, with the same filters and order, for the next page.')),
});

const range = z.strictObject({ from: isoTime('Start (inclusive).'), to: isoTime('End (exclusive).') });
const nullableIso = (description: string) => z.nullable(isoTime(description));

export const coverageReportSchema = z.strictObject({
  generatedAt: isoTime('When this report was made.'),
  sources: z.array(
    z.strictObject({
      source: described('Source (ssm, alibaba).'),
      accountId: described('AWS account.'),
      region: described('AWS Region.'),
      watermark: nullableIso('Every session that started before this is archived in its final state.'),
      watermarkAgeSeconds: z.nullable(z.int().check(z.meta({ description: 'Seconds between the watermark and generatedAt.' }))),
      listedUntil: nullableIso('Start of the last sweep that listed the source completely.'),
      coverage: z.array(range).check(z.meta({ description: 'StartDate ranges listed completely by incremental sweeps: every session seen there is archived.' })),
      confirmed: z
        .array(range)
        .check(z.meta({ description: 'Parts of coverage that a reconciliation listed again after they were complete: a session missing there can only be in a gap.' })),
      confirmedUntil: nullableIso('End of the last confirmed range ("confirmed up to").'),
      lastReconciledAt: nullableIso('When the last complete reconciliation began, in the source\'s time.'),
      gaps: z
        .array(z.strictObject({ from: isoTime('Start (inclusive).'), to: isoTime('End (exclusive).'), detectedAt: isoTime('When the gap was found.') }))
        .check(z.meta({ description: 'Ranges the source dropped before a sweep could read them: sessions there are lost.' })),
      lastSweep: z.nullable(
        z.strictObject({
          startedAt: isoTime('Start of the last sweep.'),
          finishedAt: isoTime('End of the last sweep.'),
          complete: z.boolean(),
          sessionsWritten: z.int(),
        }),
      ),
      lastCompletedAt: nullableIso('When a sweep last finished the whole range.'),
      lastError: z.nullable(
        z
          .strictObject({
            kind: z.string().check(z.meta({ description: 'What failed, e.g. AccessDenied, RoleMissing, RegionDisabled, Throttled.', example: 'AccessDenied' })),
            message: described('What the failure said.'),
            since: isoTime('When the target began failing.'),
          })
          .check(z.meta({ description: "The target's last failure; null once a sweep of it succeeds." })),
      ),
    }),
  ),
});

export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string().check(z.meta({ description: 'Stable, machine-readable.', example: 'InvalidParameter' })),
    message: z.string().check(z.meta({ description: 'What was wrong, naming the parameter.', example: "parameter 'limit' must be between 1 and 1000 (got '5000')" })),
  }),
});
