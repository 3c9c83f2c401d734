/**
 * GET requests to the query API, SigV4-signed for API Gateway (`AWS_IAM` authorization) with the
 * default AWS credential chain. Signing happens only for AWS endpoints, or when forced with
 * `--sign` (custom domains); requests to the local API are never signed. Credentials and the
 * Authorization header are never printed.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, HttpRequest } from '@smithy/types';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export const SIGNING_SERVICE = 'execute-api';

export interface SignableRequest {
  method: string;
  url: URL;
  /** Header names in lower case; `host` is added from the URL. */
  headers: Record<string, string>;
}

export interface SigningSettings {
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The service in the credential scope; `execute-api` for API Gateway. */
  service?: string;
  /** Fixed only by tests; the current time otherwise. */
  signingDate?: Date;
}

/** No credentials could be loaded from the default chain (or the named profile). */
export class MissingCredentialsError extends Error {
  override readonly name = 'MissingCredentialsError';
}

/** The credentials loaded, but they expired before the request was sent. */
export class ExpiredCredentialsError extends Error {
  override readonly name = 'ExpiredCredentialsError';
}

/**
 * The headers to send: the given ones, `host`, `x-amz-date`, `x-amz-security-token` for temporary
 * credentials, and `authorization`.
 */
export async function signRequest(request: SignableRequest, settings: SigningSettings): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: settings.service ?? SIGNING_SERVICE,
    region: settings.region,
    credentials: settings.credentials,
    sha256: Sha256,
    // API Gateway needs no x-amz-content-sha256 header; leaving it out keeps the request minimal.
    applyChecksum: false,
  });
  const query: Record<string, string> = {};
  for (const [name, value] of request.url.searchParams) query[name] = value;
  const unsigned: HttpRequest = {
    method: request.method,
    protocol: request.url.protocol,
    hostname: request.url.hostname,
    port: request.url.port === '' ? undefined : Number(request.url.port),
    // The URL keeps the path percent-encoded; the signer encodes it once more, as SigV4 wants for every service but S3.
    path: request.url.pathname,
    query,
    headers: { ...request.headers, host: request.url.host },
  };
  const signed = await signer.sign(unsigned, settings.signingDate ? { signingDate: settings.signingDate } : undefined);
  return { ...signed.headers };
}

/** `abc123.execute-api.eu-west-1.amazonaws.com` (also VPC endpoint and China forms) → `eu-west-1`. */
export function regionOfAwsHost(hostname: string): string | undefined {
  const match = /\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$/.exec(hostname.toLowerCase());
  return match?.[1];
}

/** Hosts that take SigV4 when `--sign`/`--no-sign` are not given. Loopback never does. */
export function isAwsHost(hostname: string): boolean {
  return /\.amazonaws\.com(?:\.cn)?$/.test(hostname.toLowerCase());
}

/**
 * RFC 3986 query encoding, the one SigV4 canonicalises to: sending exactly this keeps what was
 * signed and what arrives identical (URLSearchParams would send spaces as `+`).
 */
export function encodeQuery(parameters: ReadonlyArray<readonly [string, string]>): string {
  const encode = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return [...parameters]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${encode(name)}=${encode(value)}`)
    .join('&');
}

export interface ApiClientOptions {
  /** true: always sign; false: never; 'auto': sign for AWS hosts only. */
  sign: boolean | 'auto';
  /** Signing region when the host does not tell it (custom domains, forced signing). */
  region?: string;
  /** A named profile instead of the default chain's choice. */
  profile?: string;
  /** Per request. */
  timeoutMs?: number;
  /** Fixed credentials instead of the default chain (tests). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The request never got an HTTP answer: refused, unknown host, reset, timed out. */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Sends GET requests to one API, signing them when the options say so. */
export class ApiClient {
  private readonly credentials: AwsCredentialIdentityProvider | undefined;
  private cachedCredentials: AwsCredentialIdentity | undefined;
  readonly signs: boolean;
  readonly signingRegion: string | undefined;

  constructor(
    readonly baseUrl: URL,
    private readonly options: ApiClientOptions,
  ) {
    this.signs = options.sign === 'auto' ? isAwsHost(baseUrl.hostname) : options.sign;
    this.signingRegion = regionOfAwsHost(baseUrl.hostname) ?? options.region;
    if (this.signs) {
      const given = options.credentials;
      this.credentials =
        given === undefined
          ? fromNodeProviderChain(options.profile ? { profile: options.profile } : {})
          : typeof given === 'function'
            ? given
            : async () => given;
    }
  }

  /** GET `path` (relative to the base URL's path) with the query parameters. */
  async get(path: string, parameters: ReadonlyArray<readonly [string, string]>): Promise<ApiResponse> {
    const url = new URL(this.baseUrl.href);
    url.pathname = `${this.baseUrl.pathname.replace(/\/+$/, '')}${path}`;
    url.search = encodeQuery(parameters);
    let headers: Record<string, string> = { accept: 'application/json' };
    if (this.signs) headers = await signRequest({ method: 'GET', url, headers }, { region: this.requireRegion(), credentials: await this.loadCredentials() });
    return send(url, headers, this.options.timeoutMs ?? 60_000);
  }

  private requireRegion(): string {
    if (this.signingRegion === undefined) throw new Error(`cannot tell the AWS region of ${this.baseUrl.host} to sign for; pass --region`);
    return this.signingRegion;
  }

  /** Loads credentials from the chain, and reuses them until a minute before they expire. */
  private async loadCredentials(): Promise<AwsCredentialIdentity> {
    const cached = this.cachedCredentials;
    if (cached && (cached.expiration === undefined || cached.expiration.getTime() - Date.now() > 60_000)) return cached;
    if (this.credentials === undefined) throw new Error('this client does not sign requests');
    let credentials: AwsCredentialIdentity;
    try {
      credentials = await this.credentials();
    } catch (error: unknown) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new MissingCredentialsError(
        `no AWS credentials to sign requests to ${this.baseUrl.host}${this.options.profile ? ` (profile ${this.options.profile})` : ''}: ${detail}. ` +
          'Configure the default credential chain (aws sso login, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)',
      );
    }
    if (credentials.expiration !== undefined && credentials.expiration.getTime() <= Date.now()) {
      throw new ExpiredCredentialsError(`the AWS credentials expired at ${credentials.expiration.toISOString()}; refresh them (e.g. aws sso login) and retry`);
    }
    this.cachedCredentials = credentials;
    return credentials;
  }
}

function send(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<ApiResponse> {
  const requester = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<ApiResponse>((resolve, reject) => {
    const request = requester(url, { method: 'GET', headers, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', (error) => reject(unreachable(url, error)));
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`), { code: 'ETIMEDOUT' })));
    request.on('error', (error) => reject(unreachable(url, error)));
    request.end();
  });
}

function unreachable(url: URL, error: Error): ApiUnreachableError {
  const code = (error as { code?: unknown }).code;
  const codeText = typeof code === 'string' ? code : undefined;
  return new ApiUnreachableError(`cannot reach the API at ${url.origin}${codeText ? ` (${codeText})` : ''}: ${error.message}`, codeText);
}
