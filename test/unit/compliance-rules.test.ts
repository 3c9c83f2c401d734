/**
 * The compliance rules, one at a time: for each, a session that complies and one that does not;
 * then the configuration's validation, which names every problem at once.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../lambdas/core/compliance/evaluate';
import { isOffHours, wallClock } from '../../lambdas/core/compliance/off-hours';
import { ComplianceConfigError, enabledRules, parseComplianceRules, type ComplianceRules } from '../../lambdas/core/compliance/rules';
import type { SessionRecord } from '../../lambdas/core/session/session';

/** A Tuesday-morning session in Berlin that breaks nothing. */
function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: 'alice-0123456789abcdef0',
    target: 'i-0123456789abcdef0',
    status: 'Terminated',
    startDate: '2026-03-10T09:00:00.000Z',
    endDate: '2026-03-10T09:45:00.000Z',
    documentName: 'SSM-SessionManagerRunShell',
    owner: 'arn:aws:sts::123456789012:assumed-role/OnCallResponder/alice',
    reason: 'Rotate TLS certificates (INC-20931)',
    accessType: 'Standard',
    accountId: '123456789012',
    region: 'eu-west-1',
    source: 'ssm',
    firstArchivedAt: '2026-03-10T10:00:00.000Z',
    lastSeenAt: '2026-03-10T10:00:00.000Z',
    ...overrides,
  };
}

const rulesBroken = (config: ComplianceRules, record: SessionRecord) => evaluate(record, parseComplianceRules(config)).map((breach) => breach.rule);

describe('max-duration', () => {
  const rules = { maxDurationMinutes: 60 };

  it('complies: 45 minutes against a maximum of 60', () => {
    expect(rulesBroken(rules, session())).toEqual([]);
  });

  it('complies at exactly the maximum', () => {
    expect(rulesBroken(rules, session({ endDate: '2026-03-10T10:00:00.000Z' }))).toEqual([]);
  });

  it('breaks: 61 minutes, and the message gives both numbers', () => {
    const [breach] = evaluate(session({ endDate: '2026-03-10T10:01:00.000Z' }), parseComplianceRules(rules));
    expect(breach).toEqual({ rule: 'max-duration', message: 'the session lasted 61 minutes; the maximum is 60' });
  });

  it('says nothing about an open session: its end decides, and arrives as a new event', () => {
    const open = session({ status: 'Connected', startDate: '2026-03-01T00:00:00.000Z' });
    delete open.endDate;
    expect(rulesBroken(rules, open)).toEqual([]);
  });
});

describe('reason-required', () => {
  const rules = { reasonRequired: true };

  it('complies: a reason was given', () => {
    expect(rulesBroken(rules, session())).toEqual([]);
  });

  it('breaks: no reason', () => {
    const record = session();
    delete record.reason;
    expect(rulesBroken(rules, record)).toEqual(['reason-required']);
  });

  it('breaks: a reason of blanks', () => {
    expect(rulesBroken(rules, session({ reason: ' \t ' }))).toEqual(['reason-required']);
  });

  it('is off with reasonRequired: false', () => {
    const record = session();
    delete record.reason;
    expect(rulesBroken({ reasonRequired: false }, record)).toEqual([]);
  });
});

describe('owner-not-allowed', () => {
  const rules = { allowedOwnerPattern: 'arn:aws:sts::123456789012:assumed-role/(OnCallResponder|BreakGlassAdmin)/[a-z]+' };

  it('complies: the owner matches the pattern', () => {
    expect(rulesBroken(rules, session())).toEqual([]);
  });

  it('breaks: another role', () => {
    expect(rulesBroken(rules, session({ owner: 'arn:aws:sts::123456789012:assumed-role/DevOpsEngineer/bob' }))).toEqual(['owner-not-allowed']);
  });

  it('matches the whole ARN, so a look-alike with more around it breaks', () => {
    const lookAlike = 'arn:aws:sts::123456789012:assumed-role/OnCallResponder/alice/../../admin';
    expect(rulesBroken(rules, session({ owner: lookAlike }))).toEqual(['owner-not-allowed']);
    expect(rulesBroken(rules, session({ owner: `x${session().owner}` }))).toEqual(['owner-not-allowed']);
  });

  it('breaks: no owner reported', () => {
    const record = session();
    delete record.owner;
    expect(rulesBroken(rules, record)).toEqual(['owner-not-allowed']);
  });
});

describe('forbidden-document', () => {
  const rules = { forbiddenDocuments: ['AWS-StartPortForwardingSessionToRemoteHost', 'AWS-StartInteractiveCommand'] };

  it('complies: an allowed document', () => {
    expect(rulesBroken(rules, session())).toEqual([]);
  });

  it('breaks: a forbidden document, named in the message', () => {
    const [breach] = evaluate(session({ documentName: 'AWS-StartInteractiveCommand' }), parseComplianceRules(rules));
    expect(breach).toEqual({ rule: 'forbidden-document', message: 'the session used the forbidden document AWS-StartInteractiveCommand' });
  });

  it('matches names exactly', () => {
    expect(rulesBroken(rules, session({ documentName: 'AWS-StartInteractiveCommandX' }))).toEqual([]);
  });
});

describe('just-in-time-required', () => {
  const rules = { justInTimeOnlyTargets: ['i-0aaaaaaaaaaaaaaaa', 'mi-prod-*'] };

  it('complies: JustInTime access to a protected target', () => {
    expect(rulesBroken(rules, session({ target: 'i-0aaaaaaaaaaaaaaaa', accessType: 'JustInTime' }))).toEqual([]);
  });

  it('complies: Standard access to any other target', () => {
    expect(rulesBroken(rules, session({ target: 'i-0bbbbbbbbbbbbbbbb', accessType: 'Standard' }))).toEqual([]);
  });

  it('breaks: Standard access to a protected target', () => {
    expect(rulesBroken(rules, session({ target: 'i-0aaaaaaaaaaaaaaaa', accessType: 'Standard' }))).toEqual(['just-in-time-required']);
  });

  it('breaks: a target matched by a * pattern, and one whose access type is unknown', () => {
    expect(rulesBroken(rules, session({ target: 'mi-prod-db-01', accessType: 'Standard' }))).toEqual(['just-in-time-required']);
    const unknown = session({ target: 'mi-prod-db-01' });
    delete unknown.accessType;
    expect(rulesBroken(rules, unknown)).toEqual(['just-in-time-required']);
  });

  it('treats every other character of a pattern literally', () => {
    expect(rulesBroken({ justInTimeOnlyTargets: ['i-0a.b'] }, session({ target: 'i-0aXb', accessType: 'Standard' }))).toEqual([]);
  });
});

describe('off-hours', () => {
  const berlinEvenings = { offHours: { start: '20:00', end: '07:00', timeZone: 'Europe/Berlin', weekends: true } };

  it('complies: Tuesday 10:00 in Berlin (09:00 UTC in winter)', () => {
    expect(rulesBroken(berlinEvenings, session({ startDate: '2026-03-10T09:00:00.000Z' }))).toEqual([]);
  });

  it('breaks: Tuesday 21:15 in Berlin, and the message shows the local time', () => {
    const [breach] = evaluate(session({ startDate: '2026-03-10T20:15:00.000Z' }), parseComplianceRules(berlinEvenings));
    expect(breach).toEqual({ rule: 'off-hours', message: 'the session started during off-hours, at 2026-03-10 21:15 (Europe/Berlin)' });
  });

  it('runs past midnight: 06:59 is off-hours, 07:00 is not', () => {
    expect(rulesBroken(berlinEvenings, session({ startDate: '2026-03-10T05:59:00.000Z' }))).toEqual(['off-hours']);
    expect(rulesBroken(berlinEvenings, session({ startDate: '2026-03-10T06:00:00.000Z' }))).toEqual([]);
  });

  it('follows daylight saving: 19:30 UTC is 20:30 in Berlin in winter, 21:30 in summer; 18:30 UTC only in summer', () => {
    expect(rulesBroken(berlinEvenings, session({ startDate: '2026-01-13T19:30:00.000Z' }))).toEqual(['off-hours']);
    expect(rulesBroken(berlinEvenings, session({ startDate: '2026-01-13T18:30:00.000Z' }))).toEqual([]);
    expect(rulesBroken(berlinEvenings, session({ startDate: '2026-07-14T18:30:00.000Z' }))).toEqual(['off-hours']);
  });

  it('counts weekends in the window time zone: Friday 16:00 UTC is Saturday 01:00 in Tokyo', () => {
    const tokyoWeekends = { offHours: { start: '22:00', end: '23:00', timeZone: 'Asia/Tokyo', weekends: true } };
    // 2026-03-13 is a Friday; 2026-03-16 a Monday.
    expect(rulesBroken(tokyoWeekends, session({ startDate: '2026-03-13T16:00:00.000Z' }))).toEqual(['off-hours']);
    expect(rulesBroken({ offHours: { ...tokyoWeekends.offHours, weekends: false } }, session({ startDate: '2026-03-13T16:00:00.000Z' }))).toEqual([]);
    // Sunday 23:30 UTC is Monday 08:30 in Tokyo: a working day there.
    expect(rulesBroken(tokyoWeekends, session({ startDate: '2026-03-15T23:30:00.000Z' }))).toEqual([]);
  });

  it('supports a daytime window (start before end)', () => {
    const lunch = { offHours: { start: '12:00', end: '13:00', timeZone: 'UTC', weekends: false } };
    expect(rulesBroken(lunch, session({ startDate: '2026-03-10T12:30:00.000Z' }))).toEqual(['off-hours']);
    expect(rulesBroken(lunch, session({ startDate: '2026-03-10T13:00:00.000Z' }))).toEqual([]);
  });

  it('reads the wall clock of the zone', () => {
    expect(wallClock(Date.parse('2026-07-14T22:05:00Z'), 'America/New_York')).toEqual({ weekday: 'Tue', minuteOfDay: 18 * 60 + 5, text: '2026-07-14 18:05 (America/New_York)' });
    expect(isOffHours(Date.parse('2026-07-14T23:59:00Z'), { startMinute: 0, endMinute: 1, timeZone: 'UTC', weekends: false })).toBe(false);
  });
});

describe('all rules together', () => {
  it('reports every rule a session breaks, in a fixed order', () => {
    const rules: ComplianceRules = {
      maxDurationMinutes: 10,
      reasonRequired: true,
      allowedOwnerPattern: 'arn:aws:sts::123456789012:assumed-role/OnCallResponder/.+',
      forbiddenDocuments: ['AWS-StartSSHSession'],
      justInTimeOnlyTargets: ['i-*'],
      offHours: { start: '00:00', end: '23:59', timeZone: 'UTC', weekends: false },
    };
    const record = session({ owner: 'arn:aws:iam::123456789012:user/mallory', documentName: 'AWS-StartSSHSession' });
    delete record.reason;
    expect(rulesBroken(rules, record)).toEqual(['max-duration', 'reason-required', 'owner-not-allowed', 'forbidden-document', 'just-in-time-required', 'off-hours']);
    expect(enabledRules(parseComplianceRules(rules))).toHaveLength(6);
  });

  it('with no rules, nothing is ever a finding', () => {
    const compiled = parseComplianceRules({});
    expect(enabledRules(compiled)).toEqual([]);
    expect(evaluate(session({ reason: '' }), compiled)).toEqual([]);
  });
});

describe('the configuration', () => {
  it('reads cdk.json nulls and empty lists as "off"', () => {
    const compiled = parseComplianceRules({ maxDurationMinutes: null, reasonRequired: null, allowedOwnerPattern: null, forbiddenDocuments: [], justInTimeOnlyTargets: null, offHours: null });
    expect(compiled.config).toEqual({});
    expect(enabledRules(compiled)).toEqual([]);
  });

  it('defaults weekends to false', () => {
    expect(parseComplianceRules({ offHours: { start: '20:00', end: '07:00', timeZone: 'UTC' } }).config.offHours?.weekends).toBe(false);
  });

  it('names every problem at once, with its path', () => {
    const attempt = () =>
      parseComplianceRules({
        maxDurationMinutes: 0,
        reasonRequired: 'yes',
        allowedOwnerPattern: '(unclosed',
        forbiddenDocuments: 'AWS-StartSSHSession',
        justInTimeOnlyTargets: [''],
        offHours: { start: '8pm', end: '24:00', timeZone: 'Mars/Olympus_Mons', weekend: true },
        maxSessions: 3,
      });
    expect(attempt).toThrow(ComplianceConfigError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (error: unknown) {
        return (error as Error).message;
      }
    })();
    for (const expected of [
      'compliance.maxDurationMinutes must be at least 1',
      'compliance.reasonRequired must be true or false',
      'compliance.allowedOwnerPattern is not a valid JavaScript regular expression',
      'compliance.forbiddenDocuments must be a list of document names',
      'compliance.justInTimeOnlyTargets.0 must not be empty',
      'compliance.offHours.start must be a time like "20:00" (24-hour HH:MM)',
      'compliance.offHours.end must be a time like "07:00" (24-hour HH:MM)',
      'compliance.offHours.timeZone is not a time zone this runtime knows',
      'compliance.offHours has unknown keys weekend; known: start, end, timeZone, weekends',
      'compliance has unknown keys maxSessions; known: maxDurationMinutes, reasonRequired, allowedOwnerPattern',
    ]) {
      expect(message).toContain(expected);
    }
  });

  it('refuses an off-hours window that starts where it ends', () => {
    expect(() => parseComplianceRules({ offHours: { start: '20:00', end: '20:00', timeZone: 'UTC' } })).toThrow(/compliance\.offHours\.end start and end must differ/);
  });

  it('refuses something that is not an object', () => {
    expect(() => parseComplianceRules('reasonRequired', 'COMPLIANCE_RULES')).toThrow(/COMPLIANCE_RULES must be an object/);
  });
});

describe('rules limited to some sources', () => {
  const alibaba = session({ source: 'alibaba', accountId: 'prod-cn', region: 'cn-hangzhou', owner: '2000000000000001', reason: undefined });

  it('check only the sessions of the sources they name', () => {
    const ssmOnly = parseComplianceRules({ reasonRequired: true, sources: ['ssm'] });
    expect(evaluate(alibaba, ssmOnly)).toEqual([]);
    expect(evaluate(session({ reason: undefined }), ssmOnly).map((breach) => breach.rule)).toEqual(['reason-required']);
    const every = parseComplianceRules({ reasonRequired: true });
    expect(evaluate(alibaba, every).map((breach) => breach.rule)).toEqual(['reason-required']);
    const alibabaOnly = parseComplianceRules({ allowedOwnerPattern: '1\\d{15}', sources: ['alibaba'] });
    expect(evaluate(alibaba, alibabaOnly).map((breach) => breach.rule)).toEqual(['owner-not-allowed']);
  });

  it('refuse an unknown source and an empty list, by name', () => {
    expect(() => parseComplianceRules({ sources: ['gcp'] })).toThrow(/compliance\.sources\.0 must be one of ssm, alibaba/);
    expect(() => parseComplianceRules({ sources: [] })).toThrow(/compliance\.sources must name at least one source/);
  });
});
