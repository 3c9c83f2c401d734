/**
 * One hub archives a whole organisation through the same planner, AssumeRole and per-target sweep
 * code as the deployment: the real SDK clients over HTTP against the STS, Organizations and SSM
 * emulators (each account and region its own sessions) and dynalite. A failing member never stops
 * the others, is reported on its checkpoint, and catches up with nothing lost once fixed.
 */
import { Organizations } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb-archive-store';
import { ensureArchiveTable } from '../../lambdas/adapters/ensure-table';
import { MemberCredentials } from '../../lambdas/adapters/member-credentials';
import { OrganizationsAccountDirectory } from '../../lambdas/adapters/organizations-accounts';
import { classifyTargetFailure } from '../../lambdas/adapters/target-failures';
import { TargetSources } from '../../lambdas/adapters/target-sources';
import type { SessionRecord } from '../../lambdas/core/session';
import { planTargets, type PlannedTarget } from '../../lambdas/core/target-planner';
import { sweepTarget } from '../../lambdas/core/target-sweep';
import { parseTargetsConfig, targetKey } from '../../lambdas/core/targets';
import { DAY_MS, HOUR_MS } from '../../lambdas/core/time';
import { sampleOrganization, startOrganizationsEmulator, startStsEmulator, type OrganizationsEmulator, type StsEmulator } from '../../local/emulators';
import { startOrganizationSsm, type OrganizationSsm } from '../../local/emulators/ssm-organization';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { sweepTargets, type TargetOutcome } from '../../local/fan-out';
import { ManualClock } from '../../local/ssm-emulator';
import { expectedFinalRecord } from '../support/sweep-harness';

const HUB_KEY = { accessKeyId: 'AKIAHUBSWEEPER000001', secretAccessKey: 'hub-secret' };
const REGIONS = ['us-east-1', 'eu-west-1'];
const t0 = Date.UTC(2026, 9, 1);

interface Hub {
  sample: ReturnType<typeof sampleOrganization>;
  sts: StsEmulator;
  organizations: OrganizationsEmulator;
  ssm: OrganizationSsm;
  dynalite: EmbeddedStore;
  clock: ManualClock;
  run(): Promise<TargetOutcome[]>;
  archived(): Promise<SessionRecord[]>;
  store: DynamoArchiveStore;
  close(): Promise<void>;
}

async function startHub(members: number): Promise<Hub> {
  const clock = new ManualClock(t0);
  const sample = sampleOrganization({ members, externalId: 'org-archive', callers: { [HUB_KEY.accessKeyId]: 'arn:aws:iam::111111111111:role/SessionArchiveSweeper' }, acceptUnknownCallers: false });
  const sts = await startStsEmulator({ organization: sample.organization });
  const organizations = await startOrganizationsEmulator({ organization: sample.organization, maxPageSize: 2 });
  const ssm = await startOrganizationSsm({ organization: sample.organization, emulator: { clock } });
  const dynalite = await startEmbeddedStore();
  const dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint: dynalite.endpoint, credentials: HUB_KEY });
  await ensureArchiveTable(dynamo, 'org-archive');
  const documents = DynamoDBDocumentClient.from(dynamo);
  const store = new DynamoArchiveStore({ client: documents, tableName: 'org-archive' });
  const stsClient = new STSClient({ region: 'us-east-1', endpoint: sts.endpoint, credentials: HUB_KEY, maxAttempts: 2 });
  const credentials = new MemberCredentials({ sts: stsClient });
  const sources = new TargetSources({ credentials, hubCredentials: HUB_KEY, ssmEndpoint: ssm.endpoint, clock, maxAttempts: 2 });
  const directory = new OrganizationsAccountDirectory(new Organizations({ region: 'us-east-1', endpoint: organizations.endpoint, credentials: HUB_KEY }), { pageSize: 2 });
  const config = parseTargetsConfig({ organization: { organizationalUnitIds: [sample.organizationalUnitIds[0]], externalId: 'org-archive', regions: REGIONS } });
  const sweepOne = (target: PlannedTarget) => sweepTarget(target, { store, clock, openSource: async () => sources.open(target), classify: classifyTargetFailure });
  return {
    sample,
    sts,
    organizations,
    ssm,
    dynalite,
    clock,
    store,
    run: async () => sweepTargets((await planTargets(config, { accountId: sample.organization.hubAccountId, region: 'us-east-1' }, directory)).targets, 3, sweepOne),
    archived: async () => {
      const items = (await documents.send(new ScanCommand({ TableName: 'org-archive' }))).Items ?? [];
      return items.filter((item) => String(item.pk).startsWith('SESSION#')) as SessionRecord[];
    },
    close: async () => {
      sources.destroy();
      stsClient.destroy();
      dynamo.destroy();
      await Promise.all([sts.close(), organizations.close(), ssm.close()]);
      await dynalite.close();
    },
  };
}

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
