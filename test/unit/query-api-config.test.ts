import { describe, expect, it } from 'vitest';
import { ConfigError, readApiConfig } from '../../lambdas/api/config';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:session-archive-token-AbCdEf';

describe('query API configuration', () => {
  it('reads a Lambda environment: the token secret is a Secrets Manager ARN, never the value', () => {
    expect(readApiConfig({ TABLE_NAME: 'session-archive', AWS_REGION: 'eu-west-1', TOKEN_SECRET_ARN: ARN })).toEqual({
      tableName: 'session-archive',
      region: 'eu-west-1',
      tokenSecrets: { kind: 'secrets-manager', secretArn: ARN },
      tokenTtlSeconds: 86_400,
      serviceName: 'session-archive-query',
    });
  });

  it('takes the secret, the previous one and a lifetime from the environment for local use', () => {
    const config = readApiConfig({ TABLE_NAME: 'archive', AWS_REGION: 'eu-west-1', TOKEN_SECRET: 'c'.repeat(32), TOKEN_SECRET_PREVIOUS: 'p'.repeat(40), TOKEN_TTL_SECONDS: '3600' });
    expect(config.tokenSecrets).toEqual({ kind: 'environment', current: 'c'.repeat(32), previous: 'p'.repeat(40) });
    expect(config.tokenTtlSeconds).toBe(3600);
  });

  it('refuses to start without a token secret rather than derive one', () => {
    expect(() => readApiConfig({ TABLE_NAME: 'archive', AWS_REGION: 'eu-west-1' })).toThrow(/TOKEN_SECRET_ARN is required/);
  });

  it('defaults the region for a local endpoint', () => {
    expect(readApiConfig({ TABLE_NAME: 'archive', DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', TOKEN_SECRET: 's'.repeat(32) })).toMatchObject({
      region: 'us-east-1',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
    });
  });

  it('reports every problem at once', () => {
    expect(() => readApiConfig({ TABLE_NAME: 'a b', TOKEN_SECRET: 'short' })).toThrow(/TABLE_NAME.*; AWS_REGION is required.*; TOKEN_SECRET/);
  });

  it.each<[Record<string, string>, RegExp]>([
    [{}, /TABLE_NAME is required/],
    [{ TABLE_NAME: '' }, /TABLE_NAME is required/],
    [{ TABLE_NAME: 'a b' }, /not a valid DynamoDB table name/],
    [{ TABLE_NAME: 'archive' }, /AWS_REGION is required/],
    [{ TABLE_NAME: 'archive', AWS_REGION: 'eu-west-1', DYNAMODB_ENDPOINT: 'localhost:8000' }, /not an http\(s\) URL/],
    [{ TABLE_NAME: 'archive', AWS_REGION: 'eu-west-1', TOKEN_SECRET: 'short' }, /at least 32 characters/],
    [{ TABLE_NAME: 'archive', AWS_REGION: 'eu-west-1', TOKEN_SECRET: 's'.repeat(32), TOKEN_SECRET_PREVIOUS: 'short' }, /TOKEN_SECRET_PREVIOUS must be at least 32/],
    [{ TABLE_NAME: 'archive', AWS_REGION: 'eu-west-1', TOKEN_SECRET_PREVIOUS: 's'.repeat(32) }, /TOKEN_SECRET_PREVIOUS is set without TOKEN_SECRET/],
    [{ TABLE_NAME: 'archive', AWS_REGION: 'eu-west-1', TOKEN_SECRET_ARN: ARN, TOKEN_SECRET: 's'.repeat(32) }, /not both/],
    [{ TABLE_NAME: 'archive', AWS_REGION: 'eu-west-1', TOKEN_SECRET_ARN: 'session-archive-token' }, /not a Secrets Manager secret ARN/],
    [{ TABLE_NAME: 'archive', AWS_REGION: 'eu-west-1', TOKEN_SECRET_ARN: ARN, SECRETS_MANAGER_ENDPOINT: 'localhost:1' }, /SECRETS_MANAGER_ENDPOINT .* not an http\(s\) URL/],
    [{ TABLE_NAME: 'archive', AWS_REGION: 'eu-west-1', TOKEN_SECRET_ARN: ARN, TOKEN_TTL_SECONDS: '10' }, /TOKEN_TTL_SECONDS must be a whole number of seconds from 60 to 604800/],
    [{ TABLE_NAME: 'archive', AWS_REGION: 'eu-west-1', TOKEN_SECRET_ARN: ARN, TOKEN_TTL_SECONDS: '1h' }, /TOKEN_TTL_SECONDS/],
  ])('refuses %j', (env, message) => {
    expect(() => readApiConfig(env)).toThrow(ConfigError);
    expect(() => readApiConfig(env)).toThrow(message);
  });
});
