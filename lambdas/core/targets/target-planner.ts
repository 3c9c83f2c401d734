/**
 * The planner: turns the targets configuration into this run's list of targets. In
 * organisation mode it walks the configured roots and OUs through their child OUs and lists
 * every account, at every run, so an account that joined since the last run is swept and one
 * that left is not; accounts that are not ACTIVE, or are excluded, are skipped and reported.
 */
import { ALIBABA_SOURCE, type AlibabaAccount } from './alibaba-targets';
import { SSM_SOURCE, targetKey, type ExplicitTarget, type MemberRoleSettings, type Target, type TargetsConfig } from './targets';

/** An account as AWS Organizations lists it. */
export interface DiscoveredAccount {
  id: string;
  name?: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE, PENDING_ACTIVATION, CLOSED. */
  state: string;
}

/** The discovery port: each call lists every item under one root or OU, across all its pages. */
export interface OrganizationDirectory {
  listAccounts(parentId: string): Promise<DiscoveredAccount[]>;
  listOrganizationalUnits(parentId: string): Promise<string[]>;
}

/** Where the archive runs: its own account is swept with its own credentials. */
export interface Hub {
  accountId: string;
  region: string;
  /** The ARN partition for member role ARNs. Default 'aws'. */
  partition?: string;
}

/** How the sweeper signs in to a target: as the hub, through a member role, or (Alibaba Cloud) with the AccessKey pair in a secret. */
export type TargetAccess = { kind: 'hub' } | { kind: 'assume-role'; roleArn: string; externalId?: string } | { kind: 'secret'; secretArn: string };

export interface PlannedTarget extends Target {
  key: string;
  access: TargetAccess;
}

export type SkipReason = 'not-active' | 'excluded';

export interface SkippedAccount {
  accountId: string;
  name?: string;
  state: string;
  reason: SkipReason;
  message: string;
}

export interface TargetPlan {
  targets: PlannedTarget[];
  skipped: SkippedAccount[];
  /** excludeAccounts entries that matched no account found: likely a typo, or an account that left. */
  unmatchedExclusions: string[];
  /** Roots and OUs listed, the configured ones and their descendants. */
  parentsVisited: number;
}

export class PlanningError extends Error {
  override readonly name = 'PlanningError';
}

export async function planTargets(config: TargetsConfig, hub: Hub, directory?: OrganizationDirectory): Promise<TargetPlan> {
  const aws = await planAwsTargets(config, hub, directory);
  return { ...aws, targets: [...aws.targets, ...alibabaTargets(config.alibaba ?? [])] };
}

/** Every region of every configured Alibaba Cloud account, each signed in with its account's secret. */
export function alibabaTargets(accounts: readonly AlibabaAccount[]): PlannedTarget[] {
  return accounts.flatMap((account) =>
    account.regions.map((region): PlannedTarget => {
      const target: Target = { source: ALIBABA_SOURCE, accountId: account.account, region };
      return { ...target, key: targetKey(target), access: { kind: 'secret', secretArn: account.credentialsSecretArn } };
    }),
  );
}

async function planAwsTargets(config: TargetsConfig, hub: Hub, directory?: OrganizationDirectory): Promise<TargetPlan> {
  switch (config.mode) {
    case 'hub':
      return { targets: [planned(hub.accountId, hub.region, hub, undefined)], skipped: [], unmatchedExclusions: [], parentsVisited: 0 };
    case 'targets':
      return { targets: config.targets.flatMap((entry) => targetsOf(entry, hub)), skipped: [], unmatchedExclusions: [], parentsVisited: 0 };
    case 'organization': {
      if (!directory) throw new PlanningError('organisation mode needs an Organizations directory to list accounts');
      const { accounts, parentsVisited } = await discoverAccounts(directory, config.parentIds);
      const excluded = new Set(config.excludeAccounts);
      const skipped: SkippedAccount[] = [];
      const targets: PlannedTarget[] = [];
      for (const account of accounts) {
        const skip = skipOf(account, excluded);
        if (skip) skipped.push(skip);
        else targets.push(...targetsOf({ ...config, accountId: account.id }, hub));
      }
      const found = new Set(accounts.map((account) => account.id));
      return { targets, skipped, unmatchedExclusions: config.excludeAccounts.filter((id) => !found.has(id)), parentsVisited };
    }
  }
}

/**
 * Every account under the given roots/OUs and their descendants, each once, sorted by id.
 * Walks breadth-first; a parent reached twice (configured and also a child of another) is listed once.
 */
export async function discoverAccounts(directory: OrganizationDirectory, parentIds: readonly string[]): Promise<{ accounts: DiscoveredAccount[]; parentsVisited: number }> {
  const visited = new Set<string>();
  const accounts = new Map<string, DiscoveredAccount>();
  const queue = [...parentIds];
  while (queue.length > 0) {
    const parentId = queue.shift() as string;
    if (visited.has(parentId)) continue;
    visited.add(parentId);
    for (const account of await directory.listAccounts(parentId)) accounts.set(account.id, account);
    queue.push(...(await directory.listOrganizationalUnits(parentId)));
  }
  const sorted = [...accounts.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { accounts: sorted, parentsVisited: visited.size };
}

function skipOf(account: DiscoveredAccount, excluded: ReadonlySet<string>): SkippedAccount | undefined {
  const base = { accountId: account.id, ...(account.name === undefined ? {} : { name: account.name }), state: account.state };
  if (excluded.has(account.id)) return { ...base, reason: 'excluded', message: `account ${account.id} is in excludeAccounts` };
  if (account.state !== 'ACTIVE') {
    return { ...base, reason: 'not-active', message: `account ${account.id} is ${account.state}, not ACTIVE: not swept until it is ACTIVE again` };
  }
  return undefined;
}

function targetsOf(entry: ExplicitTarget, hub: Hub): PlannedTarget[] {
  return (entry.regions ?? [hub.region]).map((region) => planned(entry.accountId, region, hub, entry));
}

function planned(accountId: string, region: string, hub: Hub, role: MemberRoleSettings | undefined): PlannedTarget {
  const target: Target = { source: SSM_SOURCE, accountId, region };
  return { ...target, key: targetKey(target), access: accessTo(accountId, hub, role) };
}

/** The hub's own account needs no role: its sweeper's credentials already reach it. */
function accessTo(accountId: string, hub: Hub, role: MemberRoleSettings | undefined): TargetAccess {
  if (accountId === hub.accountId || role === undefined) return { kind: 'hub' };
  return {
    kind: 'assume-role',
    roleArn: memberRoleArn(accountId, role.memberRoleName, hub.partition),
    ...(role.externalId === undefined ? {} : { externalId: role.externalId }),
  };
}

export function memberRoleArn(accountId: string, roleName: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}
