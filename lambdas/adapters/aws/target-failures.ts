/**
 * What kind of failure kept a target from being swept, from the errors STS and SSM give. The kind
 * goes on the target's checkpoint and into `Target Sweep Failed`; the engine retries only
 * `throttled` and `failed`.
 */
import type { TargetFailureKind } from '../../core/sweep/sweep-state';
import { AssumeRoleError } from './member-credentials';

const BY_SSM_ERROR: Record<string, TargetFailureKind> = {
  AccessDeniedException: 'access-denied',
  AccessDenied: 'access-denied',
  // An opt-in region the account has not enabled does not know the account's credentials.
  UnrecognizedClientException: 'region-disabled',
  InvalidClientTokenId: 'region-disabled',
  ThrottlingException: 'throttled',
  Throttling: 'throttled',
  TooManyRequestsException: 'throttled',
};

/** Alibaba Cloud's codes (the SDK's error carries them in `code`). */
const BY_ALIBABA_CODE: Record<string, TargetFailureKind> = {
  'InvalidAccessKeyId.NotFound': 'access-denied',
  'InvalidAccessKeyId.Inactive': 'access-denied',
  SignatureDoesNotMatch: 'access-denied',
  'Forbidden.RAM': 'access-denied',
  Forbidden: 'access-denied',
  'InvalidRegionId.NotFound': 'region-disabled',
  'RegionId.ApiNotSupported': 'region-disabled',
};

export function classifyTargetFailure(error: unknown): TargetFailureKind {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (code.startsWith('Throttling')) return 'throttled';
    const kind = BY_ALIBABA_CODE[code];
    if (kind !== undefined) return kind;
  }
  if (error instanceof Error && error.name === 'AlibabaCredentialsError') return 'access-denied';
  if (error instanceof AssumeRoleError) {
    // STS answers AccessDenied alike for a role that does not exist and one that does not trust
    // the hub: either way the member role is not there for the archive.
    if (error.kind === 'access-denied') return 'role-missing';
    if (error.kind === 'throttled' || error.kind === 'region-disabled') return error.kind;
    return 'failed';
  }
  const name = error instanceof Error ? error.name : '';
  return BY_SSM_ERROR[name] ?? 'failed';
}
