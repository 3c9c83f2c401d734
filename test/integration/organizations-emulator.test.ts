/**
 * The Organizations emulator over HTTP: a signed AWS JSON 1.1 caller and the AWS CLI (when
 * installed) walking nested OUs through tiny and empty pages, account states, the errors AWS
 * gives for bad input, and who may call.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatedOrganization } from '../../local/emulators/organization-model';
import { OrganizationsJsonClient, OrganizationsServiceError } from '../../local/emulators/organizations-client';
import { startOrganizationsEmulator, type OrganizationsEmulator } from '../../local/emulators/organizations';
import { startStsEmulator, type StsEmulator } from '../../local/emulators/sts';
import { describeWithAwsCli, runAwsCli } from '../support/aws-cli';

const HUB_KEY = { accessKeyId: 'AKIAHUBSWEEPER000001', secretAccessKey: 'hub-secret' };

let organization: EmulatedOrganization;
let emulator: OrganizationsEmulator;
let client: OrganizationsJsonClient;
let prod: string;
let prodEu: string;
let sandbox: string;
const accountsIn: Record<string, string[]> = {};

async function failureOf(promise: Promise<unknown>): Promise<OrganizationsServiceError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof OrganizationsServiceError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** Every item of one listing, following NextToken by hand; also how many pages it took. */
async function listAll(parentId: string, maxResults?: number): Promise<{ ids: string[]; pages: number; emptyPages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let emptyPages = 0;
  let token: string | undefined;
  do {
    const page = await client.listAccountsForParent({ ParentId: parentId, ...(maxResults ? { MaxResults: maxResults } : {}), ...(token ? { NextToken: token } : {}) });
    pages += 1;
    if ((page.Accounts ?? []).length === 0) emptyPages += 1;
    ids.push(...(page.Accounts ?? []).map((account) => account.Id as string));
    token = page.NextToken;
  } while (token !== undefined);
  return { ids, pages, emptyPages };
}

/** Every child of one type, following NextToken (any page may be empty). */
async function childrenOf(parentId: string, ChildType: 'ACCOUNT' | 'ORGANIZATIONAL_UNIT'): Promise<Array<{ Id?: string; Type?: string }>> {
  const children: Array<{ Id?: string; Type?: string }> = [];
  let token: string | undefined;
  do {
    const page = await client.listChildren({ ParentId: parentId, ChildType, ...(token ? { NextToken: token } : {}) });
    children.push(...(page.Children ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return children;
}

async function rootIds(caller = client): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await caller.listRoots(token ? { NextToken: token } : {});
    ids.push(...(page.Roots ?? []).map((root) => root.Id as string));
    token = page.NextToken;
  } while (token !== undefined);
  return ids;
}

beforeAll(async () => {
  organization = new EmulatedOrganization({ callers: { [HUB_KEY.accessKeyId]: 'arn:aws:iam::111111111111:role/SessionArchiveSweeper' }, acceptUnknownCallers: false });
  prod = organization.addOrganizationalUnit(organization.rootId, 'prod');
  prodEu = organization.addOrganizationalUnit(prod, 'prod-eu');
  sandbox = organization.addOrganizationalUnit(organization.rootId, 'sandbox');
  const add = (parentId: string, count: number, state?: 'SUSPENDED' | 'PENDING_CLOSURE') => {
    for (let i = 0; i < count; i++) (accountsIn[parentId] ??= []).push(organization.addAccount({ parentId, ...(state ? { state } : {}) }).id);
  };
  add(organization.rootId, 1);
  add(prod, 7);
  add(prodEu, 3);
  add(prodEu, 1, 'SUSPENDED');
  add(sandbox, 1, 'PENDING_CLOSURE');
  emulator = await startOrganizationsEmulator({ organization, maxPageSize: 2, emptyPageEvery: 3 });
  client = new OrganizationsJsonClient({ endpoint: emulator.endpoint, credentials: HUB_KEY });
});
afterAll(() => emulator.close());

describe('paging', () => {
  it('serves every account of a parent exactly once across pages of at most maxPageSize, some empty with a NextToken', async () => {
    const { ids, pages, emptyPages } = await listAll(prod);
    expect(ids).toEqual(accountsIn[prod]);
    expect(pages).toBeGreaterThan(Math.ceil(7 / 2));
    expect(emptyPages).toBeGreaterThan(0);
  });

  it('takes MaxResults below the page size, and refuses it outside 1..20', async () => {
    const { ids, pages } = await listAll(prodEu, 1);
    expect(ids).toEqual(accountsIn[prodEu]);
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(await failureOf(client.listAccountsForParent({ ParentId: prod, MaxResults: 21 }))).toMatchObject({ name: 'InvalidInputException', body: { Reason: 'MAX_VALUE_EXCEEDED' } });
    expect(await failureOf(client.listAccountsForParent({ ParentId: prod, MaxResults: 0 }))).toMatchObject({ name: 'InvalidInputException', body: { Reason: 'MIN_VALUE_EXCEEDED' } });
  });

  it("refuses a NextToken from another listing or that it never issued", async () => {
    const first = await client.listAccountsForParent({ ParentId: prod });
    expect(first.NextToken).toBeDefined();
    const foreign = await failureOf(client.listAccountsForParent({ ParentId: prodEu, NextToken: first.NextToken as string }));
    expect(foreign).toMatchObject({ name: 'InvalidInputException', status: 400, body: { Reason: 'INVALID_NEXT_TOKEN' } });
    expect(await failureOf(client.listChildren({ ParentId: prod, ChildType: 'ACCOUNT', NextToken: 'garbage' }))).toMatchObject({ body: { Reason: 'INVALID_NEXT_TOKEN' } });
  });
});

describe('the tree and the accounts', () => {
  it('lists the root, child OUs per parent, and account children', async () => {
    expect(await rootIds()).toEqual([organization.rootId]);
    expect(await childrenOf(organization.rootId, 'ORGANIZATIONAL_UNIT')).toEqual([
      { Id: prod, Type: 'ORGANIZATIONAL_UNIT' },
      { Id: sandbox, Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    expect(await childrenOf(prod, 'ORGANIZATIONAL_UNIT')).toEqual([{ Id: prodEu, Type: 'ORGANIZATIONAL_UNIT' }]);
    expect(await childrenOf(prodEu, 'ORGANIZATIONAL_UNIT')).toEqual([]);
    expect(await childrenOf(organization.rootId, 'ACCOUNT')).toEqual(accountsIn[organization.rootId]?.map((Id) => ({ Id, Type: 'ACCOUNT' })));
  });

  it('describes accounts with State (and no retired Status unless asked), and an account added at run time is listed at once', async () => {
    const suspended = accountsIn[prodEu]?.[3] as string;
    const described = await client.describeAccount({ AccountId: suspended });
    expect(described.Account).toMatchObject({ Id: suspended, State: 'SUSPENDED' });
    expect(described.Account).not.toHaveProperty('Status');
    const joined = organization.addAccount({ parentId: sandbox }).id;
    expect((await listAll(sandbox)).ids).toEqual([...(accountsIn[sandbox] ?? []), joined]);
    organization.removeAccount(joined);
    expect((await listAll(sandbox)).ids).toEqual(accountsIn[sandbox]);
    expect(await failureOf(client.describeAccount({ AccountId: joined }))).toMatchObject({ name: 'AccountNotFoundException' });
  });

  it('answers bad input with the error AWS gives, naming the problem', async () => {
    expect(await failureOf(client.listChildren({ ParentId: 'ou-ex01-zzzzzzzz', ChildType: 'ACCOUNT' }))).toMatchObject({
      name: 'ParentNotFoundException',
      message: "We can't find a root or OU with the ParentId that you specified.",
    });
    expect(await failureOf(client.listAccountsForParent({ ParentId: 'prod' }))).toMatchObject({ name: 'InvalidInputException', body: { Reason: 'INVALID_PATTERN' } });
    expect(await failureOf(client.call('ListChildren', { ParentId: prod }))).toMatchObject({ body: { Reason: 'INPUT_REQUIRED' } });
    expect(await failureOf(client.call('ListChildren', { ParentId: prod, ChildType: 'POLICY' }))).toMatchObject({ body: { Reason: 'INVALID_ENUM' } });
    expect(await failureOf(client.call('DeleteOrganization', {}))).toMatchObject({ name: 'UnknownOperationException' });
  });
});

describe('who may call', () => {
  let sts: StsEmulator;
  beforeAll(async () => {
    sts = await startStsEmulator({ organization });
  });
  afterAll(() => sts.close());

  it('refuses a member account (AccessDenied), an unknown key, and an unsigned request; answers a throttling fault with TooManyRequestsException', async () => {
    const member = organization.addAccount({ parentId: sandbox }).id;
    const assumed = await new STSClient({ region: 'us-east-1', endpoint: sts.endpoint, credentials: HUB_KEY }).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/SessionArchiveMember`, RoleSessionName: 'probe' }),
    );
    const asMember = new OrganizationsJsonClient({
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: assumed.Credentials?.AccessKeyId as string, secretAccessKey: assumed.Credentials?.SecretAccessKey as string, sessionToken: assumed.Credentials?.SessionToken as string },
    });
    expect(await failureOf(asMember.listRoots())).toMatchObject({ name: 'AccessDeniedException', message: "You don't have permissions to access this resource." });
    const stranger = new OrganizationsJsonClient({ endpoint: emulator.endpoint, credentials: { accessKeyId: 'AKIANOBODY0000000001', secretAccessKey: 'x' } });
    expect(await failureOf(stranger.listRoots())).toMatchObject({ name: 'UnrecognizedClientException' });
    const unsigned = await fetch(emulator.endpoint, { method: 'POST', headers: { 'X-Amz-Target': 'AWSOrganizationsV20161128.ListRoots' }, body: '{}' });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });

    emulator.setFault('throttle', 1);
    expect(await failureOf(client.listRoots())).toMatchObject({ name: 'TooManyRequestsException', body: { Type: 'Throttling' } });
    expect(await rootIds()).toEqual([organization.rootId]);
    organization.removeAccount(member);
  });
});

describeWithAwsCli('the AWS CLI against the Organizations emulator', () => {
  it('list-accounts-for-parent and list-children follow every NextToken to the same result', async () => {
    const expectedProd = accountsIn[prod] as string[];
    emulator.resetStats();
    const accounts = await runAwsCli(['organizations', 'list-accounts-for-parent', '--parent-id', prod, '--endpoint-url', emulator.endpoint], HUB_KEY);
    expect(accounts.stderr).toBe('');
    const listed = JSON.parse(accounts.stdout) as { Accounts: Array<{ Id: string; Arn: string }>; NextToken?: string };
    expect(listed.Accounts.map((account) => account.Id)).toEqual(expectedProd);
    // Debian's CLI (2.9) predates the State member and drops it; the SDK test above checks State.
    expect(listed.Accounts.every((account) => account.Arn.endsWith(`/${account.Id}`))).toBe(true);
    expect(listed.NextToken).toBeUndefined();
    expect(emulator.stats.byOperation.ListAccountsForParent).toBeGreaterThan(Math.ceil(expectedProd.length / 2));
    const units = await runAwsCli(['organizations', 'list-children', '--parent-id', organization.rootId, '--child-type', 'ORGANIZATIONAL_UNIT', '--endpoint-url', emulator.endpoint], HUB_KEY);
    expect((JSON.parse(units.stdout) as { Children: Array<{ Id: string }> }).Children.map((child) => child.Id)).toEqual([prod, sandbox]);
    const missing = await runAwsCli(['organizations', 'list-children', '--parent-id', 'ou-ex01-zzzzzzzz', '--child-type', 'ACCOUNT', '--endpoint-url', emulator.endpoint], HUB_KEY);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('(ParentNotFoundException) when calling the ListChildren operation');
  });
});

describe('the Organizations emulator to the signed caller', () => {
  it('list-accounts-for-parent follows every NextToken to the same result', async () => {
    const expectedProd = accountsIn[prod] as string[];
    expect((await listAll(prod)).ids).toEqual(expectedProd);
  });
});
