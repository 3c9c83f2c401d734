/**
 * Ready-made callers for tests and tools: a real SDK v3 SSMClient pointed at an emulator,
 * and raw JSON 1.1 requests for what the SDK will not send. Not re-exported from index.ts,
 * so running the emulator does not load the AWS SDK.
 */
import { SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';

export const EMULATOR_REGION = 'us-east-1';
export const DUMMY_ACCESS_KEY_ID = 'AKIAEMULATOR00000001';

export interface EmulatorClientOptions {
  accessKeyId?: string;
  maxAttempts?: number;
  region?: string;
  /** Further SDK settings (retryStrategy, requestHandler...). */
  config?: Omit<SSMClientConfig, 'endpoint' | 'credentials'>;
}

export function emulatorSsmClient(endpoint: string, options: EmulatorClientOptions = {}): SSMClient {
  return new SSMClient({
    region: options.region ?? EMULATOR_REGION,
    ...options.config,
    endpoint,
    credentials: { accessKeyId: options.accessKeyId ?? DUMMY_ACCESS_KEY_ID, secretAccessKey: 'emulator-secret' },
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });
}

export interface RawSsmResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body (undefined if the body is not JSON). */
  json: Record<string, unknown> | undefined;
}

export interface RawSsmRequest {
  /** Operation name for X-Amz-Target (AmazonSSM.<operation>); null sends no X-Amz-Target at all. */
  operation: string | null;
  /** Raw body text; objects are JSON-encoded. */
  body: string | Record<string, unknown>;
  /** false sends no Authorization header. Default: a well-formed (unverified) SigV4 header. */
  signed?: boolean;
  method?: string;
  path?: string;
}

/** Sends one AWS JSON 1.1 request with fetch, bypassing the SDK's serialization. */
export async function rawSsmCall(endpoint: string, request: RawSsmRequest): Promise<RawSsmResponse> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-amz-json-1.1' };
  if (request.operation !== null) headers['X-Amz-Target'] = `AmazonSSM.${request.operation}`;
  if (request.signed !== false) {
    headers.Authorization =
      `AWS4-HMAC-SHA256 Credential=${DUMMY_ACCESS_KEY_ID}/20240829/${EMULATOR_REGION}/ssm/aws4_request, ` +
      'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000';
  }
  const method = request.method ?? 'POST';
  const response = await fetch(`${endpoint}${request.path ?? '/'}`, {
    method,
    headers,
    ...(method === 'GET' || method === 'HEAD'
      ? {}
      : { body: typeof request.body === 'string' ? request.body : JSON.stringify(request.body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
