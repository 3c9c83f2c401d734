import { describe, expect, it } from 'vitest';
import { ConfigError, derivedTokenSecret, readApiConfig } from '../../lambdas/api/config';

describe('query API configuration', () => {
  it('reads a Lambda environment', () => {
    const secret = 's'.repeat(40);
    expect(readApiConfig({ TABLE_NAME: 'session-archive', AWS_REGION: 'eu-west-1', TOKEN_SECRET: secret })).toEqual({
      tableName: 'session-archive',
      region: 'eu-west-1',
      tokenSecret: secret,
      tokenSecretSource: 'environment',
      serviceName: 'session-archive-query',
    });
  });

  it('derives a token secret from the table name when none is set, and says so', () => {
    const config = readApiConfig({ TABLE_NAME: 'archive', AWS_REGION: 'eu-west-1' });
    expect(config.tokenSecret).toBe(derivedTokenSecret('archive'));
    expect(config.tokenSecretSource).toBe('derived-from-table-name');
  });

  it('defaults the region for a local endpoint', () => {
    expect(readApiConfig({ TABLE_NAME: 'archive', DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' })).toMatchObject({
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
  ])('refuses %j', (env, message) => {
    expect(() => readApiConfig(env)).toThrow(ConfigError);
    expect(() => readApiConfig(env)).toThrow(message);
  });
});
