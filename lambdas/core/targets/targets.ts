/**
 * What the archive sweeps: targets, each one (source, account, region), keyed
 * `ssm#123456789012#eu-west-1`, and the configuration that says which: an AWS Organization's
 * OUs (context key `organization`), an explicit list (context key `targets`), or, with neither,
 * the hub's own account and region. The configuration is checked once, at synth, and every
 * problem is reported at once, naming the key and what it accepts.
 */
import { ALIBABA_ACCOUNT_PATTERN, ALIBABA_REGION_PATTERN, ALIBABA_SOURCE, parseAlibabaAccounts, type AlibabaAccount } from './alibaba-targets';
import { scopeKey, type SourceScope } from '../session/session';

export const DEFAULT_MEMBER_ROLE_NAME = 'SessionArchiveMember';
export const SSM_SOURCE = 'ssm';

export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const ORGANIZATIONAL_UNIT_ID_PATTERN = /^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/;
export const ROOT_ID_PATTERN = /^r-[a-z0-9]{4,32}$/;
/** us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-5. */
export const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
/** IAM role names. */
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
/** What sts:AssumeRole accepts as ExternalId. */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

/** One target: the scope every checkpoint, coverage range, metric and event belongs to. */
export type Target = SourceScope;

export function targetKey(target: Target): string {
  return scopeKey(target);
}

export class TargetKeyError extends Error {
  override readonly name = 'TargetKeyError';
}

/** What each source accepts as account and region in a target key. */
const KEY_RULES: Record<string, { account: RegExp; region: RegExp; example: string }> = {
  [SSM_SOURCE]: { account: ACCOUNT_ID_PATTERN, region: REGION_PATTERN, example: 'ssm#123456789012#eu-west-1 (a 12-digit account)' },
  [ALIBABA_SOURCE]: { account: ALIBABA_ACCOUNT_PATTERN, region: ALIBABA_REGION_PATTERN, example: 'alibaba#prod-cn#cn-hangzhou (an account label)' },
};

/** `ssm#123456789012#eu-west-1` or `alibaba#prod-cn#cn-hangzhou` back to its parts; throws TargetKeyError on anything else. */
export function parseTargetKey(key: string): Target {
  const [source, accountId, region, ...rest] = key.split('#');
  const rules = source === undefined ? undefined : KEY_RULES[source];
  if (rules === undefined) {
    throw new TargetKeyError(`a target key is <source>#<account>#<region> with source ${Object.keys(KEY_RULES).join(' or ')}, like ssm#123456789012#eu-west-1; got ${JSON.stringify(key)}`);
  }
  if (rest.length > 0 || !accountId || !rules.account.test(accountId) || !region || !rules.region.test(region)) {
    throw new TargetKeyError(`a ${source} target key is like ${rules.example}; got ${JSON.stringify(key)}`);
  }
  return { source: source as string, accountId, region };
}

/** How the hub reaches a member account: the role it assumes there. */
export interface MemberRoleSettings {
  memberRoleName: string;
  /** The sts:ExternalId the member role's trust policy asks for (not a secret: it guards against a confused deputy). */
  externalId?: string;
}

export interface OrganizationTargetsConfig extends MemberRoleSettings {
  mode: 'organization';
  /** Roots and OUs whose accounts are swept, their child OUs included. */
  parentIds: string[];
  excludeAccounts: string[];
  /** undefined: the hub's own region. */
  regions?: string[];
}

export interface ExplicitTarget extends MemberRoleSettings {
  accountId: string;
  /** undefined: the hub's own region. */
  regions?: string[];
}

export interface ExplicitTargetsConfig {
  mode: 'targets';
  targets: ExplicitTarget[];
}

export interface HubTargetsConfig {
  mode: 'hub';
}

/** The AWS side (one of three modes), and the Alibaba Cloud accounts swept beside it. */
export type TargetsConfig = (OrganizationTargetsConfig | ExplicitTargetsConfig | HubTargetsConfig) & { alibaba?: AlibabaAccount[] };

export class TargetsConfigError extends Error {
  override readonly name = 'TargetsConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid targets configuration: ${problems.join('; ')}`);
  }
}

/** The raw context values; each may be an object/array (cdk.json) or its JSON text (`-c key='…'`). */
export interface RawTargetsContext {
  organization?: unknown;
  targets?: unknown;
  alibaba?: unknown;
}

const ORGANIZATION_KEYS = ['organizationalUnitIds', 'rootId', 'excludeAccounts', 'memberRoleName', 'externalId', 'regions'] as const;
const TARGET_KEYS = ['accountId', 'regions', 'memberRoleName', 'externalId'] as const;

/** Reads both context keys; throws one TargetsConfigError naming every problem. */
export function parseTargetsConfig(raw: RawTargetsContext): TargetsConfig {
  const problems: string[] = [];
  const organization = fromJsonText('organization', raw.organization, problems);
  const targets = fromJsonText('targets', raw.targets, problems);
  let config: TargetsConfig = { mode: 'hub' };
  if (organization !== undefined && targets !== undefined) {
    problems.push('set either organization (discover accounts from OUs) or targets (an explicit list), not both');
  } else if (organization !== undefined) {
    config = organizationConfig(organization, problems);
  } else if (targets !== undefined) {
    config = explicitConfig(targets, problems);
  }
  const alibaba = parseAlibabaAccounts(fromJsonText('alibaba', raw.alibaba, problems), problems);
  if (problems.length > 0) throw new TargetsConfigError(problems);
  return alibaba === undefined ? config : { ...config, alibaba };
}

function fromJsonText(key: string, value: unknown, problems: string[]): unknown {
  // cdk.json says null for "not set"; on the command line an empty value means the same.
  if (value === undefined || value === null || value === '' || value === 'null') return undefined;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    problems.push(`${key} must be JSON, got ${JSON.stringify(value)}`);
    return undefined;
  }
}

function organizationConfig(value: unknown, problems: string[]): OrganizationTargetsConfig {
  const key = 'organization';
  const fields = objectWithKeys(key, value, ORGANIZATION_KEYS, problems);
  const unitIds = stringList(`${key}.organizationalUnitIds`, fields.organizationalUnitIds, ORGANIZATIONAL_UNIT_ID_PATTERN, 'an OU id like ou-abcd-11111111 (ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})', problems) ?? [];
  const rootId = text(`${key}.rootId`, fields.rootId, ROOT_ID_PATTERN, 'a root id like r-abcd (r-[a-z0-9]{4,32})', problems);
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject && fields.rootId === undefined && (fields.organizationalUnitIds === undefined || (Array.isArray(fields.organizationalUnitIds) && fields.organizationalUnitIds.length === 0))) {
    problems.push(`${key} needs organizationalUnitIds (a non-empty list of OU ids) or rootId (the whole organisation), or both`);
  }
  return {
    mode: 'organization',
    parentIds: [...(rootId === undefined ? [] : [rootId]), ...unitIds],
    excludeAccounts: stringList(`${key}.excludeAccounts`, fields.excludeAccounts, ACCOUNT_ID_PATTERN, 'a 12-digit account id in quotes', problems) ?? [],
    ...roleSettings(key, fields, problems),
    ...optionalRegions(`${key}.regions`, fields.regions, problems),
  };
}

function explicitConfig(value: unknown, problems: string[]): ExplicitTargetsConfig {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`targets must be a non-empty list of { "accountId": "123456789012", "regions": ["eu-west-1"] }, got ${JSON.stringify(value)}`);
    return { mode: 'targets', targets: [] };
  }
  const seen = new Set<string>();
  const targets = value.map((entry: unknown, index): ExplicitTarget => {
    const key = `targets[${index}]`;
    const fields = objectWithKeys(key, entry, TARGET_KEYS, problems);
    const accountId = text(`${key}.accountId`, fields.accountId, ACCOUNT_ID_PATTERN, 'a 12-digit account id in quotes', problems) ?? '';
    if (fields.accountId === undefined && typeof entry === 'object' && entry !== null) problems.push(`${key}.accountId is required`);
    if (accountId !== '' && seen.has(accountId)) problems.push(`${key}.accountId ${accountId} is listed twice; give it one entry with all its regions`);
    seen.add(accountId);
    return { accountId, ...roleSettings(key, fields, problems), ...optionalRegions(`${key}.regions`, fields.regions, problems) };
  });
  return { mode: 'targets', targets };
}

function roleSettings(key: string, fields: Record<string, unknown>, problems: string[]): MemberRoleSettings {
  const memberRoleName = text(`${key}.memberRoleName`, fields.memberRoleName, ROLE_NAME_PATTERN, 'an IAM role name (1-64 of A-Z a-z 0-9 + = , . @ _ -)', problems);
  const externalId = text(`${key}.externalId`, fields.externalId, EXTERNAL_ID_PATTERN, 'an external id (2-1224 of A-Z a-z 0-9 + = , . @ : / _ -)', problems);
  return { memberRoleName: memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME, ...(externalId === undefined ? {} : { externalId }) };
}

function optionalRegions(key: string, value: unknown, problems: string[]): { regions?: string[] } {
  if (value === undefined) return {};
  const regions = stringList(key, value, REGION_PATTERN, 'a region name like eu-west-1', problems);
  if (regions !== undefined && regions.length === 0) problems.push(`${key} must list at least one region (leave it out for the hub's own region)`);
  return regions === undefined ? {} : { regions };
}

function objectWithKeys(key: string, value: unknown, allowed: readonly string[], problems: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${key} must be an object with keys ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
    return {};
  }
  for (const name of Object.keys(value)) {
    if (!allowed.includes(name)) problems.push(`${key} has an unknown key "${name}"; allowed keys: ${allowed.join(', ')}`);
  }
  return value as Record<string, unknown>;
}

function text(key: string, value: unknown, pattern: RegExp, what: string, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) {
    problems.push(`${key} must be ${what}, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return value;
}

/** A list of distinct strings each matching the pattern (duplicates are merged); undefined when absent or wrong. */
function stringList(key: string, value: unknown, pattern: RegExp, what: string, problems: string[]): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    problems.push(`${key} must be a list, each ${what}; got ${JSON.stringify(value)}`);
    return undefined;
  }
  const items: string[] = [];
  value.forEach((item: unknown, index) => {
    const checked = text(`${key}[${index}]`, item, pattern, what, problems);
    if (checked !== undefined && !items.includes(checked)) items.push(checked);
  });
  return items;
}

/**
 * The context values that parse back to this configuration: how a checked configuration travels
 * (as JSON) from synth to the planner, which checks it again at its cold start.
 */
export function toRawTargetsContext(config: TargetsConfig): RawTargetsContext {
  const aws = awsRawContext(config);
  return config.alibaba === undefined ? aws : { ...aws, alibaba: config.alibaba.map((account) => ({ ...account })) };
}

function awsRawContext(config: TargetsConfig): RawTargetsContext {
  switch (config.mode) {
    case 'hub':
      return {};
    case 'targets':
      return { targets: config.targets.map((target) => ({ ...target })) };
    case 'organization': {
      const rootId = config.parentIds.find((id) => ROOT_ID_PATTERN.test(id));
      const unitIds = config.parentIds.filter((id) => id !== rootId);
      return {
        organization: {
          ...(rootId === undefined ? {} : { rootId }),
          ...(unitIds.length === 0 ? {} : { organizationalUnitIds: unitIds }),
          excludeAccounts: config.excludeAccounts,
          memberRoleName: config.memberRoleName,
          ...(config.externalId === undefined ? {} : { externalId: config.externalId }),
          ...(config.regions === undefined ? {} : { regions: config.regions }),
        },
      };
    }
  }
}
