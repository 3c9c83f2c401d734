/**
 * SDK clients, built once per process. An endpoint override points them at the local emulator
 * or dynalite; without one they use the normal AWS endpoints and the default credential chain.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface ClientOptions {
  region: string;
  endpoint?: string;
  maxAttempts?: number;
}

/** Local endpoints do not check signatures; dummy keys spare the user an AWS profile. */
export function localCredentials(endpoint: string | undefined) {
  if (!endpoint || process.env.AWS_ACCESS_KEY_ID) return undefined;
  return { accessKeyId: 'local', secretAccessKey: 'local' };
}

export function createSsmClient(options: ClientOptions): SSMClient {
  return new SSMClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: localCredentials(options.endpoint),
    // SSM publishes no rate limit for DescribeSessions: adaptive retries back off on throttling.
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 8,
  });
}

export function createDocumentClient(options: ClientOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: localCredentials(options.endpoint),
    maxAttempts: options.maxAttempts ?? 8,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
