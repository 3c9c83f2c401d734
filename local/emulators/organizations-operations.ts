/**
 * The AWS Organizations operations the planner needs, answered from the organisation model:
 * ListRoots, ListChildren, ListAccountsForParent, ListOrganizationalUnitsForParent,
 * DescribeAccount and DescribeOrganization, with MaxResults/NextToken paging and the
 * validation errors (InvalidInputException with its Reason) AWS gives.
 */
import type { EmulatedAccount, EmulatedOrganization } from './organization-model';

export const ORGANIZATIONS_OPERATIONS = [
  'ListRoots',
  'ListChildren',
  'ListAccountsForParent',
  'ListOrganizationalUnitsForParent',
  'DescribeAccount',
  'DescribeOrganization',
] as const;
export type OrganizationsOperation = (typeof ORGANIZATIONS_OPERATIONS)[number];

export function isOrganizationsOperation(name: string): name is OrganizationsOperation {
  return (ORGANIZATIONS_OPERATIONS as readonly string[]).includes(name);
}

/** An error in the AWS JSON 1.1 shape: HTTP 400 and `{"__type", "Message", ...}`. */
export class OrganizationsApiError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
    readonly extra: Record<string, string> = {},
    readonly status = 400,
  ) {
    super(message);
    this.name = errorName;
  }

  toBody(): Record<string, string> {
    return { __type: this.errorName, Message: this.message, ...this.extra };
  }
}

export function invalidInput(reason: string, message: string): OrganizationsApiError {
  return new OrganizationsApiError('InvalidInputException', message, { Reason: reason });
}

export interface PagingSettings {
  /** The largest page served, whatever MaxResults asks. */
  maxPageSize: number;
  /** Every n-th page (counting from 1) comes back empty with a NextToken; 0 for never. */
  emptyPageEvery: number;
  /** Send the retired Status member beside State. */
  legacyStatus: boolean;
}

export interface OperationContext {
  organization: EmulatedOrganization;
  paging: PagingSettings;
  /** How many pages were served so far (drives emptyPageEvery). */
  pagesServed: number;
}

type Json = Record<string, unknown>;

const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const ACCOUNT_ID = /^\d{12}$/;
const API_MAX_RESULTS = 20;

export function runOrganizationsOperation(operation: OrganizationsOperation, input: Json, context: OperationContext): Json {
  const { organization } = context;
  const arnBase = `arn:aws:organizations::${organization.managementAccountId}`;
  switch (operation) {
    case 'ListRoots': {
      const root = { Id: organization.rootId, Arn: `${arnBase}:root/${organization.organizationId}/${organization.rootId}`, Name: 'Root', PolicyTypes: [] };
      return page(operation, '', [root], input, context, 'Roots');
    }
    case 'ListChildren': {
      const parentId = parentOf(input, organization);
      const childType = input.ChildType;
      if (childType === undefined) throw invalidInput('INPUT_REQUIRED', 'You must specify a value for ChildType.');
      if (childType !== 'ACCOUNT' && childType !== 'ORGANIZATIONAL_UNIT') throw invalidInput('INVALID_ENUM', 'You specified an invalid value for ChildType.');
      const ids = childType === 'ACCOUNT' ? organization.accountsOf(parentId).map((a) => a.id) : organization.unitsOf(parentId).map((u) => u.id);
      return page(operation, `${parentId}/${childType}`, ids.map((Id) => ({ Id, Type: childType })), input, context, 'Children');
    }
    case 'ListAccountsForParent': {
      const parentId = parentOf(input, organization);
      const accounts = organization.accountsOf(parentId).map((account) => accountShape(account, context));
      return page(operation, parentId, accounts, input, context, 'Accounts');
    }
    case 'ListOrganizationalUnitsForParent': {
      const parentId = parentOf(input, organization);
      const units = organization.unitsOf(parentId).map((unit) => ({ Id: unit.id, Arn: `${arnBase}:ou/${organization.organizationId}/${unit.id}`, Name: unit.name }));
      return page(operation, parentId, units, input, context, 'OrganizationalUnits');
    }
    case 'DescribeAccount': {
      const accountId = input.AccountId;
      if (accountId === undefined) throw invalidInput('INPUT_REQUIRED', 'You must specify a value for AccountId.');
      if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) throw invalidInput('INVALID_PATTERN', 'You provided a value that does not match the required pattern.');
      const account = organization.account(accountId);
      if (!account) throw new OrganizationsApiError('AccountNotFoundException', "You specified an account that doesn't exist.");
      return { Account: accountShape(account, context) };
    }
    case 'DescribeOrganization':
      return {
        Organization: {
          Id: organization.organizationId,
          Arn: `${arnBase}:organization/${organization.organizationId}`,
          FeatureSet: 'ALL',
          MasterAccountId: organization.managementAccountId,
          MasterAccountArn: `${arnBase}:account/${organization.organizationId}/${organization.managementAccountId}`,
          MasterAccountEmail: `aws+${organization.managementAccountId}@example.com`,
        },
      };
  }
}

function parentOf(input: Json, organization: EmulatedOrganization): string {
  const parentId = input.ParentId;
  if (parentId === undefined) throw invalidInput('INPUT_REQUIRED', 'You must specify a value for ParentId.');
  if (typeof parentId !== 'string' || !PARENT_ID.test(parentId)) throw invalidInput('INVALID_PATTERN', 'You provided a value that does not match the required pattern.');
  if (!organization.isParent(parentId)) throw new OrganizationsApiError('ParentNotFoundException', "We can't find a root or OU with the ParentId that you specified.");
  return parentId;
}

function accountShape(account: EmulatedAccount, context: OperationContext): Json {
  const { organization } = context;
  return {
    Id: account.id,
    Arn: `arn:aws:organizations::${organization.managementAccountId}:account/${organization.organizationId}/${account.id}`,
    Email: account.email,
    Name: account.name,
    State: account.state,
    ...(context.paging.legacyStatus ? { Status: legacyStatusOf(account) } : {}),
    JoinedMethod: 'CREATED',
    // AWS JSON 1.1 timestamps are epoch seconds.
    JoinedTimestamp: account.joinedMs / 1000,
  };
}

/** The retired Status knew only ACTIVE, SUSPENDED and PENDING_CLOSURE. */
function legacyStatusOf(account: EmulatedAccount): string {
  if (account.state === 'CLOSED') return 'SUSPENDED';
  if (account.state === 'PENDING_ACTIVATION') return 'ACTIVE';
  return account.state;
}

interface PageToken {
  /** Which listing the token belongs to: operation and parent. */
  l: string;
  o: number;
  /** The page it was served with: an empty page's token differs from the one that asked for it. */
  n: number;
}

function page(operation: string, listing: string, items: unknown[], input: Json, context: OperationContext, member: string): Json {
  const limit = pageLimit(input.MaxResults, context.paging.maxPageSize);
  const offset = offsetOf(input.NextToken, `${operation}:${listing}`);
  context.pagesServed += 1;
  const every = context.paging.emptyPageEvery;
  const empty = every > 0 && context.pagesServed % every === 0 && offset < items.length;
  const end = empty ? offset : Math.min(items.length, offset + limit);
  const result: Json = { [member]: items.slice(offset, end) };
  if (end < items.length) result.NextToken = encodeToken({ l: `${operation}:${listing}`, o: end, n: context.pagesServed });
  return result;
}

function pageLimit(maxResults: unknown, maxPageSize: number): number {
  if (maxResults === undefined) return maxPageSize;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults)) throw invalidInput('INVALID_INPUT', 'MaxResults must be a whole number.');
  if (maxResults < 1) throw invalidInput('MIN_VALUE_EXCEEDED', 'You provided a value that is too small: MaxResults must be at least 1.');
  if (maxResults > API_MAX_RESULTS) throw invalidInput('MAX_VALUE_EXCEEDED', `You provided a value that is too large: MaxResults must be at most ${API_MAX_RESULTS}.`);
  return Math.min(maxResults, maxPageSize);
}

function offsetOf(token: unknown, listing: string): number {
  if (token === undefined || token === null) return 0;
  const invalid = invalidInput('INVALID_NEXT_TOKEN', 'The NextToken is not valid for this listing.');
  if (typeof token !== 'string') throw invalid;
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<PageToken>;
    if (decoded.l !== listing || typeof decoded.o !== 'number' || !Number.isInteger(decoded.o) || decoded.o < 0) throw invalid;
    return decoded.o;
  } catch {
    throw invalid;
  }
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}
