/**
 * A compliance finding: one rule one session broke. Its id is derived from the session and the
 * rule alone, so however often the session's events arrive (a new status, a re-delivery), the same
 * breach is one finding. The JSON shape is the same in the API, the CSV and the event.
 */
import * as z from 'zod/mini';
import { scopeKey, type SessionRecord } from '../session/session';
import { RULE_IDS, type RuleId } from './rules';

const isoTime = (description: string) => z.string().check(z.meta({ description, format: 'date-time', example: '2026-01-15T09:30:00.000Z' }));
const described = (description: string) => z.string().check(z.meta({ description }));

export const findingSchema = z.strictObject({
  findingId: described('Stable id: <source>#<accountId>#<region>#<sessionId>#<rule>. One per session and rule, ever.'),
  rule: z.enum(RULE_IDS).check(z.meta({ description: 'The rule broken.' })),
  message: described('What was found, with the values that broke the rule.'),
  detectedAt: isoTime('When the check first found it.'),
  sourceEventId: described('eventId (<sessionId>#<contentHash>) of the archived state that was checked: the check reads the session from the archive, never from the event.'),
  sessionId: described('Session Manager session id.'),
  target: described('Instance or managed node of the session.'),
  status: described('Session status when checked.'),
  startDate: isoTime('When the session started.'),
  endDate: z.optional(isoTime('When the session ended; absent while it was open.')),
  owner: z.optional(described('ARN of the principal that started the session.')),
  documentName: z.optional(described('Session Manager document.')),
  accessType: z.optional(described('Standard or JustInTime.')),
  reason: z.optional(described('Reason given when the session started.')),
  accountId: described('AWS account of the session.'),
  region: described('AWS Region of the session.'),
  source: described('Source that reported the session (ssm).'),
});

export type ComplianceFinding = z.infer<typeof findingSchema>;

/** The breach itself, before it is dated and tied to an event. */
export interface RuleBreach {
  rule: RuleId;
  message: string;
}

export function findingIdOf(session: Pick<SessionRecord, 'sessionId' | 'source' | 'accountId' | 'region'>, rule: RuleId): string {
  return `${scopeKey(session)}#${session.sessionId}#${rule}`;
}

export function toFinding(breach: RuleBreach, session: SessionRecord, sourceEventId: string, detectedAt: string): ComplianceFinding {
  // Fields in the schema's order, so the JSON reads the same in the API, the CSV and the event.
  return {
    findingId: findingIdOf(session, breach.rule),
    rule: breach.rule,
    message: breach.message,
    detectedAt,
    sourceEventId,
    sessionId: session.sessionId,
    target: session.target,
    status: session.status,
    startDate: session.startDate,
    ...(session.endDate === undefined ? {} : { endDate: session.endDate }),
    ...(session.owner === undefined ? {} : { owner: session.owner }),
    ...(session.documentName === undefined ? {} : { documentName: session.documentName }),
    ...(session.accessType === undefined ? {} : { accessType: session.accessType }),
    ...(session.reason === undefined ? {} : { reason: session.reason }),
    accountId: session.accountId,
    region: session.region,
    source: session.source,
  };
}
