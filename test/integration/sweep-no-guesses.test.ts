/**
 * The sweep relies on no undocumented SSM behaviour: it gives up on an open session only after
 * really looking, retention counts from a session's end, and long lookups resume across
 * invocations. Ground truth is what the emulator shows; every case runs the real SDK over HTTP
 * against the emulator and dynalite.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { sessionKey } from '../../lambdas/adapters/dynamodb/archive-table';
import { DAY_MS, HOUR_MS, MINUTE_MS, toIso } from '../../lambdas/core/shared/time';
import type { EmulatedSession } from '../../local/ssm-emulator';
import { ACCOUNT_ID, diffArchive, REGION, startSweepRig, type SweepRig } from '../support/sweep-harness';

const t0 = Date.UTC(2026, 6, 1);
const SCOPE_KEY = `ssm#${ACCOUNT_ID}#${REGION}`;

function longSession(n: number, startMs: number): EmulatedSession {
  return {
    sessionId: `long-${n}-0a1b2c3d4e5f6071`,
    target: `i-0123456789abcde${n}`,
    owner: `arn:aws:iam::${ACCOUNT_ID}:user/long${n}`,
    accessType: 'Standard',
    documentName: 'SSM-SessionManagerRunShell',
    startMs,
    endMs: null,
    endStatus: 'Terminated',
  };
}

/** Ends the budget after `calls` DescribeSessions requests of this sweep. */
function budgetOf(rig: SweepRig, calls: number): () => number {
  const before = rig.ssmCalls.DescribeSessionsCommand ?? 0;
  return () => ((rig.ssmCalls.DescribeSessionsCommand ?? 0) - before >= calls ? 0 : 60_000);
}

describe('no loss where our model of SSM is a guess', () => {
  let rig: SweepRig | undefined;
  afterEach(async () => rig?.close());

  it('never gives up on open sessions it ran out of time to look for; a later sweep archives their end', async () => {
    // Retention from EndDate: SSM still lists the final state of sessions that started long ago.
    rig = await startSweepRig({ startMs: t0, emulator: { retentionFrom: 'EndDate' } });
    const long = [1, 2, 3].map((n) => longSession(n, t0 - 35 * DAY_MS + n * HOUR_MS));
    rig.emulator.addSessions(long);
    rig.emulator.generateSessions({ count: 120, seed: 31, fromMs: t0 - 10 * DAY_MS, toMs: t0 + DAY_MS, openFraction: 0 });
    expect((await rig.sweep()).complete).toBe(true);
    for (const session of long) rig.emulator.terminate(session.sessionId, t0 + HOUR_MS);

    // Time runs out right after Active: no lookup for the three ran.
    rig.clock.set(t0 + 2 * HOUR_MS);
    const starved = await rig.sweep({ remainingTimeMs: budgetOf(rig, 1), reserveMs: 1 });
    expect(starved.complete).toBe(false);
    expect(starved.endedUnobserved).toBe(0);
    const openIds = (await rig.store.listOpenSessions({ source: 'ssm', accountId: ACCOUNT_ID, region: REGION })).map((ref) => ref.sessionId);
    for (const session of long) expect(openIds).toContain(session.sessionId);

    rig.clock.set(t0 + 3 * HOUR_MS);
    expect((await rig.sweep()).complete).toBe(true);
    const archived = new Map((await rig.archived()).map((record) => [record.sessionId, record]));
    for (const session of long) {
      expect(archived.get(session.sessionId)).toMatchObject({ status: 'Terminated', endDate: toIso(t0 + HOUR_MS) });
      expect(archived.get(session.sessionId)?.endedUnobservedAt).toBeUndefined();
    }
    expect(await diffArchive(rig)).toEqual([]);
  });

  it('counts retention from the end: an open record never expires, an ended one expires its retention after its end', async () => {
    rig = await startSweepRig({ startMs: t0, emulator: { retentionFrom: 'EndDate' } });
    const documents = DynamoDBDocumentClient.from(rig.dynamo);
    const retaining = new DynamoArchiveStore({ client: documents, tableName: rig.tableName, retentionDays: 30 });
    // Open for 29 days already: longer than a retention counted from the start would allow.
    const open = longSession(7, t0 - 29 * DAY_MS);
    rig.emulator.addSessions([open]);
    const source = rig.source();
    const sweepWithRetention = () => import('../../lambdas/core/sweep/sweep').then(({ sweep }) => sweep({ source, store: retaining, clock: rig!.clock }));
    await sweepWithRetention();
    const item = async () =>
      (await documents.send(new GetCommand({ TableName: rig!.tableName, Key: sessionKey(open.sessionId, SCOPE_KEY) }))).Item ?? {};
    expect(await item()).toMatchObject({ status: 'Connected' });
    expect((await item()).expiresAt).toBeUndefined();

    const endMs = t0 + 10 * DAY_MS;
    rig.emulator.terminate(open.sessionId, endMs);
    rig.clock.set(endMs + HOUR_MS);
    await sweepWithRetention();
    expect(await item()).toMatchObject({ status: 'Terminated', endDate: toIso(endMs), expiresAt: Math.floor((endMs + 30 * DAY_MS) / 1000) });
  });

  it('a range lookup that cannot finish in one invocation resumes from its kept page and loses nothing', async () => {
    // Filters applied after MaxResults: any History listing pages through everything SSM holds.
    rig = await startSweepRig({ startMs: t0, emulator: { filtersAfterMaxResults: true } });
    // The oldest sessions: the last pages of a newest-first listing.
    const long = [1, 2, 3, 4, 5].map((n) => longSession(n, t0 - 21 * DAY_MS + n * HOUR_MS));
    rig.emulator.addSessions(long);
    rig.emulator.generateSessions({ count: 1400, seed: 41, fromMs: t0 - 20 * DAY_MS, toMs: t0, openFraction: 0 });
    expect((await rig.sweep()).complete).toBe(true);
    for (const session of long) rig.emulator.terminate(session.sessionId, t0 + HOUR_MS);

    // Each invocation has time for four calls, less than one listing takes; with more vanished
    // sessions than lookups by id, they are found by one range listing that spans invocations.
    const ended = async () => (await rig!.archived()).filter((record) => long.some((s) => s.sessionId === record.sessionId) && record.status === 'Terminated');
    const invocations = [];
    for (let i = 1; i <= 30 && (await ended()).length < long.length; i++) {
      rig.clock.set(t0 + 2 * HOUR_MS + i * MINUTE_MS);
      invocations.push(await rig.sweep({ remainingTimeMs: budgetOf(rig, 4), reserveMs: 1, maxEndedLookups: 2 }));
    }
    expect(invocations.length).toBeGreaterThan(2);
    expect(invocations.every((summary) => summary.sourceCalls <= 4)).toBe(true);
    // No invocation started the lookup over: its pages add up to one listing's.
    const lookupPages = invocations.reduce((total, summary) => total + summary.lookups, 0);
    expect(lookupPages).toBeGreaterThan(3);
    expect(lookupPages).toBeLessThanOrEqual(Math.ceil(1405 / 200));
    for (const record of await ended()) expect(record.endDate).toBe(toIso(t0 + HOUR_MS));
    expect(await ended()).toHaveLength(long.length);
    rig.clock.advance(HOUR_MS);
    expect((await rig.sweep()).complete).toBe(true);
    expect(await diffArchive(rig)).toEqual([]);
  });
});
