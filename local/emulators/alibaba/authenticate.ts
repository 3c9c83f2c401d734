/**
 * Checks who signed a request, with either signature Alibaba's RPC endpoints accept: V3
 * (Authorization: ACS3-HMAC-SHA256, headers x-acs-*) or V2 (Signature in the query). The key must
 * be one the emulator was given, the signature must match its secret, the date must be within
 * 15 minutes of the emulator's clock, and a nonce is good once.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AlibabaApiError, MESSAGES } from './errors';
import { expectedV2Signature } from './signature-v2';
import { expectedV3Signature, parseV3Authorization, sha256Hex } from './signature-v3';

export interface AccessKeyPair {
  accessKeyId: string;
  accessKeySecret: string;
}

export interface IncomingCall {
  method: string;
  pathname: string;
  /** Decoded query parameters. */
  query: ReadonlyMap<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface AuthenticatedCall {
  accessKeyId: string;
  signatureVersion: 'v3' | 'v2';
  action: string | undefined;
  version: string | undefined;
  /** The operation's parameters: query and form body. */
  params: ReadonlyMap<string, string>;
}

export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
/** Headers the V3 signature must cover, besides every other x-acs-* header present. */
const REQUIRED_SIGNED = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];

export class RequestAuthenticator {
  private readonly secrets: Map<string, string>;
  private readonly nonces = new Map<string, number>();

  constructor(
    keys: readonly AccessKeyPair[],
    private readonly maxSkewMs = DEFAULT_MAX_SKEW_MS,
  ) {
    if (keys.length === 0) throw new RangeError('the emulator needs at least one access key pair');
    for (const key of keys) {
      if (!key.accessKeyId || !key.accessKeySecret) throw new RangeError('access key pairs need both an id and a secret');
    }
    this.secrets = new Map(keys.map((key) => [key.accessKeyId, key.accessKeySecret]));
  }

  authenticate(call: IncomingCall, nowMs: number): AuthenticatedCall {
    const params = new Map([...call.query, ...formParams(call)]);
    const authorization = headerOf(call.headers, 'authorization');
    if (authorization !== undefined) return this.authenticateV3(call, authorization, params, nowMs);
    if (params.has('Signature')) return this.authenticateV2(call, params, nowMs);
    throw new AlibabaApiError('IncompleteSignature', `${MESSAGES.incompleteSignature} Neither an Authorization header nor a Signature parameter was sent.`);
  }

  private authenticateV3(call: IncomingCall, header: string, params: Map<string, string>, nowMs: number): AuthenticatedCall {
    const parsed = parseV3Authorization(header);
    if (!parsed) throw new AlibabaApiError('IncompleteSignature', `${MESSAGES.incompleteSignature} Authorization must be "ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...".`);
    const secret = this.secretOf(parsed.accessKeyId);
    const unsigned = [...REQUIRED_SIGNED, ...Object.keys(call.headers).filter((name) => name.startsWith('x-acs-'))].filter((name) => !parsed.signedHeaders.includes(name));
    if (unsigned.length > 0) throw new AlibabaApiError('IncompleteSignature', `${MESSAGES.incompleteSignature} SignedHeaders must include ${[...new Set(unsigned)].join(', ')}.`);
    this.checkDate(headerOf(call.headers, 'x-acs-date'), 'x-acs-date', nowMs);
    const payloadHash = headerOf(call.headers, 'x-acs-content-sha256') ?? '';
    if (payloadHash !== sha256Hex(call.body)) throw new AlibabaApiError('SignatureDoesNotMatch', `${MESSAGES.signatureMismatch} x-acs-content-sha256 is not the SHA-256 of the body.`);
    const expected = expectedV3Signature({ method: call.method, pathname: call.pathname, query: call.query, headers: call.headers, signedHeaders: parsed.signedHeaders, payloadHash }, secret);
    if (!sameText(expected, parsed.signature)) throw new AlibabaApiError('SignatureDoesNotMatch', MESSAGES.signatureMismatch);
    this.useNonce(parsed.accessKeyId, headerOf(call.headers, 'x-acs-signature-nonce'), nowMs);
    return { accessKeyId: parsed.accessKeyId, signatureVersion: 'v3', action: headerOf(call.headers, 'x-acs-action'), version: headerOf(call.headers, 'x-acs-version'), params };
  }

  private authenticateV2(call: IncomingCall, params: Map<string, string>, nowMs: number): AuthenticatedCall {
    const accessKeyId = params.get('AccessKeyId');
    if (!accessKeyId || params.get('SignatureMethod') !== 'HMAC-SHA1' || params.get('SignatureVersion') !== '1.0') {
      throw new AlibabaApiError('IncompleteSignature', `${MESSAGES.incompleteSignature} V2 requests need AccessKeyId, SignatureMethod=HMAC-SHA1 and SignatureVersion=1.0.`);
    }
    const secret = this.secretOf(accessKeyId);
    this.checkDate(params.get('Timestamp'), 'Timestamp', nowMs);
    if (!sameText(expectedV2Signature(call.method, params, secret), params.get('Signature') ?? '')) throw new AlibabaApiError('SignatureDoesNotMatch', MESSAGES.signatureMismatch);
    this.useNonce(accessKeyId, params.get('SignatureNonce'), nowMs);
    const operationParams = new Map([...params].filter(([key]) => !V2_COMMON.has(key)));
    return { accessKeyId, signatureVersion: 'v2', action: params.get('Action'), version: params.get('Version'), params: operationParams };
  }

  private secretOf(accessKeyId: string): string {
    const secret = this.secrets.get(accessKeyId);
    if (secret === undefined) throw new AlibabaApiError('InvalidAccessKeyId.NotFound', MESSAGES.keyNotFound);
    return secret;
  }

  private checkDate(value: string | undefined, name: string, nowMs: number): void {
    if (value === undefined || !TIMESTAMP.test(value)) throw new AlibabaApiError('InvalidTimeStamp.Format', `Specified ${name} is not valid: expected UTC yyyy-MM-ddTHH:mm:ssZ.`);
    if (Math.abs(nowMs - Date.parse(value)) > this.maxSkewMs) throw new AlibabaApiError('InvalidTimeStamp.Expired', `${MESSAGES.expired} ${name} ${value} is more than ${this.maxSkewMs / 60_000} minutes from the server's time.`);
  }

  private useNonce(accessKeyId: string, nonce: string | undefined, nowMs: number): void {
    if (!nonce) throw new AlibabaApiError('IncompleteSignature', `${MESSAGES.incompleteSignature} A signature nonce is required.`);
    for (const [key, expiresAt] of this.nonces) {
      if (expiresAt > nowMs) break;
      this.nonces.delete(key);
    }
    const key = `${accessKeyId}\u0000${nonce}`;
    if ((this.nonces.get(key) ?? -Infinity) > nowMs) throw new AlibabaApiError('SignatureNonceUsed', MESSAGES.nonceUsed);
    this.nonces.delete(key);
    this.nonces.set(key, nowMs + 2 * this.maxSkewMs);
  }
}

const V2_COMMON = new Set(['Action', 'Version', 'Format', 'AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'SignatureType', 'Timestamp', 'SecurityToken']);

function formParams(call: IncomingCall): Map<string, string> {
  const type = headerOf(call.headers, 'content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') || call.body === '') return new Map();
  return new Map(new URLSearchParams(call.body));
}

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
