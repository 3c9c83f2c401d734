/**
 * A small signer for Alibaba Cloud's V3 request signature (ACS3-HMAC-SHA256), kept to compare
 * with the official SDK (see alibaba-terminal-source.ts) and to sign requests the SDK will not
 * build. It signs host, every x-acs-* header and content-type, per Alibaba's V3 documentation.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

export interface Acs3Request {
  method: string;
  host: string;
  /** Default '/'. */
  pathname?: string;
  query?: Readonly<Record<string, string>>;
  /** Headers besides the ones the signer adds (names any case). */
  headers?: Readonly<Record<string, string>>;
  body?: string;
  action: string;
  version: string;
}

export interface Acs3Credentials {
  accessKeyId: string;
  accessKeySecret: string;
}

export interface Acs3SigningOptions {
  /** Default now. */
  date?: Date;
  /** Default 16 random bytes, hex. */
  nonce?: string;
}

/** The request's headers, signed: the caller's, plus host, x-acs-* and Authorization. */
export function signAcs3(request: Acs3Request, credentials: Acs3Credentials, options: Acs3SigningOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  headers.host = request.host;
  headers['x-acs-action'] = request.action;
  headers['x-acs-version'] = request.version;
  headers['x-acs-date'] = (options.date ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  headers['x-acs-signature-nonce'] = options.nonce ?? randomBytes(16).toString('hex');
  headers['x-acs-content-sha256'] = sha256Hex(request.body ?? '');
  const signed = Object.keys(headers)
    .filter((name) => name === 'host' || name === 'content-type' || name.startsWith('x-acs-'))
    .sort();
  const canonical = [
    request.method.toUpperCase(),
    request.pathname ?? '/',
    canonicalQuery(request.query ?? {}),
    signed.map((name) => `${name}:${(headers[name] ?? '').trim()}\n`).join(''),
    signed.join(';'),
    headers['x-acs-content-sha256'],
  ].join('\n');
  const signature = createHmac('sha256', credentials.accessKeySecret).update(`${ACS3_ALGORITHM}\n${sha256Hex(canonical)}`).digest('hex');
  headers.authorization = `${ACS3_ALGORITHM} Credential=${credentials.accessKeyId},SignedHeaders=${signed.join(';')},Signature=${signature}`;
  return headers;
}

/** Sorted by name, names and values percent-encoded per RFC 3986; also the query string to send. */
export function canonicalQuery(query: Readonly<Record<string, string>>): string {
  return Object.keys(query)
    .sort()
    .map((name) => `${rfc3986(name)}=${rfc3986(query[name] ?? '')}`)
    .join('&');
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
