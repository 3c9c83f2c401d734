/**
 * Who is calling, from the access key id of the SigV4 header and the session token: the same
 * check for every emulator that serves an organisation, so a member's temporary credentials
 * work only while they are valid, and only with their own token.
 */
import type { IssuedCredentials } from './access-keys';
import type { EmulatedOrganization } from './organization-model';

export interface KnownCaller {
  ok: true;
  /** The principal trust policies see: a role ARN for assumed-role sessions. */
  principalArn: string;
  /** What GetCallerIdentity answers as Arn. */
  identityArn: string;
  accountId: string;
  /** Set for temporary credentials the STS emulator issued. */
  issued?: IssuedCredentials;
}

export interface RefusedCaller {
  ok: false;
  code: 'InvalidClientTokenId' | 'ExpiredToken';
  message: string;
}

export function authenticateCaller(organization: EmulatedOrganization, accessKeyId: string, sessionToken: string | undefined): KnownCaller | RefusedCaller {
  const issued = organization.credentials.lookup(accessKeyId);
  if (issued) {
    if (sessionToken !== issued.sessionToken) return invalidToken();
    if (organization.now() >= issued.expiresAtMs) {
      return { ok: false, code: 'ExpiredToken', message: 'The security token included in the request is expired' };
    }
    return { ok: true, principalArn: issued.roleArn, identityArn: issued.assumedRoleArn, accountId: issued.accountId, issued };
  }
  const principalArn = organization.principalOf(accessKeyId);
  const accountId = organization.accountOfCaller(accessKeyId);
  if (principalArn === undefined || accountId === undefined) return invalidToken();
  return { ok: true, principalArn, identityArn: principalArn, accountId };
}

function invalidToken(): RefusedCaller {
  return { ok: false, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' };
}
