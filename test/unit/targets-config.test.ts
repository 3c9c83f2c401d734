/** The targets configuration (context keys `organization` and `targets`) and target keys. */
import { describe, expect, it } from 'vitest';
import { planTargets } from '../../lambdas/core/targets/target-planner';
import { parseTargetKey, parseTargetsConfig, targetKey, TargetKeyError, TargetsConfigError, toRawTargetsContext, type RawTargetsContext } from '../../lambdas/core/targets/targets';

function problemsOf(raw: RawTargetsContext): readonly string[] {
  try {
    parseTargetsConfig(raw);
  } catch (error: unknown) {
    if (error instanceof TargetsConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a TargetsConfigError');
}

const HUB = { accountId: '111111111111', region: 'eu-central-1' };

describe('target keys', () => {
  it('are source#account#region and read back to the same target', () => {
    const target = { source: 'ssm', accountId: '123456789012', region: 'eu-west-1' };
    expect(targetKey(target)).toBe('ssm#123456789012#eu-west-1');
    expect(parseTargetKey('ssm#123456789012#eu-west-1')).toEqual(target);
    expect(parseTargetKey('ssm#123456789012#us-gov-west-1').region).toBe('us-gov-west-1');
  });

  it.each(['ssm#12345678901#eu-west-1', 'ssm#123456789012', 'ssm#123456789012#eu-west-1#x', '#123456789012#eu-west-1', 'ssm#123456789012#Europe'])('refuses %s', (key) => {
    expect(() => parseTargetKey(key)).toThrow(TargetKeyError);
  });
});

describe('default and modes', () => {
  it('with neither key set (absent, null, empty, "null"), sweeps the hub alone with its own credentials', async () => {
    for (const raw of [{}, { organization: null, targets: null }, { organization: '', targets: 'null' }]) {
      expect(parseTargetsConfig(raw)).toEqual({ mode: 'hub' });
    }
    const plan = await planTargets({ mode: 'hub' }, HUB);
    expect(plan.targets).toEqual([{ source: 'ssm', accountId: HUB.accountId, region: HUB.region, key: 'ssm#111111111111#eu-central-1', access: { kind: 'hub' } }]);
  });

  it("takes the issue's example from the command line as JSON text, with defaults for the rest", () => {
    const config = parseTargetsConfig({ organization: '{"organizationalUnitIds":["ou-abcd-11111111"],"regions":["us-east-1","eu-west-1"]}' });
    expect(config).toEqual({
      mode: 'organization',
      parentIds: ['ou-abcd-11111111'],
      excludeAccounts: [],
      memberRoleName: 'SessionArchiveMember',
      regions: ['us-east-1', 'eu-west-1'],
    });
  });

  it('takes the root id with OUs, an external id, a role name and exclusions from cdk.json as an object; duplicates merge', () => {
    const config = parseTargetsConfig({
      organization: {
        rootId: 'r-ab12',
        organizationalUnitIds: ['ou-ab12-aaaaaaaa', 'ou-ab12-aaaaaaaa'],
        excludeAccounts: ['222222222222'],
        memberRoleName: 'AuditReader',
        externalId: 'org-archive-1',
        regions: ['eu-west-1', 'eu-west-1'],
      },
    });
    expect(config).toEqual({
      mode: 'organization',
      parentIds: ['r-ab12', 'ou-ab12-aaaaaaaa'],
      excludeAccounts: ['222222222222'],
      memberRoleName: 'AuditReader',
      externalId: 'org-archive-1',
      regions: ['eu-west-1'],
    });
  });

  it('plans an explicit list: each account in its regions (or the hub region), the hub account without a role', async () => {
    const config = parseTargetsConfig({
      targets: [
        { accountId: '222222222222', regions: ['us-east-1', 'eu-west-1'], externalId: 'x-archive' },
        { accountId: '111111111111', regions: ['us-east-1'] },
        { accountId: '333333333333', memberRoleName: 'Reader' },
      ],
    });
    const plan = await planTargets(config, { ...HUB, partition: 'aws-us-gov' });
    expect(plan.targets.map((target) => [target.key, target.access])).toEqual([
      ['ssm#222222222222#us-east-1', { kind: 'assume-role', roleArn: 'arn:aws-us-gov:iam::222222222222:role/SessionArchiveMember', externalId: 'x-archive' }],
      ['ssm#222222222222#eu-west-1', { kind: 'assume-role', roleArn: 'arn:aws-us-gov:iam::222222222222:role/SessionArchiveMember', externalId: 'x-archive' }],
      ['ssm#111111111111#us-east-1', { kind: 'hub' }],
      ['ssm#333333333333#eu-central-1', { kind: 'assume-role', roleArn: 'arn:aws-us-gov:iam::333333333333:role/Reader' }],
    ]);
  });
});

describe('errors name the key and what it accepts, all at once', () => {
  it('refuses both modes at once, and text that is not JSON', () => {
    expect(problemsOf({ organization: { rootId: 'r-ab12' }, targets: [{ accountId: '222222222222' }] })).toEqual([
      'set either organization (discover accounts from OUs) or targets (an explicit list), not both',
    ]);
    expect(problemsOf({ organization: "{organizationalUnitIds:['ou-abcd-11111111']}" })).toEqual([
      `organization must be JSON, got "{organizationalUnitIds:['ou-abcd-11111111']}"`,
    ]);
  });

  it('reports every bad organisation field with its allowed values', () => {
    const problems = problemsOf({
      organization: {
        organizationalUnitIds: ['ou-abcd-11111111', 'ou-x', 7],
        rootId: 'root',
        excludeAccounts: [123456789012, '12345'],
        memberRoleName: 'has space',
        externalId: 'x',
        regions: ['eu-west-1', 'Europe'],
        region: 'eu-west-1',
      },
    });
    expect(problems).toEqual([
      'organization has an unknown key "region"; allowed keys: organizationalUnitIds, rootId, excludeAccounts, memberRoleName, externalId, regions',
      'organization.organizationalUnitIds[1] must be an OU id like ou-abcd-11111111 (ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}), got "ou-x"',
      'organization.organizationalUnitIds[2] must be an OU id like ou-abcd-11111111 (ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}), got 7',
      'organization.rootId must be a root id like r-abcd (r-[a-z0-9]{4,32}), got "root"',
      'organization.excludeAccounts[0] must be a 12-digit account id in quotes, got 123456789012',
      'organization.excludeAccounts[1] must be a 12-digit account id in quotes, got "12345"',
      'organization.memberRoleName must be an IAM role name (1-64 of A-Z a-z 0-9 + = , . @ _ -), got "has space"',
      'organization.externalId must be an external id (2-1224 of A-Z a-z 0-9 + = , . @ : / _ -), got "x"',
      'organization.regions[1] must be a region name like eu-west-1, got "Europe"',
    ]);
  });

  it('needs at least one root or OU, non-empty lists, and an object', () => {
    expect(problemsOf({ organization: { regions: ['eu-west-1'] } })).toEqual([
      'organization needs organizationalUnitIds (a non-empty list of OU ids) or rootId (the whole organisation), or both',
    ]);
    expect(problemsOf({ organization: { organizationalUnitIds: [], regions: [] } })).toEqual([
      'organization needs organizationalUnitIds (a non-empty list of OU ids) or rootId (the whole organisation), or both',
      "organization.regions must list at least one region (leave it out for the hub's own region)",
    ]);
    expect(problemsOf({ organization: { organizationalUnitIds: 'ou-abcd-11111111' } })).toEqual([
      'organization.organizationalUnitIds must be a list, each an OU id like ou-abcd-11111111 (ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}); got "ou-abcd-11111111"',
    ]);
    expect(problemsOf({ organization: '["ou-abcd-11111111"]' })[0]).toMatch(/^organization must be an object with keys organizationalUnitIds, rootId/);
  });

  it('reports every bad explicit target, including an account listed twice', () => {
    expect(problemsOf({ targets: [] })[0]).toBe('targets must be a non-empty list of { "accountId": "123456789012", "regions": ["eu-west-1"] }, got []');
    expect(
      problemsOf({
        targets: [{ accountId: '222222222222', regions: ['eu-west-1'] }, { regions: ['eu-west-1'] }, { accountId: '222222222222', regions: 'eu-west-1' }, 'x'],
      }),
    ).toEqual([
      'targets[1].accountId is required',
      'targets[2].accountId 222222222222 is listed twice; give it one entry with all its regions',
      'targets[2].regions must be a list, each a region name like eu-west-1; got "eu-west-1"',
      'targets[3] must be an object with keys accountId, regions, memberRoleName, externalId; got "x"',
    ]);
  });
});

describe('a checked configuration travels as JSON', () => {
  it.each<[string, RawTargetsContext]>([
    ['hub', {}],
    ['organization with root, OUs and everything', { organization: { rootId: 'r-ab12', organizationalUnitIds: ['ou-ab12-aaaaaaaa'], excludeAccounts: ['222222222222'], memberRoleName: 'R', externalId: 'xx', regions: ['eu-west-1'] } }],
    ['organization with OUs only', { organization: '{"organizationalUnitIds":["ou-abcd-11111111"]}' }],
    ['explicit targets', { targets: [{ accountId: '222222222222', regions: ['us-east-1'], externalId: 'xy' }, { accountId: '333333333333' }] }],
  ])('%s: parses back from its JSON to the same configuration', (_name, raw) => {
    const config = parseTargetsConfig(raw);
    const travelled = JSON.parse(JSON.stringify(toRawTargetsContext(config))) as RawTargetsContext;
    expect(parseTargetsConfig(travelled)).toEqual(config);
  });
});
