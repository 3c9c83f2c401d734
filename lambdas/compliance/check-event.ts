/**
 * The compliance check as a function of one EventBridge event: the envelope is validated at the
 * edge (source, detail type, and the detail against its schema), then the core runs. The Lambda
 * handler and the local in-process bus both call this.
 */
import * as z from 'zod/mini';
import { checkArchivedSession, type ComplianceCheckDeps, type ComplianceCheckOutcome } from '../core/compliance/check-session';
import { sessionArchivedDetailSchema, type SessionArchivedDetail } from '../core/events/detail-schemas';
import { DETAIL_TYPE, EVENT_SOURCE } from '../core/events/event-types';

/** Not a `Session Archived` event this version understands: retrying will not help, the DLQ keeps it. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

// A loose envelope: EventBridge adds fields (account, region, resources …) we do not need.
const envelopeSchema = z.object({
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.literal(DETAIL_TYPE.sessionArchived),
  detail: sessionArchivedDetailSchema,
});

export function parseSessionArchivedEvent(event: unknown): SessionArchivedDetail {
  const result = z.safeParse(envelopeSchema, event);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 10).map((issue) => `${issue.path.map(String).join('.') || '(event)'}: ${issue.message}`);
    throw new InvalidEventError(`not a Session Archived event of version 1: ${problems.join('; ')}`);
  }
  return result.data.detail;
}

export type ComplianceCheck = (event: unknown) => Promise<ComplianceCheckOutcome>;

export function createComplianceCheck(deps: ComplianceCheckDeps): ComplianceCheck {
  return (event) => checkArchivedSession(parseSessionArchivedEvent(event), deps);
}
