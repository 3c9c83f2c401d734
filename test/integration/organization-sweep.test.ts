/**
 * One hub archives a whole organisation through the same planner, AssumeRole and per-target sweep
 * code as the deployment: the real SDK clients over HTTP against the STS, Organizations and SSM
 * emulators (each account and region its own sessions) and dynalite. A failing member never stops
 * the others, is reported on its checkpoint, and catches up with nothing lost once fixed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { targetKey } from '../../lambdas/core/targets/targets';
import { DAY_MS, HOUR_MS } from '../../lambdas/core/shared/time';
import { expectedFinalRecord } from '../support/sweep-harness';
import { startHub as startOrganizationHub, type Hub } from '../support/organization-rig';

const REGIONS = ['us-east-1', 'eu-west-1'];
const t0 = Date.UTC(2026, 9, 1);
const startHub = (members: number): Promise<Hub> => startOrganizationHub({ members, regions: REGIONS, startMs: t0 });

/** Every account x region gets its own sessions; returns what each shows as ended or open. */
async function seed(hub: Hub, accountId: string, seedBase: number): Promise<void> {
  for (const [i, region] of REGIONS.entries()) {
    const emulator = await hub.ssm.target(accountId, region);
    emulator.generateSessions({ count: 120, seed: seedBase + i, fromMs: t0 - 20 * DAY_MS, toMs: t0 + 3 * DAY_MS, openFraction: 0.03 });
  }
}

/** What the archive must hold: every session each target's emulator has shown in History, with its final fields. */
async function missingOrWrong(hub: Hub): Promise<string[]> {
  const archived = new Map((await hub.archived()).map((record) => [`${record.accountId}#${record.region}#${record.sessionId}`, record]));
  const problems: string[] = [];
  for (const { accountId, region, emulator } of hub.ssm.targets()) {
    for (const session of emulator.allSessions().filter((s) => emulator.everInHistory(s))) {
      const record = archived.get(`${accountId}#${region}#${session.sessionId}`);
      const expected = { ...expectedFinalRecord(session), accountId, region };
      if (!record) problems.push(`missing ${accountId}/${region}/${session.sessionId}`);
      else if (record.status !== expected.status || record.endDate !== expected.endDate) problems.push(`wrong ${accountId}/${region}/${session.sessionId}`);
    }
  }
  return problems;
}

describe('one archive for the whole organisation', () => {
  let hub: Hub | undefined;
  beforeEach(() => {
    hub = undefined;
  });
  afterEach(async () => hub?.close());

  it('archives every account and region completely, each in its own scope', async () => {
    hub = await startHub(3);
    for (const [i, accountId] of hub.sample.memberIds.entries()) await seed(hub, accountId, 100 + 10 * i);
    const outcomes = await hub.run();
    expect(outcomes.map((o) => o.status)).toEqual(Array(3 * REGIONS.length).fill('swept'));
    // Three days later every session has ended; one more run archives the ends.
    hub.clock.set(t0 + 4 * DAY_MS);
    await hub.run();
    expect(await missingOrWrong(hub)).toEqual([]);
    const scopes = new Set((await hub.archived()).map((record) => `${record.accountId}#${record.region}`));
    expect(scopes.size).toBe(3 * REGIONS.length);
    // One AssumeRole per member account, however many regions and runs.
    expect(hub.sts.stats.byAction.AssumeRole).toBe(3);
  });

  it('a member with no role, one denying access, a disabled region and a throttled one fail alone, are reported, and catch up once fixed', async () => {
    hub = await startHub(5);
    const [noRole, denying, regionOff, throttled, healthy] = hub.sample.memberIds as [string, string, string, string, string];
    for (const [i, accountId] of hub.sample.memberIds.entries()) await seed(hub, accountId, 200 + 10 * i);
    hub.sample.organization.setMemberRole(noRole, null);
    hub.ssm.denyDescribeSessions(denying, true);
    hub.sample.organization.setRegionEnabled(regionOff, 'eu-west-1', false);
    (await hub.ssm.target(throttled, 'us-east-1')).setFaults({ seed: 1, throttleRate: 1, operations: ['DescribeSessions'] });

    const outcomes = await hub.run();
    const failed = Object.fromEntries(outcomes.filter((o) => o.status === 'failed').map((o) => [targetKey(o.target), o.status === 'failed' ? o.kind : '']));
    expect(failed).toEqual({
      [`ssm#${noRole}#us-east-1`]: 'role-missing',
      [`ssm#${noRole}#eu-west-1`]: 'role-missing',
      [`ssm#${denying}#us-east-1`]: 'access-denied',
      [`ssm#${denying}#eu-west-1`]: 'access-denied',
      [`ssm#${regionOff}#eu-west-1`]: 'region-disabled',
      [`ssm#${throttled}#us-east-1`]: 'throttled',
    });
    expect(outcomes.filter((o) => o.status === 'swept')).toHaveLength(4);
    const state = await hub.store.loadSweepState({ source: 'ssm', accountId: denying, region: 'eu-west-1' });
    expect(state?.lastError).toMatchObject({ kind: 'access-denied', since: t0 });
    const healthyRecords = (await hub.archived()).filter((record) => record.accountId === healthy);
    expect(healthyRecords.length).toBeGreaterThan(200);

    // Fixed a day later, well inside SSM's window: the next run loses nothing.
    hub.sample.organization.setMemberRole(noRole, {});
    hub.ssm.denyDescribeSessions(denying, false);
    hub.sample.organization.setRegionEnabled(regionOff, 'eu-west-1', true);
    (await hub.ssm.target(throttled, 'us-east-1')).setFaults(undefined);
    hub.clock.set(t0 + DAY_MS);
    expect((await hub.run()).every((o) => o.status === 'swept')).toBe(true);
    hub.clock.set(t0 + 4 * DAY_MS);
    await hub.run();
    expect(await missingOrWrong(hub)).toEqual([]);
    expect((await hub.store.loadSweepState({ source: 'ssm', accountId: denying, region: 'eu-west-1' }))?.lastError).toBeNull();
  });

  it('picks up an account that joins the organisation between runs', async () => {
    hub = await startHub(2);
    for (const [i, accountId] of hub.sample.memberIds.entries()) await seed(hub, accountId, 300 + 10 * i);
    expect(await hub.run()).toHaveLength(2 * REGIONS.length);
    const joined = hub.sample.organization.addAccount({ parentId: hub.sample.organizationalUnitIds[1], role: { externalId: 'org-archive' } }).id;
    await seed(hub, joined, 400);
    hub.clock.set(t0 + HOUR_MS);
    const outcomes = await hub.run();
    expect(outcomes.filter((o) => o.target.accountId === joined).map((o) => o.status)).toEqual(['swept', 'swept']);
    hub.clock.set(t0 + 4 * DAY_MS);
    await hub.run();
    expect(await missingOrWrong(hub)).toEqual([]);
  });
});
