/**
 * The token secrets from AWS Secrets Manager: version stage AWSCURRENT signs, AWSCURRENT and
 * AWSPREVIOUS verify. Read once per container (at cold start), so the key never sits in the
 * function's environment, where anyone allowed lambda:GetFunctionConfiguration could read it.
 */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TokenSecrets } from '../../core/query/page-token';
import type { TokenSecretSource } from '../../core/query/ports';
import { localCredentials, type ClientOptions } from './clients';

export const MIN_SECRET_LENGTH = 32;

export function createSecretsManagerClient(options: ClientOptions): SecretsManagerClient {
  return new SecretsManagerClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: localCredentials(options.endpoint),
    maxAttempts: options.maxAttempts ?? 3,
  });
}

/** The secret is missing, empty, binary or too short: the API cannot sign tokens with it. */
export class TokenSecretError extends Error {
  override readonly name = 'TokenSecretError';
}

export interface SecretsManagerTokenSecretsOptions {
  client: SecretsManagerClient;
  /** The secret's ARN (or name). */
  secretId: string;
}

export class SecretsManagerTokenSecrets implements TokenSecretSource {
  private readonly client: SecretsManagerClient;
  private readonly secretId: string;

  constructor(options: SecretsManagerTokenSecretsOptions) {
    this.client = options.client;
    this.secretId = options.secretId;
  }

  async load(): Promise<TokenSecrets> {
    const [current, previous] = await Promise.all([this.read('AWSCURRENT'), this.read('AWSPREVIOUS')]);
    if (current === undefined) throw new TokenSecretError(`secret ${this.secretId} has no AWSCURRENT version`);
    return previous === undefined ? { current } : { current, previous };
  }

  private async read(stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | undefined> {
    let value: string | undefined;
    try {
      const output = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: stage }));
      value = output.SecretString;
    } catch (error: unknown) {
      // Until the first rotation there is no previous version.
      if (stage === 'AWSPREVIOUS' && error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
    // The value itself is never part of a message.
    if (value === undefined) throw new TokenSecretError(`secret ${this.secretId} (${stage}) has no string value; store the key as text`);
    if (value.length < MIN_SECRET_LENGTH) throw new TokenSecretError(`secret ${this.secretId} (${stage}) is shorter than ${MIN_SECRET_LENGTH} characters`);
    return value;
  }
}
