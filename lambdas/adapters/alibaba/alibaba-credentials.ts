/**
 * The AccessKey pair of an Alibaba Cloud account, from the Secrets Manager secret the `alibaba`
 * context names: a JSON text `{ "accessKeyId": "…", "accessKeySecret": "…" }`. Read the first
 * time a target of that account is swept in this container, then kept in memory (never in the
 * environment, never in a log or an error message: messages name the secret's ARN only).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface AlibabaAccessKey {
  accessKeyId: string;
  accessKeySecret: string;
}

/** The secret is missing its fields or is not the JSON the archive expects. */
export class AlibabaCredentialsError extends Error {
  override readonly name = 'AlibabaCredentialsError';
}

export class AlibabaCredentials {
  private readonly cache = new Map<string, Promise<AlibabaAccessKey>>();

  constructor(private readonly client: SecretsManagerClient) {}

  /** The key pair in this secret; one read per secret per container (a failed read is tried again next time). */
  keyFor(secretArn: string): Promise<AlibabaAccessKey> {
    let pending = this.cache.get(secretArn);
    if (!pending) {
      pending = this.read(secretArn);
      this.cache.set(secretArn, pending);
      pending.catch(() => this.cache.delete(secretArn));
    }
    return pending;
  }

  private async read(secretArn: string): Promise<AlibabaAccessKey> {
    const output = await this.client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    return parseAccessKey(secretArn, output.SecretString);
  }
}

/** Checks the secret's shape; the value itself never enters a message. */
export function parseAccessKey(secretArn: string, text: string | undefined): AlibabaAccessKey {
  const expected = 'a JSON object { "accessKeyId": "…", "accessKeySecret": "…" }';
  if (text === undefined) throw new AlibabaCredentialsError(`secret ${secretArn} has no string value; store ${expected}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AlibabaCredentialsError(`secret ${secretArn} is not JSON; store ${expected}`);
  }
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { accessKeyId, accessKeySecret } = fields;
  if (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof accessKeySecret !== 'string' || accessKeySecret === '') {
    throw new AlibabaCredentialsError(`secret ${secretArn} lacks accessKeyId or accessKeySecret; store ${expected}`);
  }
  return { accessKeyId, accessKeySecret };
}
