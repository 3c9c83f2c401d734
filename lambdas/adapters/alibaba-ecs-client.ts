/**
 * The official ECS client (`@alicloud/ecs20140526`), signing with V3 (ACS3-HMAC-SHA256). Without
 * an explicit endpoint the SDK applies Alibaba's rule: `ecs.<region>.aliyuncs.com`, except the
 * regions its endpoint map names (e.g. cn-hangzhou → ecs-cn-hangzhou.aliyuncs.com). An explicit
 * endpoint (the local emulator) overrides it. The SDK does not retry unless told: retries are ours.
 */
import Ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';

export interface EcsClientOptions {
  accessKeyId: string;
  accessKeySecret: string;
  region: string;
  /** `http://127.0.0.1:4600`, `https://ecs.example.com` or `host:port` (HTTPS). Default: Alibaba's rule. */
  endpoint?: string;
  /** Read timeout per request, ms. Default 10 s. */
  timeoutMs?: number;
}

export class InvalidEndpointError extends Error {
  override readonly name = 'InvalidEndpointError';
}

export function createEcsClient(options: EcsClientOptions): Ecs {
  if (!options.accessKeyId || !options.accessKeySecret) throw new RangeError('an Alibaba Cloud AccessKey id and secret are required');
  const config = new $OpenApiUtil.Config({
    accessKeyId: options.accessKeyId,
    accessKeySecret: options.accessKeySecret,
    regionId: options.region,
    readTimeout: options.timeoutMs ?? 10_000,
    connectTimeout: 5_000,
  });
  if (options.endpoint !== undefined) Object.assign(config, explicitEndpoint(options.endpoint));
  return new Ecs(config);
}

/** `http://host:port` → { endpoint: 'host:port', protocol: 'HTTP' }; a bare `host[:port]` is HTTPS. */
export function explicitEndpoint(text: string): { endpoint: string; protocol: 'HTTP' | 'HTTPS' } {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidEndpointError(`not a usable endpoint: ${JSON.stringify(text)}`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '') || url.search || url.username) {
    throw new InvalidEndpointError(`an endpoint is http(s)://host[:port] with no path, got ${JSON.stringify(text)}`);
  }
  return { endpoint: url.host, protocol: url.protocol === 'http:' ? 'HTTP' : 'HTTPS' };
}
