/**
 * One AWS Organization as the STS and Organizations emulators see it: a root, nested OUs,
 * member accounts with their lifecycle state, the member role in each account (or none), and
 * who may call as whom. Tests change it while the emulators run (an account joins, is
 * suspended, loses its role) and both emulators answer from it at once.
 */
import { accountOfAccessKey, CredentialRegistry } from './access-keys';

export const ACCOUNT_STATES = ['PENDING_ACTIVATION', 'ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

export const DEFAULT_MEMBER_ROLE_NAME = 'SessionArchiveMember';
export const DEFAULT_MANAGEMENT_ACCOUNT_ID = '111111111111';

export interface MemberRole {
  name: string;
  /** The trust policy's sts:ExternalId condition; none when undefined. */
  externalId?: string;
  /** Principals the trust policy names. Default: the organisation's hub principal. */
  trustedPrincipalArns: string[];
  /** The role's MaxSessionDuration. Default 3600. */
  maxSessionDurationSeconds: number;
}

/** What AssumeRole into this account does besides the role's own rules. */
export type AssumeRoleFault = 'access-denied' | 'throttle';

export interface EmulatedAccount {
  id: string;
  name: string;
  email: string;
  state: AccountState;
  parentId: string;
  joinedMs: number;
  /** undefined: the account has no member role (StackSet not deployed there). */
  role: MemberRole | undefined;
  assumeRoleFault: AssumeRoleFault | undefined;
  /** Opt-in regions this account has not enabled (or disabled): its calls there are refused. */
  disabledRegions: Set<string>;
}

export interface OrganizationalUnit {
  id: string;
  name: string;
  parentId: string;
}

export interface AccountSpec {
  /** Default: the next free id from 200000000001 on. */
  id?: string;
  name?: string;
  /** A root or OU id. Default: the root. */
  parentId?: string;
  state?: AccountState;
  /** null: no member role. Default: the default role, trusting the hub principal. */
  role?: Partial<MemberRole> | null;
  disabledRegions?: string[];
}

export interface OrganizationOptions {
  managementAccountId?: string;
  /** Default 'o-exampleorg1'. */
  organizationId?: string;
  /** Default 'r-ex01'. */
  rootId?: string;
  /** The account the archive runs in. Default: the management account. */
  hubAccountId?: string;
  /** The hub sweeper's principal. Default arn:aws:iam::<hub>:role/SessionArchiveSweeper. */
  hubPrincipalArn?: string;
  /** Long-term access key id -> principal ARN. */
  callers?: Record<string, string>;
  /** Whether a long-term key not in `callers` calls as the hub principal (else it is refused). Default true. */
  acceptUnknownCallers?: boolean;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
}

const ACCOUNT_ID = /^\d{12}$/;

export class EmulatedOrganization {
  readonly managementAccountId: string;
  readonly organizationId: string;
  readonly rootId: string;
  readonly hubAccountId: string;
  readonly hubPrincipalArn: string;
  readonly now: () => number;
  /** Credentials issued by AssumeRole, for emulators that check who calls. */
  readonly credentials = new CredentialRegistry();
  private readonly callers: Map<string, string>;
  private readonly acceptUnknownCallers: boolean;
  private readonly units = new Map<string, OrganizationalUnit>();
  private readonly members = new Map<string, EmulatedAccount>();
  private nextUnit = 1;
  private nextAccount = 200_000_000_001;

  constructor(options: OrganizationOptions = {}) {
    this.managementAccountId = options.managementAccountId ?? DEFAULT_MANAGEMENT_ACCOUNT_ID;
    this.organizationId = options.organizationId ?? 'o-exampleorg1';
    this.rootId = options.rootId ?? 'r-ex01';
    this.hubAccountId = options.hubAccountId ?? this.managementAccountId;
    this.hubPrincipalArn = options.hubPrincipalArn ?? `arn:aws:iam::${this.hubAccountId}:role/SessionArchiveSweeper`;
    this.callers = new Map(Object.entries(options.callers ?? {}));
    this.acceptUnknownCallers = options.acceptUnknownCallers ?? true;
    this.now = options.now ?? Date.now;
  }

  addOrganizationalUnit(parentId: string, name: string): string {
    this.requireParent(parentId);
    const suffix = this.rootId.slice(2);
    const id = `ou-${suffix}-${(this.nextUnit++).toString(36).padStart(8, '0')}`;
    this.units.set(id, { id, name, parentId });
    return id;
  }

  addAccount(spec: AccountSpec = {}): EmulatedAccount {
    const id = spec.id ?? this.freeAccountId();
    if (!ACCOUNT_ID.test(id)) throw new RangeError(`account id must be 12 digits, got ${JSON.stringify(id)}`);
    if (this.members.has(id)) throw new RangeError(`account ${id} is already in the organisation`);
    const parentId = spec.parentId ?? this.rootId;
    this.requireParent(parentId);
    const account: EmulatedAccount = {
      id,
      name: spec.name ?? `member-${id}`,
      email: `aws+${id}@example.com`,
      state: spec.state ?? 'ACTIVE',
      parentId,
      joinedMs: this.now(),
      role: spec.role === null ? undefined : this.role(spec.role ?? {}),
      assumeRoleFault: undefined,
      disabledRegions: new Set(spec.disabledRegions ?? []),
    };
    this.members.set(id, account);
    return account;
  }

  /** The account, whatever its state; undefined when it is not (or no longer) in the organisation. */
  account(id: string): EmulatedAccount | undefined {
    return this.members.get(id);
  }

  accounts(): EmulatedAccount[] {
    return [...this.members.values()];
  }

  /** Accounts directly under a root or OU, in the order they joined. */
  accountsOf(parentId: string): EmulatedAccount[] {
    return this.accounts().filter((account) => account.parentId === parentId);
  }

  /** OUs directly under a root or OU, in the order they were made. */
  unitsOf(parentId: string): OrganizationalUnit[] {
    return [...this.units.values()].filter((unit) => unit.parentId === parentId);
  }

  unit(id: string): OrganizationalUnit | undefined {
    return this.units.get(id);
  }

  isParent(id: string): boolean {
    return id === this.rootId || this.units.has(id);
  }

  setState(accountId: string, state: AccountState): void {
    this.require(accountId).state = state;
  }

  moveAccount(accountId: string, parentId: string): void {
    this.requireParent(parentId);
    this.require(accountId).parentId = parentId;
  }

  /** The account leaves the organisation: no longer listed, and its role's org condition fails. */
  removeAccount(accountId: string): void {
    this.require(accountId);
    this.members.delete(accountId);
  }

  /** Deploys (or replaces) the member role; null removes it. */
  setMemberRole(accountId: string, role: Partial<MemberRole> | null): void {
    this.require(accountId).role = role === null ? undefined : this.role(role);
  }

  setAssumeRoleFault(accountId: string, fault: AssumeRoleFault | undefined): void {
    this.require(accountId).assumeRoleFault = fault;
  }

  /** An emulated service in `region` answers this account as AWS does for a region it has not enabled. */
  setRegionEnabled(accountId: string, region: string, enabled: boolean): void {
    const regions = this.require(accountId).disabledRegions;
    if (enabled) regions.delete(region);
    else regions.add(region);
  }

  /** Whether the account may use the region; accounts outside the organisation (the hub's own, say) may use all. */
  isRegionEnabled(accountId: string, region: string): boolean {
    return !this.members.get(accountId)?.disabledRegions.has(region);
  }

  /** The principal ARN behind an access key id; undefined for a key nobody holds. */
  principalOf(accessKeyId: string): string | undefined {
    const issued = this.credentials.lookup(accessKeyId);
    if (issued) return issued.roleArn;
    // A temporary key this organisation never issued (another emulator run's) is nobody's.
    if (accountOfAccessKey(accessKeyId) !== undefined) return undefined;
    return this.callers.get(accessKeyId) ?? (this.acceptUnknownCallers ? this.hubPrincipalArn : undefined);
  }

  /**
   * The account a caller acts in: the account of a key AssumeRole issued, else the account of a
   * known long-term caller, else the hub (when unknown callers are accepted).
   */
  accountOfCaller(accessKeyId: string): string | undefined {
    const issued = accountOfAccessKey(accessKeyId);
    if (issued !== undefined) return issued;
    const principal = this.principalOf(accessKeyId);
    return principal === undefined ? undefined : /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
  }

  private role(partial: Partial<MemberRole>): MemberRole {
    return {
      name: partial.name ?? DEFAULT_MEMBER_ROLE_NAME,
      ...(partial.externalId !== undefined ? { externalId: partial.externalId } : {}),
      trustedPrincipalArns: partial.trustedPrincipalArns ?? [this.hubPrincipalArn],
      maxSessionDurationSeconds: partial.maxSessionDurationSeconds ?? 3600,
    };
  }

  private freeAccountId(): string {
    while (this.members.has(String(this.nextAccount))) this.nextAccount += 1;
    return String(this.nextAccount++);
  }

  private require(accountId: string): EmulatedAccount {
    const account = this.members.get(accountId);
    if (!account) throw new RangeError(`no account ${accountId} in the organisation`);
    return account;
  }

  private requireParent(parentId: string): void {
    if (!this.isParent(parentId)) throw new RangeError(`no root or OU ${JSON.stringify(parentId)} in the organisation`);
  }
}
