/**
 * The emulated organisation speaks AWS's wire protocols: the AWS CLI (a second, independent client)
 * assumes a member role through the STS emulator and lists that account's own sessions through
 * the organisation's SSM endpoint; the same checks run through the SDK, so each client takes one
 * path whatever else is installed.
 */
import { DescribeSessionsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../lambdas/core/shared/time';
import { sampleOrganization, startStsEmulator, type StsEmulator } from '../../local/emulators';
import { startOrganizationSsm, type OrganizationSsm } from '../../local/emulators/ssm-organization';
import { ManualClock } from '../../local/ssm-emulator';
import { describeWithAwsCli, runAwsCli, type CliCredentials } from '../support/aws-cli';

const HUB_KEY = { accessKeyId: 'AKIAHUBSWEEPER000009', secretAccessKey: 'hub-secret' };
const now = Date.UTC(2026, 10, 1);
let sample: ReturnType<typeof sampleOrganization>;
let sts: StsEmulator;
let ssm: OrganizationSsm;

beforeAll(async () => {
  sample = sampleOrganization({ members: 2, externalId: 'cli-check', callers: { [HUB_KEY.accessKeyId]: 'arn:aws:iam::111111111111:role/SessionArchiveSweeper' }, acceptUnknownCallers: false });
  sts = await startStsEmulator({ organization: sample.organization });
  ssm = await startOrganizationSsm({ organization: sample.organization, emulator: { clock: new ManualClock(now) } });
  for (const [i, accountId] of sample.memberIds.entries()) {
    (await ssm.target(accountId, 'eu-west-1')).generateSessions({ count: 40 + 10 * i, seed: 50 + i, fromMs: now - 10 * DAY_MS, toMs: now, openFraction: 0 });
  }
});
afterAll(async () => {
  await sts.close();
  await ssm.close();
});

type Client = 'cli' | 'sdk';

async function assumeMember(client: Client, accountId: string): Promise<CliCredentials> {
  const roleArn = `arn:aws:iam::${accountId}:role/SessionArchiveMember`;
  if (client === 'cli') {
    const result = await runAwsCli(['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'cli-check', '--external-id', 'cli-check', '--endpoint-url', sts.endpoint, '--region', 'eu-west-1', '--output', 'json'], HUB_KEY);
    expect(result.code, result.stderr).toBe(0);
    const { Credentials } = JSON.parse(result.stdout) as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } };
    return { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretAccessKey, sessionToken: Credentials.SessionToken };
  }
  const stsClient = new STSClient({ region: 'eu-west-1', endpoint: sts.endpoint, credentials: HUB_KEY });
  const { Credentials } = await stsClient.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'cli-check', ExternalId: 'cli-check' }));
  stsClient.destroy();
  return { accessKeyId: Credentials?.AccessKeyId ?? '', secretAccessKey: Credentials?.SecretAccessKey ?? '', sessionToken: Credentials?.SessionToken ?? '' };
}

/** The account's History as the client lists it, or the error code it was refused with. */
async function historyIds(client: Client, credentials: CliCredentials): Promise<{ ids: string[] } | { refused: string }> {
  if (client === 'cli') {
    const result = await runAwsCli(['ssm', 'describe-sessions', '--state', 'History', '--endpoint-url', ssm.endpoint, '--region', 'eu-west-1', '--output', 'json'], credentials);
    if (result.code !== 0) return { refused: /\(([A-Za-z]+)\)/.exec(result.stderr)?.[1] ?? result.stderr };
    return { ids: (JSON.parse(result.stdout) as { Sessions: { SessionId: string }[] }).Sessions.map((session) => session.SessionId) };
  }
  const ssmClient = new SSMClient({ region: 'eu-west-1', endpoint: ssm.endpoint, credentials: { ...credentials, sessionToken: credentials.sessionToken ?? '' }, maxAttempts: 1 });
  try {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await ssmClient.send(new DescribeSessionsCommand({ State: 'History', NextToken: token }));
      ids.push(...(page.Sessions ?? []).map((session) => session.SessionId ?? ''));
      token = page.NextToken;
    } while (token);
    return { ids };
  } catch (error: unknown) {
    return { refused: error instanceof Error ? error.name : String(error) };
  } finally {
    ssmClient.destroy();
  }
}

function organisationChecks(client: Client): void {
  it("assumes a member role and lists that account's own sessions, and only those", async () => {
    for (const accountId of sample.memberIds) {
      const emulator = await ssm.target(accountId, 'eu-west-1');
      const expected = emulator.allSessions().filter((session) => emulator.stateOf(session) === 'History').map((session) => session.sessionId);
      expect(expected.length).toBeGreaterThan(30);
      const listed = await historyIds(client, await assumeMember(client, accountId));
      expect('ids' in listed ? listed.ids.sort() : listed).toEqual(expected.sort());
    }
  });

  it('refuses a region the member has not enabled, as AWS does', async () => {
    const [member] = sample.memberIds as [string];
    const credentials = await assumeMember(client, member);
    sample.organization.setRegionEnabled(member, 'eu-west-1', false);
    try {
      expect(await historyIds(client, credentials)).toEqual({ refused: 'UnrecognizedClientException' });
    } finally {
      sample.organization.setRegionEnabled(member, 'eu-west-1', true);
    }
  });
}

describeWithAwsCli('the organisation through the AWS CLI', () => organisationChecks('cli'));
describe('the organisation through the SDK', () => organisationChecks('sdk'));
