/**
 * The compliance check on one event, with an in-memory finding store and sink: a breach becomes
 * one finding and one finding event, however often the event arrives and wherever a previous
 * attempt failed; malformed input and configuration are refused with clear errors.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createComplianceCheck, InvalidEventError, parseSessionArchivedEvent } from '../../lambdas/compliance/check-event';
import { ConfigurationError, readComplianceConfig } from '../../lambdas/compliance/config';
import type { ComplianceFinding } from '../../lambdas/core/compliance/finding';
import type { FindingStore, StoredFinding } from '../../lambdas/core/compliance/ports';
import { parseComplianceRules } from '../../lambdas/core/compliance/rules';
import { contentHash } from '../../lambdas/core/session/content-hash';
import type { ArchiveEvent } from '../../lambdas/core/events/event-types';
import { EventDeliveryError, type EventSink } from '../../lambdas/core/events/ports';
import { sessionArchivedEvent } from '../../lambdas/core/events/session-archived';
import type { SessionRecord } from '../../lambdas/core/session/session';

const record: SessionRecord = {
  sessionId: 'mallory-0123456789abcdef0',
  target: 'i-0123456789abcdef0',
  status: 'Terminated',
  startDate: '2026-03-10T09:00:00.000Z',
  endDate: '2026-03-10T19:00:00.000Z',
  owner: 'arn:aws:iam::123456789012:user/mallory',
  accessType: 'Standard',
  accountId: '123456789012',
  region: 'eu-west-1',
  source: 'ssm',
  firstArchivedAt: '2026-03-10T19:05:00.000Z',
  lastSeenAt: '2026-03-10T19:05:00.000Z',
};

/** The archive the check reads sessions from, by scope and id. */
const archive = new Map<string, SessionRecord>();
const archiveKey = (key: { sessionId: string; source: string; accountId: string; region: string }) => `${key.source}#${key.accountId}#${key.region}#${key.sessionId}`;

/** What EventBridge hands the function for `session`, once the sweeper stored it. */
function envelope(session: SessionRecord = record): Record<string, unknown> {
  archive.set(archiveKey(session), session);
  const event = sessionArchivedEvent(session, contentHash(session));
  return { version: '0', id: 'eb-1', source: 'session-archive', 'detail-type': event.detailType, account: '123456789012', region: 'eu-west-1', time: event.time, resources: [], detail: event.detail };
}

class MemoryFindings implements FindingStore {
  readonly items = new Map<string, { finding: ComplianceFinding; pending: boolean }>();
  puts = 0;
  async recordFinding(finding: ComplianceFinding): Promise<StoredFinding> {
    this.puts++;
    const known = this.items.get(finding.findingId);
    if (known) return { finding: known.finding, created: false, published: !known.pending };
    this.items.set(finding.findingId, { finding, pending: true });
    return { finding, created: true, published: false };
  }
  async markPublished(finding: ComplianceFinding): Promise<void> {
    const known = this.items.get(finding.findingId);
    if (known) known.pending = false;
  }
}

class RecordingSink implements EventSink {
  readonly published: ArchiveEvent[] = [];
  failNext: 'all' | string[] | undefined;
  async publish(events: readonly ArchiveEvent[]): Promise<void> {
    const fail = this.failNext;
    this.failNext = undefined;
    if (fail === 'all') throw new Error('EventBridge unavailable');
    const undelivered = new Set(fail ?? []);
    this.published.push(...events.filter((event) => !undelivered.has(event.id)));
    if (undelivered.size > 0) throw new EventDeliveryError('some failed', undelivered);
  }
}

const rules = parseComplianceRules({ maxDurationMinutes: 480, reasonRequired: true, allowedOwnerPattern: 'arn:aws:sts::123456789012:assumed-role/OnCall/.+' });
let now = 0;
const clock = { now: () => now };
beforeEach(() => {
  now = Date.parse('2026-03-10T19:06:00.000Z');
  archive.clear();
});

function rig() {
  const findings = new MemoryFindings();
  const sink = new RecordingSink();
  return { findings, sink, check: createComplianceCheck({ rules, sessions: { getArchivedSession: async (key) => archive.get(archiveKey(key)) }, findings, sink, clock }) };
}

describe('the compliance check', () => {
  it('records one finding per broken rule and publishes each once', async () => {
    const { findings, sink, check } = rig();
    const outcome = await check(envelope());
    expect(outcome).toEqual({
      sessionId: record.sessionId,
      archived: true,
      matchesArchive: true,
      breaches: ['max-duration', 'reason-required', 'owner-not-allowed'],
      created: 3,
      published: 3,
    });
    expect([...findings.items.values()].map((item) => [item.finding.rule, item.pending])).toEqual([
      ['max-duration', false],
      ['reason-required', false],
      ['owner-not-allowed', false],
    ]);
    expect(sink.published.map((event) => event.detailType)).toEqual(['Session Compliance Finding', 'Session Compliance Finding', 'Session Compliance Finding']);
    expect(findings.items.get(`ssm#123456789012#eu-west-1#${record.sessionId}#reason-required`)?.finding).toMatchObject({
      sourceEventId: `${record.sessionId}#${contentHash(record)}`,
      detectedAt: '2026-03-10T19:06:00.000Z',
    });
  });

  it('writes and publishes nothing more when the same event arrives again', async () => {
    const { findings, sink, check } = rig();
    await check(envelope());
    now += 60_000;
    expect(await check(envelope())).toMatchObject({ created: 0, published: 0 });
    expect(findings.items.size).toBe(3);
    expect(sink.published).toHaveLength(3);
  });

  it('keeps one finding per rule when the session arrives again in a later state', async () => {
    const { findings, sink, check } = rig();
    const open = { ...record, status: 'Connected' };
    delete open.endDate;
    await check(envelope(open));
    await check(envelope(record));
    expect([...findings.items.values()].map((item) => item.finding.rule)).toEqual(['reason-required', 'owner-not-allowed', 'max-duration']);
    expect(sink.published).toHaveLength(3);
  });

  it('fails when a finding cannot be published, and the retry publishes only what is still owed', async () => {
    const { findings, sink, check } = rig();
    const ownerFinding = `ssm#123456789012#eu-west-1#${record.sessionId}#owner-not-allowed`;
    sink.failNext = [ownerFinding];
    await expect(check(envelope())).rejects.toThrow(EventDeliveryError);
    expect(findings.items.get(ownerFinding)?.pending).toBe(true);
    expect(sink.published.map((event) => event.id)).not.toContain(ownerFinding);
    // Lambda retries the invocation.
    expect(await check(envelope())).toMatchObject({ created: 0, published: 1 });
    expect(sink.published.map((event) => event.id).filter((id) => id === ownerFinding)).toHaveLength(1);
    expect(sink.published).toHaveLength(3);
  });

  it('keeps the first detection time when a retry publishes the finding', async () => {
    const { sink, check } = rig();
    sink.failNext = 'all';
    await expect(check(envelope())).rejects.toThrow('EventBridge unavailable');
    now += 3_600_000;
    await check(envelope());
    expect(sink.published.map((event) => event.time)).toEqual(['2026-03-10T19:06:00.000Z', '2026-03-10T19:06:00.000Z', '2026-03-10T19:06:00.000Z']);
  });

  it('finds nothing in a compliant session', async () => {
    const { findings, check } = rig();
    const good = { ...record, owner: 'arn:aws:sts::123456789012:assumed-role/OnCall/alice', reason: 'INC-1', endDate: '2026-03-10T10:00:00.000Z' };
    expect(await check(envelope(good))).toMatchObject({ breaches: [], created: 0 });
    expect(findings.puts).toBe(0);
  });
});

describe('the event it accepts', () => {
  it('is a Session Archived event of version 1 from session-archive', () => {
    expect(parseSessionArchivedEvent(envelope()).session).toEqual(record);
  });

  it.each([
    ['another source', { source: 'aws.ssm' }, /source/],
    ['another detail type', { 'detail-type': 'Sweep Completed' }, /detail-type/],
    ['a later schema version', { detail: { ...(envelope().detail as object), version: 2 } }, /detail\.version/],
    ['a session without an id', { detail: { ...(envelope().detail as object), session: { ...record, sessionId: undefined } } }, /detail\.session\.sessionId/],
  ])('refuses %s, saying where', (_name, change, message) => {
    expect(() => parseSessionArchivedEvent({ ...envelope(), ...change })).toThrow(InvalidEventError);
    expect(() => parseSessionArchivedEvent({ ...envelope(), ...change })).toThrow(message);
  });

  it('refuses something that is not an event at all', () => {
    expect(() => parseSessionArchivedEvent('hello')).toThrow(/not a Session Archived event of version 1/);
  });
});

describe('the compliance function configuration', () => {
  const env = { TABLE_NAME: 'SessionArchive-Table-1A2B', AWS_REGION: 'eu-west-1', EVENT_BUS_NAME: 'session-archive' };

  it('reads the rules from COMPLIANCE_RULES', () => {
    const config = readComplianceConfig({ ...env, COMPLIANCE_RULES: '{"reasonRequired":true,"maxDurationMinutes":null}' });
    expect(config).toMatchObject({ tableName: env.TABLE_NAME, region: 'eu-west-1', eventBusName: 'session-archive', serviceName: 'session-archive-compliance' });
    expect(config.rules.config).toEqual({ reasonRequired: true });
  });

  it('runs with no rule when COMPLIANCE_RULES is absent', () => {
    expect(readComplianceConfig(env).rules.config).toEqual({});
  });

  it('names every problem at once, the rules included', () => {
    const attempt = () => readComplianceConfig({ AWS_REGION: 'eu-west-1', EVENT_BUS_NAME: 'bus name', DYNAMODB_ENDPOINT: 'localhost', COMPLIANCE_RULES: '{"offHours":{"start":"20:00"}}' });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(
      /TABLE_NAME is required.*; EVENT_BUS_NAME "bus name" is not an EventBridge bus name or ARN; DYNAMODB_ENDPOINT must be an http\(s\) URL.*; invalid compliance rules: COMPLIANCE_RULES\.offHours\.end/,
    );
  });

  it('says so when COMPLIANCE_RULES is not JSON', () => {
    expect(() => readComplianceConfig({ ...env, COMPLIANCE_RULES: '{reasonRequired: true}' })).toThrow(/COMPLIANCE_RULES is not JSON/);
  });
});
