/**
 * One hub reaching a whole organisation, the way the sweeper will: plan the targets through
 * Organizations, then for each target build a client with the credentials its access names.
 * Every client acts in its target's account (as the STS emulator sees it), and AssumeRole runs
 * once per member account however many regions it has.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemberCredentials } from '../../lambdas/adapters/aws/member-credentials';
import { OrganizationsAccountDirectory } from '../../lambdas/adapters/aws/organizations-accounts';
import { planTargets } from '../../lambdas/core/targets/target-planner';
import { parseTargetsConfig } from '../../lambdas/core/targets/targets';
import { sampleOrganization, startOrganizationsEmulator, startStsEmulator, type OrganizationsEmulator, type StsEmulator } from '../../local/emulators';
import { OrganizationsJsonClient } from '../../local/emulators/organizations-client';

const HUB_KEY = { accessKeyId: 'AKIAHUBSWEEPER000001', secretAccessKey: 'hub-secret' };
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

let sample: ReturnType<typeof sampleOrganization>;
let sts: StsEmulator;
let organizations: OrganizationsEmulator;

beforeAll(async () => {
  sample = sampleOrganization({ members: 5, externalId: 'org-archive', callers: { [HUB_KEY.accessKeyId]: 'arn:aws:iam::111111111111:role/SessionArchiveSweeper' }, acceptUnknownCallers: false });
  sts = await startStsEmulator({ organization: sample.organization });
  organizations = await startOrganizationsEmulator({ organization: sample.organization, maxPageSize: 2 });
});
afterAll(async () => {
  await sts.close();
  await organizations.close();
});

it('plans every account x region and reaches each target in its own account, one AssumeRole per member', async () => {
  const { organization, memberIds } = sample;
  const hub = { accountId: organization.hubAccountId, region: 'eu-west-1' };
  const config = parseTargetsConfig({ organization: { rootId: organization.rootId, externalId: 'org-archive', regions: REGIONS } });
  const directory = new OrganizationsAccountDirectory(new OrganizationsJsonClient({ endpoint: organizations.endpoint, credentials: HUB_KEY }), { pageSize: 2 });
  const plan = await planTargets(config, hub, directory);
  expect(plan.targets).toHaveLength((memberIds.length + 1) * REGIONS.length);

  const memberCredentials = new MemberCredentials({ sts: new STSClient({ region: hub.region, endpoint: sts.endpoint, credentials: HUB_KEY }) });
  const seen = await Promise.all(
    plan.targets.map(async (target) => {
      const client = new STSClient({ region: target.region, endpoint: sts.endpoint, credentials: memberCredentials.providerForAccess(target.access) ?? HUB_KEY });
      const identity = await client.send(new GetCallerIdentityCommand({}));
      return [target.key, identity.Account];
    }),
  );
  expect(seen).toEqual(plan.targets.map((target) => [target.key, target.accountId]));
  expect(sts.stats.assumeRoleByAccount).toEqual(Object.fromEntries(memberIds.map((id) => [id, 1])));
  expect(memberCredentials.assumeRoleCalls).toBe(memberIds.length);
});
