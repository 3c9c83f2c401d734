/**
 * A minimal caller of Alibaba Cloud RPC APIs (ECS here): POST /?<parameters>, signed with our V3
 * signer (acs3-signer.ts), over the runtime's `fetch`. Answers are JSON; an error answer becomes
 * an AlibabaApiCallError carrying Alibaba's Code, HTTP status and RequestId. Network failures are
 * left as fetch raises them, for the caller's retry policy to judge.
 */
import { canonicalQuery, signAcs3, type Acs3Credentials } from './acs3-signer';

export interface AlibabaRpcClientOptions {
  credentials: Acs3Credentials;
  /** `https://host[:port]` or `http://host:port` (see ecsEndpointUrl / explicitEndpointUrl). */
  baseUrl: string;
  /** Per request, ms. Default 10 s. */
  timeoutMs?: number;
}

export interface RpcAnswer {
  body: unknown;
  /** The Date header, epoch ms, when the answer had one. */
  dateMs: number | undefined;
}

/** Alibaba answered with an error: `code` is its Code (e.g. Throttling.User), `statusCode` the HTTP status. */
export class AlibabaApiCallError extends Error {
  override readonly name = 'AlibabaApiCallError';

  constructor(
    readonly code: string,
    readonly statusCode: number,
    readonly requestId: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export class InvalidEndpointError extends Error {
  override readonly name = 'InvalidEndpointError';
}

export class AlibabaRpcClient {
  readonly host: string;
  private readonly origin: string;

  constructor(private readonly options: AlibabaRpcClientOptions) {
    if (!options.credentials.accessKeyId || !options.credentials.accessKeySecret) throw new RangeError('an Alibaba Cloud AccessKey id and secret are required');
    const url = new URL(options.baseUrl);
    this.host = url.host;
    this.origin = url.origin;
  }

  async call(action: string, version: string, params: Readonly<Record<string, string>>): Promise<RpcAnswer> {
    const headers = signAcs3({ method: 'POST', host: this.host, query: params, action, version, headers: { accept: 'application/json' } }, this.options.credentials);
    delete headers.host; // fetch sets it, from the same URL
    const response = await fetch(`${this.origin}/?${canonicalQuery(params)}`, { method: 'POST', headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    const text = await response.text();
    const body = parseJson(text);
    const date = Date.parse(response.headers.get('date') ?? '');
    if (!response.ok) throw errorOf(response.status, body, text);
    return { body, dateMs: Number.isNaN(date) ? undefined : date };
  }
}

/**
 * Alibaba's rule for ECS: `ecs.<region>.aliyuncs.com`. The one public region the official SDK's
 * endpoint map sends elsewhere is cn-hangzhou (test/integration/alibaba-terminal-source.test.ts
 * checks this rule against the SDK's for every public region).
 */
export function ecsEndpointUrl(region: string): string {
  if (!/^[a-z]{2,}(-[a-z0-9]+)+$/.test(region)) throw new InvalidEndpointError(`not an Alibaba Cloud region id: ${JSON.stringify(region)}`);
  return region === 'cn-hangzhou' ? 'https://ecs-cn-hangzhou.aliyuncs.com' : `https://ecs.${region}.aliyuncs.com`;
}

/** `http://127.0.0.1:4600`, `https://ecs.example.com`, or a bare `host[:port]` (HTTPS) → the base URL. */
export function explicitEndpointUrl(text: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidEndpointError(`not a usable endpoint: ${JSON.stringify(text)}`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.username) {
    throw new InvalidEndpointError(`an endpoint is http(s)://host[:port] with no path, got ${JSON.stringify(text)}`);
  }
  return url.origin;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function errorOf(status: number, body: unknown, text: string): AlibabaApiCallError {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof fields.Code === 'string' ? fields.Code : `Http${status}`;
  const requestId = typeof fields.RequestId === 'string' ? fields.RequestId : undefined;
  const message = typeof fields.Message === 'string' ? fields.Message : text.slice(0, 200);
  return new AlibabaApiCallError(code, status, requestId, `${code} (${status}): ${message}${requestId ? ` (request id ${requestId})` : ''}`);
}
