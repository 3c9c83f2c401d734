/**
 * The STS emulator through the real SDK v3 STS client, the AWS CLI (when installed) and raw
 * query-protocol requests: AssumeRole into member roles of an emulated organisation, the
 * faults a member can have, and credentials that tell their account.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmulatedOrganization } from '../../local/emulators/organization-model';
import { accountOfAccessKey, startStsEmulator, type StsEmulator } from '../../local/emulators/sts';
import { describeWithAwsCli, runAwsCli } from '../support/aws-cli';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const HUB_KEY = { accessKeyId: 'AKIAHUBSWEEPER000001', secretAccessKey: 'hub-secret' };
const STRANGER_KEY = { accessKeyId: 'AKIASTRANGER00000001', secretAccessKey: 'stranger-secret' };
const EXTERNAL_ID = 'archive-7f3c';

let clock = NOW;
let organization: EmulatedOrganization;
let sts: StsEmulator;
let member: string;

function stsClient(credentials: AwsCredentialIdentity = HUB_KEY, maxAttempts = 1): STSClient {
  return new STSClient({ region: 'eu-west-1', endpoint: sts.endpoint, credentials, maxAttempts });
}

function assume(accountId: string, extra: Partial<AssumeRoleCommandInput> = {}, client = stsClient()) {
  return client.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/SessionArchiveMember`, RoleSessionName: 'session-archive', ExternalId: EXTERNAL_ID, ...extra }),
  );
}

async function failureOf(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error: unknown) {
    const failed = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: failed.name, message: failed.message, status: failed.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  organization = new EmulatedOrganization({
    hubAccountId: '111111111111',
    callers: { [HUB_KEY.accessKeyId]: 'arn:aws:iam::111111111111:role/SessionArchiveSweeper', [STRANGER_KEY.accessKeyId]: 'arn:aws:iam::111111111111:user/someone-else' },
    acceptUnknownCallers: false,
    now: () => clock,
  });
  sts = await startStsEmulator({ organization });
});
afterAll(() => sts.close());
beforeEach(() => {
  clock = NOW;
  member = organization.addAccount({ role: { externalId: EXTERNAL_ID } }).id;
  sts.resetStats();
});

describe('AssumeRole into a member role', () => {
  it('issues credentials whose access key id tells the member account, and that act in it', async () => {
    const output = await assume(member, { DurationSeconds: 900 });
    const credentials = output.Credentials;
    expect(credentials?.AccessKeyId).toMatch(/^ASIA\d{12}[A-Z0-9]{4}$/);
    expect(accountOfAccessKey(credentials?.AccessKeyId as string)).toBe(member);
    expect(accountOfAccessKey(HUB_KEY.accessKeyId)).toBeUndefined();
    expect(credentials?.Expiration?.getTime()).toBe(NOW + 900_000);
    expect(output.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${member}:assumed-role/SessionArchiveMember/session-archive`);

    const asMember = stsClient({
      accessKeyId: credentials?.AccessKeyId as string,
      secretAccessKey: credentials?.SecretAccessKey as string,
      sessionToken: credentials?.SessionToken as string,
    });
    const identity = await asMember.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(member);
    expect(identity.Arn).toBe(`arn:aws:sts::${member}:assumed-role/SessionArchiveMember/session-archive`);
    expect(sts.stats.assumeRoleByAccount[member]).toBe(1);
  });

  it('refuses temporary credentials once they expire, or without their session token', async () => {
    const credentials = (await assume(member, { DurationSeconds: 900 })).Credentials;
    const keys = { accessKeyId: credentials?.AccessKeyId as string, secretAccessKey: credentials?.SecretAccessKey as string };
    const noToken = await failureOf(stsClient(keys).send(new GetCallerIdentityCommand({})));
    expect(noToken).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
    clock = NOW + 900_000;
    const expired = await failureOf(stsClient({ ...keys, sessionToken: credentials?.SessionToken as string }).send(new GetCallerIdentityCommand({})));
    expect(expired).toMatchObject({ name: 'ExpiredToken', status: 400 });
  });

  it('is denied without the external id, with a wrong one, and to a principal the role does not trust', async () => {
    const expectedMessage = `User: arn:aws:iam::111111111111:role/SessionArchiveSweeper is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${member}:role/SessionArchiveMember`;
    expect(await failureOf(assume(member, { ExternalId: undefined }))).toEqual({ name: 'AccessDenied', message: expectedMessage, status: 403 });
    expect(await failureOf(assume(member, { ExternalId: 'wrong-id' }))).toMatchObject({ name: 'AccessDenied', status: 403 });
    const stranger = await failureOf(assume(member, {}, stsClient(STRANGER_KEY)));
    expect(stranger).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(stranger.message).toContain('arn:aws:iam::111111111111:user/someone-else');
  });

  it('is denied when the role is missing, the account is not ACTIVE, or the account left the organisation', async () => {
    organization.setMemberRole(member, null);
    expect(await failureOf(assume(member))).toMatchObject({ name: 'AccessDenied', status: 403 });
    organization.setMemberRole(member, { externalId: EXTERNAL_ID });
    expect((await assume(member)).Credentials?.AccessKeyId).toBeDefined();

    const suspended = organization.addAccount({ state: 'SUSPENDED', role: { externalId: EXTERNAL_ID } }).id;
    expect(await failureOf(assume(suspended))).toMatchObject({ name: 'AccessDenied' });
    organization.removeAccount(member);
    expect(await failureOf(assume(member))).toMatchObject({ name: 'AccessDenied' });
    expect(await failureOf(assume('999999999999'))).toMatchObject({ name: 'AccessDenied' });
  });

  it('answers an access-denied fault with AccessDenied, and throttling with Throttling that the SDK retries', async () => {
    organization.setAssumeRoleFault(member, 'access-denied');
    expect(await failureOf(assume(member))).toMatchObject({ name: 'AccessDenied', status: 403 });

    organization.setAssumeRoleFault(member, 'throttle');
    sts.resetStats();
    const throttled = await failureOf(assume(member, {}, stsClient(HUB_KEY, 3)));
    expect(throttled).toEqual({ name: 'Throttling', message: 'Rate exceeded', status: 400 });
    // The SDK saw a throttling error and retried: every attempt reached the emulator.
    expect(sts.stats.assumeRoleByAccount[member]).toBe(3);
    expect(sts.stats.errors.Throttling).toBe(3);

    organization.setAssumeRoleFault(member, undefined);
    expect(accountOfAccessKey((await assume(member)).Credentials?.AccessKeyId as string)).toBe(member);
  });

  it('rejects bad parameters with ValidationError naming the parameter', async () => {
    const shortName = await failureOf(assume(member, { RoleSessionName: 'x' }));
    expect(shortName.name).toBe('ValidationError');
    expect(shortName.message).toContain("at 'roleSessionName'");
    const notARole = await failureOf(assume(member, { RoleArn: 'arn:aws:iam::123456789012:user/alice' }));
    expect(notARole.message).toContain("at 'roleArn'");
    const tooLong = await failureOf(assume(member, { DurationSeconds: 7200 }));
    expect(tooLong).toMatchObject({ name: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' });
    const tooShort = await failureOf(assume(member, { DurationSeconds: 60 }));
    expect(tooShort.message).toContain("at 'durationSeconds'");
  });

  it('refuses a caller it does not know, and a request without a SigV4 header, in the query-protocol XML error shape', async () => {
    const unknown = await failureOf(stsClient({ accessKeyId: 'AKIANOBODY0000000001', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})));
    expect(unknown).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });

    const response = await fetch(sts.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(response.status).toBe(403);
    const xml = await response.text();
    expect(xml).toMatch(/^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/);
    expect(xml).toMatch(/<RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/);

    const badAction = await fetch(sts.endpoint, { method: 'POST', body: 'Action=DeleteEverything&Version=2011-06-15' });
    expect(badAction.status).toBe(400);
    expect(await badAction.text()).toContain('<Code>InvalidAction</Code>');
  });
});

describeWithAwsCli('the AWS CLI against the STS emulator', () => {
  it('assumes a member role, and the credentials it got are the member account', async () => {
    const roleArn = `arn:aws:iam::${member}:role/SessionArchiveMember`;
    const assumed = await runAwsCli(['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'cli-check', '--external-id', EXTERNAL_ID, '--endpoint-url', sts.endpoint], HUB_KEY);
    expect(assumed.stderr).toBe('');
    const credentials = (JSON.parse(assumed.stdout) as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } }).Credentials;
    expect(accountOfAccessKey(credentials.AccessKeyId)).toBe(member);
    const identity = await runAwsCli(['sts', 'get-caller-identity', '--endpoint-url', sts.endpoint], {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
    });
    expect(JSON.parse(identity.stdout)).toEqual({ UserId: `AROA${member}:cli-check`, Account: member, Arn: `arn:aws:sts::${member}:assumed-role/SessionArchiveMember/cli-check` });
    const denied = await runAwsCli(['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'cli-check', '--endpoint-url', sts.endpoint], HUB_KEY);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('(AccessDenied) when calling the AssumeRole operation');
    expect(sts.stats.assumeRoleByAccount[member]).toBeGreaterThanOrEqual(1);
  });
});

describe('AssumeRole over raw HTTP', () => {
  it('assumes a member role as the CLI would ask, and the credentials it got are the member account', async () => {
    const roleArn = `arn:aws:iam::${member}:role/SessionArchiveMember`;
    const body = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: roleArn, RoleSessionName: 'cli-check', ExternalId: EXTERNAL_ID });
    const response = await fetch(sts.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
        Authorization: `AWS4-HMAC-SHA256 Credential=${HUB_KEY.accessKeyId}/20261130/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      },
      body: body.toString(),
    });
    expect(response.status).toBe(200);
    const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(await response.text())?.[1];
    expect(accountOfAccessKey(key as string)).toBe(member);
    expect(sts.stats.assumeRoleByAccount[member]).toBeGreaterThanOrEqual(1);
  });
});
