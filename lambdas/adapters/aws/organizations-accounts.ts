/**
 * The planner's discovery port over AWS Organizations: ListAccountsForParent and ListChildren
 * (ORGANIZATIONAL_UNIT), each followed through every NextToken (pages may be short or empty
 * and still carry one). The calls go through a narrow interface in the SDK's shapes, which
 * `new Organizations({...})` of @aws-sdk/client-organizations satisfies as it is.
 */
import type { DiscoveredAccount, OrganizationDirectory } from '../../core/targets/target-planner';

export interface OrganizationsAccountShape {
  Id?: string;
  Name?: string;
  /** Since 2025: PENDING_ACTIVATION | ACTIVE | SUSPENDED | PENDING_CLOSURE | CLOSED. */
  State?: string;
  /** Retired on 2026-09-09 in favour of State; read only when State is absent. */
  Status?: string;
}

export interface ListAccountsForParentInput {
  ParentId: string;
  NextToken?: string;
  MaxResults?: number;
}

export interface ListChildrenInput {
  ParentId: string;
  ChildType: 'ACCOUNT' | 'ORGANIZATIONAL_UNIT';
  NextToken?: string;
  MaxResults?: number;
}

/** The two Organizations operations discovery makes. */
export interface OrganizationsApi {
  listAccountsForParent(input: ListAccountsForParentInput): Promise<{ Accounts?: OrganizationsAccountShape[]; NextToken?: string }>;
  listChildren(input: ListChildrenInput): Promise<{ Children?: Array<{ Id?: string; Type?: string }>; NextToken?: string }>;
}

export interface OrganizationsDirectoryOptions {
  /** MaxResults per call; Organizations allows 1 to 20. Default 20. */
  pageSize?: number;
}

/** Organizations answered with something discovery cannot use; the run stops rather than miss accounts. */
export class MalformedOrganizationsResponseError extends Error {
  override readonly name = 'MalformedOrganizationsResponseError';
}

const MAX_PAGE_SIZE = 20;

export class OrganizationsAccountDirectory implements OrganizationDirectory {
  private readonly pageSize: number;

  constructor(
    private readonly api: OrganizationsApi,
    options: OrganizationsDirectoryOptions = {},
  ) {
    this.pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > MAX_PAGE_SIZE) {
      throw new RangeError(`pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${this.pageSize}`);
    }
  }

  async listAccounts(parentId: string): Promise<DiscoveredAccount[]> {
    const accounts: DiscoveredAccount[] = [];
    await followPages(`ListAccountsForParent ${parentId}`, async (NextToken) => {
      const page = await this.api.listAccountsForParent({ ParentId: parentId, MaxResults: this.pageSize, ...(NextToken ? { NextToken } : {}) });
      for (const account of page.Accounts ?? []) accounts.push(discovered(account, parentId));
      return page.NextToken;
    });
    return accounts;
  }

  async listOrganizationalUnits(parentId: string): Promise<string[]> {
    const units: string[] = [];
    await followPages(`ListChildren ${parentId}`, async (NextToken) => {
      const page = await this.api.listChildren({ ParentId: parentId, ChildType: 'ORGANIZATIONAL_UNIT', MaxResults: this.pageSize, ...(NextToken ? { NextToken } : {}) });
      for (const child of page.Children ?? []) {
        if (!child.Id) throw new MalformedOrganizationsResponseError(`ListChildren of ${parentId} returned a child without an Id`);
        units.push(child.Id);
      }
      return page.NextToken;
    });
    return units;
  }
}

/** Calls `fetchPage` with each NextToken until there is none; a token served twice would loop forever, so it stops the run. */
async function followPages(listing: string, fetchPage: (token: string | undefined) => Promise<string | undefined>): Promise<void> {
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    token = await fetchPage(token);
    if (token === '') token = undefined;
    if (token !== undefined) {
      if (seen.has(token)) throw new MalformedOrganizationsResponseError(`${listing} returned the same NextToken twice`);
      seen.add(token);
    }
  } while (token !== undefined);
}

function discovered(account: OrganizationsAccountShape, parentId: string): DiscoveredAccount {
  if (!account.Id) throw new MalformedOrganizationsResponseError(`ListAccountsForParent of ${parentId} returned an account without an Id`);
  // Neither member: report it as skipped with an honest state rather than sweep or drop it.
  const state = account.State ?? account.Status ?? 'UNKNOWN';
  return { id: account.Id, ...(account.Name === undefined ? {} : { name: account.Name }), state };
}
