/**
 * Temporary credentials the STS emulator issues. Like AWS's own keys, the access key id tells
 * the account: `ASIA` + the 12-digit account + 4 characters, so any emulator (even in another
 * process) can serve the caller its own account's data from the SigV4 Authorization header.
 */
import { randomBytes } from 'node:crypto';

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms, on the issuing emulator's clock. */
  expiresAtMs: number;
  accountId: string;
  roleName: string;
  roleSessionName: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>`, what GetCallerIdentity answers. */
  assumedRoleArn: string;
  /** `arn:aws:iam::<account>:role/<role>`, what trust policies name. */
  roleArn: string;
}

const TEMPORARY_KEY = /^ASIA(\d{12})[A-Z0-9]{4}$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The account a temporary access key id issued by the STS emulator belongs to; undefined for any other key. */
export function accountOfAccessKey(accessKeyId: string): string | undefined {
  return TEMPORARY_KEY.exec(accessKeyId)?.[1];
}

export interface IssueRequest {
  accountId: string;
  roleName: string;
  roleSessionName: string;
  durationSeconds: number;
  nowMs: number;
}

/** Every credential issued, by access key id, so an emulator can check the secret token and the expiry. */
export class CredentialRegistry {
  private readonly issued = new Map<string, IssuedCredentials>();

  issue(request: IssueRequest): IssuedCredentials {
    let accessKeyId: string;
    do accessKeyId = `ASIA${request.accountId}${randomSuffix()}`;
    while (this.issued.has(accessKeyId));
    const credentials: IssuedCredentials = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64').slice(0, 40),
      sessionToken: `emulated/${randomBytes(48).toString('base64')}`,
      // AWS gives whole seconds in Expiration.
      expiresAtMs: Math.floor(request.nowMs / 1000) * 1000 + request.durationSeconds * 1000,
      accountId: request.accountId,
      roleName: request.roleName,
      roleSessionName: request.roleSessionName,
      assumedRoleArn: `arn:aws:sts::${request.accountId}:assumed-role/${request.roleName}/${request.roleSessionName}`,
      roleArn: `arn:aws:iam::${request.accountId}:role/${request.roleName}`,
    };
    this.issued.set(accessKeyId, credentials);
    return credentials;
  }

  lookup(accessKeyId: string): IssuedCredentials | undefined {
    return this.issued.get(accessKeyId);
  }

  get size(): number {
    return this.issued.size;
  }
}

function randomSuffix(): string {
  return [...randomBytes(4)].map((byte) => SUFFIX_ALPHABET[byte % SUFFIX_ALPHABET.length]).join('');
}
