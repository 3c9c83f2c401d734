/**
 * Alibaba Cloud's V3 request signature (ACS3-HMAC-SHA256), computed the way the server checks it:
 * canonical request = method, path, sorted query, the signed headers (lower-case names, trimmed
 * values), their names, and the hex SHA-256 of the body; string to sign = algorithm + hex
 * SHA-256 of that; signature = hex HMAC-SHA256 under the AccessKey secret.
 */
import { createHash, createHmac } from 'node:crypto';
import { percentEncode } from './signature-v2';

export const V3_ALGORITHM = 'ACS3-HMAC-SHA256';

export interface V3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>`; undefined when malformed. */
export function parseV3Authorization(header: string): V3Authorization | undefined {
  if (!header.startsWith(`${V3_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(V3_ALGORITHM.length + 1).split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

export interface V3Request {
  method: string;
  pathname: string;
  /** Decoded query parameters. */
  query: ReadonlyMap<string, string>;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  signedHeaders: readonly string[];
  /** Hex SHA-256 of the body, as the x-acs-content-sha256 header states it. */
  payloadHash: string;
}

export function expectedV3Signature(request: V3Request, secret: string): string {
  const query = [...request.query.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`)
    .join('&');
  const headerLines = request.signedHeaders.map((name) => `${name}:${headerValue(request.headers[name])}\n`).join('');
  const canonicalRequest = [request.method, request.pathname, query, headerLines, request.signedHeaders.join(';'), request.payloadHash].join('\n');
  const stringToSign = `${V3_ALGORITHM}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

function headerValue(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  return (Array.isArray(value) ? [...value].map((item) => item.trim()).sort().join(',') : value.trim());
}

export function sha256Hex(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}
