/**
 * Member-account credentials through the real SDK v3 STS client against the STS emulator:
 * an SSMClient signs with the member's credentials, AssumeRole runs once per role while the
 * credentials last (counted at the emulator), and each failure has a kind a coverage record
 * can keep.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeSessionsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AssumeRoleError, MemberCredentials, type MemberRole } from '../../lambdas/adapters/aws/member-credentials';
import { EmulatedOrganization } from '../../local/emulators/organization-model';
import { accountOfAccessKey, startStsEmulator, type StsEmulator } from '../../local/emulators/sts';
import { startSsmEmulator, type SsmEmulator } from '../../local/ssm-emulator';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const MINUTE = 60_000;
const HUB_KEY = { accessKeyId: 'AKIAHUBSWEEPER000001', secretAccessKey: 'hub-secret' };
const EXTERNAL_ID = 'archive-7f3c';

let clock = NOW;
let organization: EmulatedOrganization;
let sts: StsEmulator;
let ssm: SsmEmulator;
let member: string;

function hubSts(maxAttempts = 1, credentials = HUB_KEY): STSClient {
  return new STSClient({ region: 'eu-west-1', endpoint: sts.endpoint, credentials, maxAttempts });
}

function cache(options: { maxAttempts?: number; durationSeconds?: number; credentials?: typeof HUB_KEY } = {}): MemberCredentials {
  return new MemberCredentials({ sts: hubSts(options.maxAttempts, options.credentials), now: () => clock, ...(options.durationSeconds ? { durationSeconds: options.durationSeconds } : {}) });
}

function roleOf(accountId: string, externalId = EXTERNAL_ID): MemberRole {
  return { roleArn: `arn:aws:iam::${accountId}:role/SessionArchiveMember`, externalId };
}

async function failureOf(promise: Promise<unknown>): Promise<AssumeRoleError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof AssumeRoleError) return error;
    throw error;
  }
  throw new Error('expected AssumeRole to fail');
}

beforeAll(async () => {
  organization = new EmulatedOrganization({ callers: { [HUB_KEY.accessKeyId]: 'arn:aws:iam::111111111111:role/SessionArchiveSweeper' }, acceptUnknownCallers: false, now: () => clock });
  sts = await startStsEmulator({ organization });
  ssm = await startSsmEmulator();
});
afterAll(async () => {
  await sts.close();
  await ssm.close();
});
beforeEach(() => {
  clock = NOW;
  member = organization.addAccount({ role: { externalId: EXTERNAL_ID } }).id;
  sts.resetStats();
});

describe('credentials for a member account', () => {
  it('sign an SSMClient as the member, with one AssumeRole for many calls', async () => {
    const credentials = cache();
    const signedWith: Array<{ accessKeyId: string | undefined; token: unknown }> = [];
    const client = new SSMClient({ region: 'eu-west-1', endpoint: ssm.endpoint, credentials: credentials.providerFor(roleOf(member)), maxAttempts: 1 });
    // The deserialize step sees the request as sent: signed.
    client.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers: Record<string, string> }).headers;
        signedWith.push({ accessKeyId: /Credential=([^/]+)\//.exec(headers.authorization ?? '')?.[1], token: headers['x-amz-security-token'] });
        return next(args);
      },
      { step: 'deserialize', name: 'recordSigner' },
    );
    for (let i = 0; i < 5; i++) await client.send(new DescribeSessionsCommand({ State: 'History' }));

    expect(signedWith).toHaveLength(5);
    expect(new Set(signedWith.map((call) => call.accessKeyId)).size).toBe(1);
    expect(accountOfAccessKey(signedWith[0]?.accessKeyId as string)).toBe(member);
    expect(signedWith.every((call) => typeof call.token === 'string' && call.token.startsWith('emulated/'))).toBe(true);
    expect(sts.stats.assumeRoleByAccount[member]).toBe(1);
    expect(credentials.assumeRoleCalls).toBe(1);
  });

  it('name the archive as the role session, visible to the member account', async () => {
    const asMember = new STSClient({ region: 'eu-west-1', endpoint: sts.endpoint, credentials: cache().providerFor(roleOf(member)) });
    const identity = await asMember.send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: member, Arn: `arn:aws:sts::${member}:assumed-role/SessionArchiveMember/session-archive` });
  });

  it('share one AssumeRole among concurrent callers, and keep roles apart', async () => {
    const other = organization.addAccount({ role: { externalId: EXTERNAL_ID } }).id;
    const credentials = cache();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => credentials.credentialsFor(roleOf(i % 2 === 0 ? member : other))));
    expect(new Set(results.map((result) => result.accessKeyId)).size).toBe(2);
    expect(results.map((result) => accountOfAccessKey(result.accessKeyId))).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? member : other)));
    expect(sts.stats.assumeRoleByAccount).toEqual({ [member]: 1, [other]: 1 });
  });

  it('are reused for their lifetime and renewed shortly before they expire', async () => {
    const credentials = cache({ durationSeconds: 900 });
    const first = await credentials.credentialsFor(roleOf(member));
    expect(first.expiration?.getTime()).toBe(NOW + 15 * MINUTE);
    clock = NOW + 8 * MINUTE;
    expect((await credentials.credentialsFor(roleOf(member))).accessKeyId).toBe(first.accessKeyId);
    expect(sts.stats.assumeRoleByAccount[member]).toBe(1);
    clock = NOW + 10 * MINUTE;
    const renewed = await credentials.credentialsFor(roleOf(member));
    expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
    expect(renewed.expiration?.getTime()).toBe(NOW + 25 * MINUTE);
    expect(sts.stats.assumeRoleByAccount[member]).toBe(2);
  });

  it('leave the hub account to the client default credentials', () => {
    const credentials = cache();
    expect(credentials.providerForAccess({ kind: 'hub' })).toBeUndefined();
    expect(typeof credentials.providerForAccess({ kind: 'assume-role', roleArn: roleOf(member).roleArn })).toBe('function');
  });
});

describe('failures have a kind and are not cached', () => {
  it('a missing role, a wrong or missing external id, and a denied account are access-denied', async () => {
    const credentials = cache();
    organization.setMemberRole(member, null);
    const missing = await failureOf(credentials.credentialsFor(roleOf(member)));
    expect(missing.kind).toBe('access-denied');
    expect(missing.roleArn).toBe(roleOf(member).roleArn);
    expect(missing.message).toBe(
      `cannot assume ${roleOf(member).roleArn}: AccessDenied: User: arn:aws:iam::111111111111:role/SessionArchiveSweeper is not authorized to perform: sts:AssumeRole on resource: ${roleOf(member).roleArn}`,
    );
    organization.setMemberRole(member, { externalId: EXTERNAL_ID });
    expect((await failureOf(credentials.credentialsFor(roleOf(member, 'other-id')))).kind).toBe('access-denied');
    expect((await failureOf(credentials.credentialsFor({ roleArn: roleOf(member).roleArn }))).kind).toBe('access-denied');
    organization.setAssumeRoleFault(member, 'access-denied');
    expect((await failureOf(credentials.credentialsFor(roleOf(member)))).kind).toBe('access-denied');

    // Fixed: the next call assumes the role again instead of replaying the failure.
    organization.setAssumeRoleFault(member, undefined);
    expect(accountOfAccessKey((await credentials.credentialsFor(roleOf(member))).accessKeyId)).toBe(member);
    expect(credentials.assumeRoleCalls).toBe(5);
  });

  it('throttling is throttled once the SDK retries are spent', async () => {
    organization.setAssumeRoleFault(member, 'throttle');
    const credentials = cache({ maxAttempts: 2 });
    const throttled = await failureOf(credentials.credentialsFor(roleOf(member)));
    expect(throttled.kind).toBe('throttled');
    expect(sts.stats.assumeRoleByAccount[member]).toBe(2);
    expect(credentials.assumeRoleCalls).toBe(1);
  });

  it("the hub's own credentials refused is hub-credentials, not the member's fault", async () => {
    const credentials = cache({ credentials: { accessKeyId: 'AKIAREVOKED000000001', secretAccessKey: 'x' } });
    expect((await failureOf(credentials.credentialsFor(roleOf(member)))).kind).toBe('hub-credentials');
  });

  it('refuses settings STS would refuse, before any call', () => {
    expect(() => new MemberCredentials({ sts: hubSts(), roleSessionName: 'has space' })).toThrow('roleSessionName must be');
    expect(() => new MemberCredentials({ sts: hubSts(), durationSeconds: 60 })).toThrow('durationSeconds must be a whole number from 900 to 43200');
  });
});
