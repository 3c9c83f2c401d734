/**
 * Credentials for a member account: sts:AssumeRole into its member role (with the external id
 * when there is one) using the hub's own credentials, cached for the credentials' lifetime so a
 * run assumes each role at most once while they are valid. `providerFor` hands an SDK client
 * (SSMClient) a provider it calls whenever it needs credentials.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { TargetAccess } from '../../core/targets/target-planner';

export const DEFAULT_ROLE_SESSION_NAME = 'session-archive';
const DEFAULT_DURATION_SECONDS = 3600;
/** Renew this long before expiry: the SDK itself treats credentials within 5 minutes of expiry as expired. */
const DEFAULT_REFRESH_MARGIN_MS = 6 * 60_000;

export interface MemberRole {
  roleArn: string;
  externalId?: string;
}

export interface MemberCredentialsOptions {
  /** Signed with the hub's credentials; create it once per process. */
  sts: STSClient;
  /** Shows in the member account's CloudTrail who assumed the role. Default 'session-archive'. */
  roleSessionName?: string;
  /** 900 to the role's MaxSessionDuration. Default 3600. */
  durationSeconds?: number;
  refreshMarginMs?: number;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
}

export type AssumeRoleFailureKind = 'access-denied' | 'throttled' | 'region-disabled' | 'hub-credentials' | 'invalid-request' | 'failed';

/** AssumeRole failed: `kind` is what a coverage record and an event can report. */
export class AssumeRoleError extends Error {
  override readonly name = 'AssumeRoleError';
  constructor(
    readonly kind: AssumeRoleFailureKind,
    readonly roleArn: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface CacheEntry {
  credentials: Promise<AwsCredentialIdentity>;
  /** Known once the call answered; until then callers share the call in flight. */
  expiresAtMs?: number;
}

const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export class MemberCredentials {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly sts: STSClient;
  private readonly roleSessionName: string;
  private readonly durationSeconds: number;
  private readonly refreshMarginMs: number;
  private readonly now: () => number;
  private calls = 0;

  constructor(options: MemberCredentialsOptions) {
    this.sts = options.sts;
    this.roleSessionName = options.roleSessionName ?? DEFAULT_ROLE_SESSION_NAME;
    if (!ROLE_SESSION_NAME.test(this.roleSessionName)) throw new RangeError(`roleSessionName must be 2-64 of A-Z a-z 0-9 + = , . @ _ -, got ${JSON.stringify(this.roleSessionName)}`);
    this.durationSeconds = options.durationSeconds ?? DEFAULT_DURATION_SECONDS;
    if (!Number.isInteger(this.durationSeconds) || this.durationSeconds < 900 || this.durationSeconds > 43_200) {
      throw new RangeError(`durationSeconds must be a whole number from 900 to 43200, got ${this.durationSeconds}`);
    }
    this.refreshMarginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.now = options.now ?? Date.now;
  }

  /** How many AssumeRole calls this cache made (each SDK retry inside one call not counted). */
  get assumeRoleCalls(): number {
    return this.calls;
  }

  /** For an SDK client's `credentials` option. */
  providerFor(role: MemberRole): AwsCredentialIdentityProvider {
    return () => this.credentialsFor(role);
  }

  /** undefined for the hub's own account (the client keeps its default credentials); the member role's provider otherwise. */
  providerForAccess(access: TargetAccess): AwsCredentialIdentityProvider | undefined {
    if (access.kind === 'hub') return undefined;
    if (access.kind === 'secret') throw new Error('an AWS target is reached as the hub or through a member role, never with a stored key');
    return this.providerFor({ roleArn: access.roleArn, ...(access.externalId === undefined ? {} : { externalId: access.externalId }) });
  }

  /** Cached credentials while they have more than the refresh margin left; a new AssumeRole otherwise. */
  credentialsFor(role: MemberRole): Promise<AwsCredentialIdentity> {
    const key = `${role.roleArn}\n${role.externalId ?? ''}`;
    const cached = this.cache.get(key);
    if (cached && (cached.expiresAtMs === undefined || cached.expiresAtMs - this.now() > this.refreshMarginMs)) return cached.credentials;
    const entry: CacheEntry = { credentials: this.assume(role) };
    this.cache.set(key, entry);
    entry.credentials.then(
      (credentials) => {
        entry.expiresAtMs = credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
      },
      // A failure is not kept: the next caller tries again.
      () => {
        if (this.cache.get(key) === entry) this.cache.delete(key);
      },
    );
    return entry.credentials;
  }

  private async assume(role: MemberRole): Promise<AwsCredentialIdentity> {
    this.calls += 1;
    let output;
    try {
      output = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: role.roleArn,
          RoleSessionName: this.roleSessionName,
          DurationSeconds: this.durationSeconds,
          ...(role.externalId === undefined ? {} : { ExternalId: role.externalId }),
        }),
      );
    } catch (error: unknown) {
      throw assumeRoleError(role.roleArn, error);
    }
    const credentials = output.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken || !credentials.Expiration) {
      throw new AssumeRoleError('failed', role.roleArn, `AssumeRole of ${role.roleArn} answered without complete credentials`);
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
    };
  }
}

const KIND_BY_ERROR_NAME: Record<string, AssumeRoleFailureKind> = {
  AccessDenied: 'access-denied',
  AccessDeniedException: 'access-denied',
  Throttling: 'throttled',
  ThrottlingException: 'throttled',
  RequestLimitExceeded: 'throttled',
  RegionDisabledException: 'region-disabled',
  InvalidClientTokenId: 'hub-credentials',
  ExpiredToken: 'hub-credentials',
  ExpiredTokenException: 'hub-credentials',
  SignatureDoesNotMatch: 'hub-credentials',
  ValidationError: 'invalid-request',
  MalformedPolicyDocument: 'invalid-request',
};

function assumeRoleError(roleArn: string, error: unknown): AssumeRoleError {
  const name = error instanceof Error ? error.name : 'Error';
  const detail = error instanceof Error ? error.message : String(error);
  const kind = KIND_BY_ERROR_NAME[name] ?? 'failed';
  return new AssumeRoleError(kind, roleArn, `cannot assume ${roleArn}: ${name}: ${detail}`, { cause: error });
}
