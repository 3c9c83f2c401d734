/**
 * The compliance check itself: a pure function of one archived session and the rules. Each rule
 * looks only at fields that never change once a session started (owner, target, document, reason,
 * access type, start), except the duration, which is measured once the session has ended: an open
 * session has no duration finding yet (its end is what decides, and it arrives as a new event).
 */
import type { SessionRecord } from '../session/session';
import { fromIso } from '../shared/time';
import type { RuleBreach } from './finding';
import { isOffHours, wallClock } from './off-hours';
import type { CompiledRules } from './rules';

export function evaluate(session: SessionRecord, rules: CompiledRules): RuleBreach[] {
  const breaches: RuleBreach[] = [];
  // Rules limited to some sources (e.g. reasons and documents exist in SSM only) leave the others alone.
  if (rules.sources !== undefined && !rules.sources.has(session.source)) return breaches;

  if (rules.maxDurationMinutes !== undefined && session.endDate !== undefined) {
    const minutes = (fromIso(session.endDate) - fromIso(session.startDate)) / 60_000;
    if (minutes > rules.maxDurationMinutes) {
      breaches.push({ rule: 'max-duration', message: `the session lasted ${formatMinutes(minutes)} minutes; the maximum is ${rules.maxDurationMinutes}` });
    }
  }

  if (rules.reasonRequired && (session.reason === undefined || session.reason.trim() === '')) {
    breaches.push({ rule: 'reason-required', message: 'the session was started without a reason' });
  }

  if (rules.allowedOwner !== undefined) {
    if (session.owner === undefined) breaches.push({ rule: 'owner-not-allowed', message: 'the session reports no owner, so it cannot be an allowed one' });
    else if (!rules.allowedOwner.test(session.owner)) {
      breaches.push({ rule: 'owner-not-allowed', message: `owner ${session.owner} does not match the allowed owner pattern` });
    }
  }

  if (session.documentName !== undefined && rules.forbiddenDocuments.has(session.documentName)) {
    breaches.push({ rule: 'forbidden-document', message: `the session used the forbidden document ${session.documentName}` });
  }

  if (session.accessType !== 'JustInTime' && rules.justInTimeOnlyTargets.some((pattern) => pattern.test(session.target))) {
    breaches.push({
      rule: 'just-in-time-required',
      message: `target ${session.target} allows only JustInTime access; the session's access type was ${session.accessType ?? 'not reported'}`,
    });
  }

  if (rules.offHours !== undefined) {
    const started = fromIso(session.startDate);
    if (isOffHours(started, rules.offHours)) {
      breaches.push({ rule: 'off-hours', message: `the session started during off-hours, at ${wallClock(started, rules.offHours.timeZone).text}` });
    }
  }
  return breaches;
}

function formatMinutes(minutes: number): string {
  return Number.isInteger(minutes) ? String(minutes) : minutes.toFixed(1);
}
