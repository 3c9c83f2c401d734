/**
 * The planner over the Organizations adapter against the Organizations emulator: nested OUs
 * walked through pages of one account (some empty), non-ACTIVE accounts skipped and reported,
 * exclusions, and accounts that join or leave between runs. The expected targets are worked out
 * from the emulated organisation itself, not from the planner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrganizationsAccountDirectory, MalformedOrganizationsResponseError, type OrganizationsApi } from '../../lambdas/adapters/aws/organizations-accounts';
import { planTargets, type Hub } from '../../lambdas/core/targets/target-planner';
import { parseTargetsConfig, type OrganizationTargetsConfig } from '../../lambdas/core/targets/targets';
import { EmulatedOrganization, type AccountState, type EmulatedAccount } from '../../local/emulators/organization-model';
import { OrganizationsJsonClient } from '../../local/emulators/organizations-client';
import { startOrganizationsEmulator, type OrganizationsEmulator } from '../../local/emulators/organizations';

const HUB: Hub = { accountId: '111111111111', region: 'eu-west-1' };
const REGIONS = ['us-east-1', 'eu-west-1'];

let organization: EmulatedOrganization;
let emulator: OrganizationsEmulator;
let directory: OrganizationsAccountDirectory;
const ou: Record<string, string> = {};

function organizationConfig(fields: Record<string, unknown>): OrganizationTargetsConfig {
  return parseTargetsConfig({ organization: JSON.stringify({ regions: REGIONS, ...fields }) }) as OrganizationTargetsConfig;
}

/** Whether the account sits under one of the parents, walking up the emulated tree. */
function isUnder(account: EmulatedAccount, parentIds: readonly string[]): boolean {
  let parentId: string | undefined = account.parentId;
  while (parentId !== undefined) {
    if (parentIds.includes(parentId)) return true;
    parentId = organization.unit(parentId)?.parentId;
  }
  return false;
}

function expectedUnder(parentIds: readonly string[], excluded: readonly string[] = []) {
  const under = organization.accounts().filter((account) => isUnder(account, parentIds)).sort((a, b) => a.id.localeCompare(b.id));
  const swept = under.filter((account) => account.state === 'ACTIVE' && !excluded.includes(account.id));
  return {
    keys: swept.flatMap((account) => REGIONS.map((region) => `ssm#${account.id}#${region}`)),
    notActive: under.filter((account) => account.state !== 'ACTIVE' && !excluded.includes(account.id)).map((account) => [account.id, account.state]),
  };
}

beforeAll(async () => {
  organization = new EmulatedOrganization({ managementAccountId: HUB.accountId });
  organization.addAccount({ id: HUB.accountId, name: 'management' });
  ou.prod = organization.addOrganizationalUnit(organization.rootId, 'prod');
  ou.prodEu = organization.addOrganizationalUnit(ou.prod, 'prod-eu');
  ou.payments = organization.addOrganizationalUnit(ou.prodEu, 'payments');
  ou.sandbox = organization.addOrganizationalUnit(organization.rootId, 'sandbox');
  ou.empty = organization.addOrganizationalUnit(ou.prod, 'empty');
  for (let i = 0; i < 4; i++) organization.addAccount({ parentId: ou.prod });
  for (let i = 0; i < 3; i++) organization.addAccount({ parentId: ou.prodEu });
  for (let i = 0; i < 2; i++) organization.addAccount({ parentId: ou.payments });
  const states: AccountState[] = ['SUSPENDED', 'PENDING_CLOSURE', 'CLOSED', 'PENDING_ACTIVATION', 'ACTIVE'];
  for (const state of states) organization.addAccount({ parentId: ou.sandbox, state });
  organization.addAccount({ parentId: ou.payments, state: 'SUSPENDED' });
  emulator = await startOrganizationsEmulator({ organization, maxPageSize: 1, emptyPageEvery: 4 });
  directory = new OrganizationsAccountDirectory(new OrganizationsJsonClient({ endpoint: emulator.endpoint, credentials: { accessKeyId: 'AKIAHUB0000000000001', secretAccessKey: 'x' } }));
});
afterAll(() => emulator.close());

describe('discovery over nested OUs', () => {
  it('plans every ACTIVE account under the root, through every OU level and page, and reports the others with their state', async () => {
    emulator.resetStats();
    const plan = await planTargets(organizationConfig({ rootId: organization.rootId }), HUB, directory);
    const expected = expectedUnder([organization.rootId]);
    expect(plan.targets.map((target) => target.key)).toEqual(expected.keys);
    expect(plan.skipped.map((skip) => [skip.accountId, skip.state])).toEqual(expected.notActive);
    expect(plan.skipped.every((skip) => skip.reason === 'not-active' && skip.message.includes(`is ${skip.state}, not ACTIVE`))).toBe(true);
    expect(plan.skipped.map((skip) => skip.state).sort()).toEqual(['CLOSED', 'PENDING_ACTIVATION', 'PENDING_CLOSURE', 'SUSPENDED', 'SUSPENDED']);
    expect(plan.parentsVisited).toBe(6);
    // Pages of one account: at least one call per account, plus one per parent that ends a listing.
    expect(emulator.stats.byOperation.ListAccountsForParent).toBeGreaterThanOrEqual(organization.accounts().length);
    expect(emulator.stats.byOperation.ListChildren).toBeGreaterThanOrEqual(6);
    expect(emulator.stats.errors).toEqual({});
  });

  it('sweeps the hub account with its own credentials and members through their role', async () => {
    const plan = await planTargets(organizationConfig({ rootId: organization.rootId, externalId: 'org-archive' }), HUB, directory);
    const hubTargets = plan.targets.filter((target) => target.accountId === HUB.accountId);
    expect(hubTargets.map((target) => target.access)).toEqual([{ kind: 'hub' }, { kind: 'hub' }]);
    const member = plan.targets.find((target) => target.accountId !== HUB.accountId);
    expect(member?.access).toEqual({ kind: 'assume-role', roleArn: `arn:aws:iam::${member?.accountId}:role/SessionArchiveMember`, externalId: 'org-archive' });
  });

  it('lists an OU given together with its ancestor once, and only what is under the configured OUs', async () => {
    const plan = await planTargets(organizationConfig({ organizationalUnitIds: [ou.prodEu, ou.prod] }), HUB, directory);
    const expected = expectedUnder([ou.prod as string]);
    expect(plan.targets.map((target) => target.key)).toEqual(expected.keys);
    expect(new Set(plan.targets.map((target) => target.key)).size).toBe(plan.targets.length);
    expect(plan.parentsVisited).toBe(4);
  });

  it('honours excludeAccounts, reports them as excluded, and names exclusions that matched nothing', async () => {
    const members = organization.accountsOf(ou.prodEu as string).map((account) => account.id);
    const excluded = [members[0] as string, '999999999999'];
    const plan = await planTargets(organizationConfig({ organizationalUnitIds: [ou.prodEu], excludeAccounts: excluded }), HUB, directory);
    expect(plan.targets.map((target) => target.key)).toEqual(expectedUnder([ou.prodEu as string], excluded).keys);
    expect(plan.targets.some((target) => target.accountId === excluded[0])).toBe(false);
    expect(plan.skipped.filter((skip) => skip.reason === 'excluded').map((skip) => skip.accountId)).toEqual([excluded[0]]);
    expect(plan.unmatchedExclusions).toEqual(['999999999999']);
  });
});

describe('between runs', () => {
  it('picks up an account that joined, drops one that left, and follows a state change', async () => {
    const config = organizationConfig({ organizationalUnitIds: [ou.prod] });
    const before = await planTargets(config, HUB, directory);
    const joined = organization.addAccount({ parentId: ou.payments }).id;
    const leaving = organization.accountsOf(ou.prod as string)[0] as EmulatedAccount;
    organization.removeAccount(leaving.id);
    const suspended = organization.accountsOf(ou.prodEu as string)[0] as EmulatedAccount;
    organization.setState(suspended.id, 'SUSPENDED');

    const after = await planTargets(config, HUB, directory);
    expect(after.targets.map((target) => target.key)).toEqual(expectedUnder([ou.prod as string]).keys);
    const accountsBefore = new Set(before.targets.map((target) => target.accountId));
    const accountsAfter = new Set(after.targets.map((target) => target.accountId));
    expect(accountsBefore.has(joined)).toBe(false);
    expect(accountsAfter.has(joined)).toBe(true);
    expect(accountsBefore.has(leaving.id) && !accountsAfter.has(leaving.id)).toBe(true);
    expect(accountsAfter.has(suspended.id)).toBe(false);
    expect(after.skipped).toContainEqual(expect.objectContaining({ accountId: suspended.id, state: 'SUSPENDED', reason: 'not-active' }));
    organization.setState(suspended.id, 'ACTIVE');
  });

  it('fails the whole plan, never a partial list, when Organizations refuses a call', async () => {
    emulator.setFault('throttle', 1);
    await expect(planTargets(organizationConfig({ rootId: organization.rootId }), HUB, directory)).rejects.toMatchObject({ name: 'TooManyRequestsException' });
    emulator.setFault(undefined);
  });
});

describe('the adapter on answers the emulator does not give', () => {
  const page = (accounts: Array<{ Id?: string; State?: string; Status?: string }>, NextToken?: string) => ({ Accounts: accounts, ...(NextToken ? { NextToken } : {}) });

  it('reads the retired Status when State is absent, and reports an account with neither as UNKNOWN', async () => {
    const api: OrganizationsApi = {
      listAccountsForParent: async () => page([{ Id: '222222222222', Status: 'SUSPENDED' }, { Id: '333333333333' }, { Id: '444444444444', State: 'ACTIVE', Status: 'ACTIVE' }]),
      listChildren: async () => ({ Children: [] }),
    };
    const plan = await planTargets(organizationConfig({ rootId: 'r-ab12' }), HUB, new OrganizationsAccountDirectory(api));
    expect(plan.skipped.map((skip) => [skip.accountId, skip.state])).toEqual([
      ['222222222222', 'SUSPENDED'],
      ['333333333333', 'UNKNOWN'],
    ]);
    expect(plan.targets.map((target) => target.accountId)).toEqual(['444444444444', '444444444444']);
  });

  it('stops on a NextToken served twice or an account without an Id, rather than loop or drop', async () => {
    const looping: OrganizationsApi = {
      listAccountsForParent: async () => page([{ Id: '222222222222', State: 'ACTIVE' }], 'same'),
      listChildren: async () => ({ Children: [] }),
    };
    await expect(new OrganizationsAccountDirectory(looping).listAccounts('r-ab12')).rejects.toThrow(MalformedOrganizationsResponseError);
    const noId: OrganizationsApi = { listAccountsForParent: async () => page([{ State: 'ACTIVE' }]), listChildren: async () => ({ Children: [] }) };
    await expect(new OrganizationsAccountDirectory(noId).listAccounts('r-ab12')).rejects.toThrow('returned an account without an Id');
    expect(() => new OrganizationsAccountDirectory(noId, { pageSize: 21 })).toThrow('pageSize must be a whole number from 1 to 20');
  });
});
