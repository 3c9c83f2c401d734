/**
 * Forged `Session Archived` events (anyone with events:PutEvents can post one) against the check
 * the Lambda runs, with the real DynamoDB adapters over dynalite: the check judges the session the
 * archive holds, so a body that disagrees with the archive changes nothing, and an event for a
 * session the archive lacks writes nothing. The archive is filled by a real sweep of the emulator;
 * the expected findings follow from the sessions placed in the emulator.
 */
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoArchivedSessionReader } from '../../lambdas/adapters/dynamodb/dynamodb-archived-session-reader';
import { DynamoFindingsStore } from '../../lambdas/adapters/dynamodb/dynamodb-findings-store';
import { findingPartitionKey } from '../../lambdas/adapters/dynamodb/archive-table';
import { createComplianceCheck } from '../../lambdas/compliance/check-event';
import { parseComplianceRules } from '../../lambdas/core/compliance/rules';
import type { ArchiveEvent } from '../../lambdas/core/events/event-types';
import type { EventSink } from '../../lambdas/core/events/ports';
import { HOUR_MS } from '../../lambdas/core/shared/time';
import { ACCOUNT_ID, REGION, startSweepRig, type SweepRig } from '../support/sweep-harness';

const T0 = Date.UTC(2026, 2, 10, 9);
const ALLOWED = 'arn:aws:sts::123456789012:assumed-role/OnCall/mallory';
const RULES = parseComplianceRules({ maxDurationMinutes: 480, reasonRequired: true, allowedOwnerPattern: 'arn:aws:sts::123456789012:assumed-role/OnCall/.+' });

/** Ten hours, no reason, an allowed owner: breaks max-duration and reason-required only. */
const LONG = { sessionId: 'mallory-0aaaaaaaaaaaaaaaa', start: T0, end: T0 + 10 * HOUR_MS };
/** Twenty minutes with a reason: compliant. */
const SHORT = { sessionId: 'mallory-0bbbbbbbbbbbbbbbb', start: T0 + HOUR_MS, end: T0 + HOUR_MS + 20 * 60_000 };

let rig: SweepRig;
let documents: DynamoDBDocumentClient;
const published: ArchiveEvent[] = [];
const sink: EventSink = { publish: async (events) => void published.push(...events) };
let check: ReturnType<typeof createComplianceCheck>;

beforeAll(async () => {
  rig = await startSweepRig({ startMs: T0 + 12 * HOUR_MS });
  const common = { target: 'i-0123456789abcdef0', owner: ALLOWED, accessType: 'Standard' as const, documentName: 'AWS-StartInteractiveCommand', endStatus: 'Terminated' as const };
  rig.emulator.addSessions([
    { ...common, sessionId: LONG.sessionId, startMs: LONG.start, endMs: LONG.end },
    { ...common, sessionId: SHORT.sessionId, startMs: SHORT.start, endMs: SHORT.end, reason: 'INC-20931 disk full' },
  ]);
  await rig.sweep();
  documents = DynamoDBDocumentClient.from(rig.dynamo);
  check = createComplianceCheck({
    rules: RULES,
    sessions: new DynamoArchivedSessionReader({ client: documents, tableName: rig.tableName }),
    findings: new DynamoFindingsStore({ client: documents, tableName: rig.tableName }),
    sink,
    clock: { now: () => T0 + 12 * HOUR_MS },
  });
}, 60_000);
afterAll(async () => rig?.close());

const iso = (ms: number) => new Date(ms).toISOString();

/** A hand-made event, as someone with events:PutEvents would post it. */
function forged(session: Record<string, unknown>): Record<string, unknown> {
  const full = { target: 'i-0123456789abcdef0', status: 'Terminated', accountId: ACCOUNT_ID, region: REGION, source: 'ssm', firstArchivedAt: iso(T0), lastSeenAt: iso(T0), ...session };
  return {
    source: 'session-archive',
    'detail-type': 'Session Archived',
    account: ACCOUNT_ID,
    detail: { version: 1, eventId: `${String(session.sessionId)}#forged`, contentHash: 'forged', final: true, session: full },
  };
}

async function storedFindings(sessionId: string): Promise<Array<Record<string, unknown>>> {
  const output = await documents.send(
    new QueryCommand({ TableName: rig.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': findingPartitionKey(sessionId) }, ConsistentRead: true }),
  );
  return output.Items ?? [];
}

describe('the compliance check with forged events', () => {
  it('judges the archived record, not a body that disagrees with it', async () => {
    // Claims nine hours and a foreign owner: the owner finding would be harmless, the 540 minutes false.
    const outcome = await check(
      forged({ sessionId: LONG.sessionId, startDate: iso(LONG.start), endDate: iso(LONG.start + 9 * HOUR_MS), owner: 'arn:aws:iam::123456789012:user/someone-else' }),
    );
    expect(outcome).toMatchObject({ sessionId: LONG.sessionId, archived: true, matchesArchive: false, breaches: ['max-duration', 'reason-required'], created: 2 });
    const findings = await storedFindings(LONG.sessionId);
    expect(findings.map((item) => item.rule).sort()).toEqual(['max-duration', 'reason-required']);
    const duration = findings.find((item) => item.rule === 'max-duration');
    expect(duration?.message).toBe('the session lasted 600 minutes; the maximum is 480');
    expect(duration?.session).toMatchObject({ owner: ALLOWED, endDate: iso(LONG.end) });
    // Tied to the archived state, not the forged event's id.
    expect(String(duration?.sourceEventId)).toMatch(new RegExp(`^${LONG.sessionId}#[A-Za-z0-9_-]{22}$`));
  });

  it('finds nothing for a compliant archived session whatever the event claims', async () => {
    const outcome = await check(forged({ sessionId: SHORT.sessionId, startDate: iso(SHORT.start), endDate: iso(SHORT.start + 20 * HOUR_MS) }));
    expect(outcome).toMatchObject({ archived: true, matchesArchive: false, breaches: [], created: 0 });
    expect(await storedFindings(SHORT.sessionId)).toEqual([]);
  });

  it('writes and publishes nothing for a session the archive does not hold', async () => {
    const before = published.length;
    const ghost = 'mallory-0cccccccccccccccc';
    const outcome = await check(forged({ sessionId: ghost, startDate: iso(T0), endDate: iso(T0 + 20 * HOUR_MS) }));
    expect(outcome).toEqual({ sessionId: ghost, archived: false, matchesArchive: false, breaches: [], created: 0, published: 0 });
    expect(await storedFindings(ghost)).toEqual([]);
    expect(published.length).toBe(before);
  });

  it('a session of another account or region is not the archived one', async () => {
    const outcome = await check(forged({ sessionId: LONG.sessionId, accountId: '210987654321', startDate: iso(LONG.start), endDate: iso(LONG.end) }));
    expect(outcome).toMatchObject({ archived: false, created: 0 });
  });
});
