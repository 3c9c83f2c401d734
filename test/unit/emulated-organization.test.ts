/** The emulated organisation both emulators answer from: ids, callers, credentials, regions. */
import { describe, expect, it } from 'vitest';
import { ORGANIZATIONAL_UNIT_ID_PATTERN, ROOT_ID_PATTERN } from '../../lambdas/core/targets/targets';
import { accountOfAccessKey, authenticateCaller, EmulatedOrganization, sampleOrganization } from '../../local/emulators';

describe('the organisation tree', () => {
  it('makes ids of the shapes AWS uses, and refuses duplicates and unknown parents', () => {
    const organization = new EmulatedOrganization();
    expect(organization.rootId).toMatch(ROOT_ID_PATTERN);
    const unit = organization.addOrganizationalUnit(organization.rootId, 'prod');
    const nested = organization.addOrganizationalUnit(unit, 'prod-eu');
    expect([unit, nested].every((id) => ORGANIZATIONAL_UNIT_ID_PATTERN.test(id))).toBe(true);
    expect(organization.unitsOf(organization.rootId).map((u) => u.id)).toEqual([unit]);
    const first = organization.addAccount({ parentId: nested });
    expect(first.id).toBe('200000000001');
    expect(organization.addAccount({ id: '200000000002' }).id).toBe('200000000002');
    expect(organization.addAccount().id).toBe('200000000003');
    expect(() => organization.addAccount({ id: '200000000001' })).toThrow('account 200000000001 is already in the organisation');
    expect(() => organization.addAccount({ id: '12345' })).toThrow('account id must be 12 digits');
    expect(() => organization.addAccount({ parentId: 'ou-ex01-zzzzzzzz' })).toThrow('no root or OU "ou-ex01-zzzzzzzz"');
    organization.moveAccount(first.id, organization.rootId);
    expect(organization.accountsOf(organization.rootId).map((a) => a.id)).toEqual([first.id, '200000000002', '200000000003']);
  });

  it('keeps opt-in regions per account', () => {
    const organization = new EmulatedOrganization();
    const account = organization.addAccount({ disabledRegions: ['me-south-1'] }).id;
    expect(organization.isRegionEnabled(account, 'me-south-1')).toBe(false);
    expect(organization.isRegionEnabled(account, 'eu-west-1')).toBe(true);
    organization.setRegionEnabled(account, 'me-south-1', true);
    organization.setRegionEnabled(account, 'ap-east-1', false);
    expect([organization.isRegionEnabled(account, 'me-south-1'), organization.isRegionEnabled(account, 'ap-east-1')]).toEqual([true, false]);
  });
});

describe('callers', () => {
  it('tells the account of issued, known and unknown keys', () => {
    const organization = new EmulatedOrganization({ hubAccountId: '333333333333', callers: { AKIAAUDITOR000000001: 'arn:aws:iam::444444444444:user/auditor' } });
    const member = organization.addAccount().id;
    const issued = organization.credentials.issue({ accountId: member, roleName: 'SessionArchiveMember', roleSessionName: 's', durationSeconds: 900, nowMs: 0 });
    expect(organization.accountOfCaller(issued.accessKeyId)).toBe(member);
    expect(organization.accountOfCaller('AKIAAUDITOR000000001')).toBe('444444444444');
    expect(organization.accountOfCaller('AKIAANYONE0000000001')).toBe('333333333333');
    expect(organization.principalOf('AKIAANYONE0000000001')).toBe('arn:aws:iam::333333333333:role/SessionArchiveSweeper');
    // A temporary key in the right shape that this organisation never issued belongs to nobody.
    expect(accountOfAccessKey('ASIA999999999999ZZZZ')).toBe('999999999999');
    expect(organization.principalOf('ASIA999999999999ZZZZ')).toBeUndefined();
    expect(new EmulatedOrganization({ acceptUnknownCallers: false }).accountOfCaller('AKIAANYONE0000000001')).toBeUndefined();
  });

  it('accepts issued credentials only with their token and before they expire', () => {
    let now = 1_000_000;
    const organization = new EmulatedOrganization({ now: () => now });
    const issued = organization.credentials.issue({ accountId: organization.addAccount().id, roleName: 'R', roleSessionName: 'rs', durationSeconds: 900, nowMs: now });
    expect(authenticateCaller(organization, issued.accessKeyId, issued.sessionToken)).toMatchObject({ ok: true, accountId: issued.accountId, identityArn: issued.assumedRoleArn });
    expect(authenticateCaller(organization, issued.accessKeyId, 'stolen')).toMatchObject({ ok: false, code: 'InvalidClientTokenId' });
    now = issued.expiresAtMs;
    expect(authenticateCaller(organization, issued.accessKeyId, issued.sessionToken)).toMatchObject({ ok: false, code: 'ExpiredToken' });
  });
});

describe('the sample organisation', () => {
  it('puts the management account under the root and ACTIVE members with their role in an OU and a nested OU', () => {
    const { organization, memberIds, organizationalUnitIds } = sampleOrganization({ members: 3, externalId: 'x-archive' });
    expect(organization.accountsOf(organization.rootId).map((a) => a.id)).toEqual([organization.managementAccountId]);
    expect(organization.accountsOf(organizationalUnitIds[0]).map((a) => a.id)).toEqual([memberIds[0], memberIds[2]]);
    expect(organization.accountsOf(organizationalUnitIds[1]).map((a) => a.id)).toEqual([memberIds[1]]);
    expect(organization.unit(organizationalUnitIds[1])?.parentId).toBe(organizationalUnitIds[0]);
    for (const id of memberIds) expect(organization.account(id)).toMatchObject({ state: 'ACTIVE', role: { name: 'SessionArchiveMember', externalId: 'x-archive' } });
  });
});
