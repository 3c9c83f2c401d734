/**
 * Opaque, tamper-evident NextTokens: base64url(JSON payload) + "." + base64url(HMAC-SHA256) under
 * a per-emulator random secret. A token holds the position of the last session returned, a digest
 * of the request it continues (region, filters, order) and its issue time on the emulator clock.
 * Anything else, a token from another listing, or (with a TTL) an old one is
 * InvalidParameter.NextToken.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AlibabaApiError } from './errors';
import type { ListingPosition } from './result-order';

export interface TokenBinding {
  regionId: string;
  instanceId?: string;
  sessionId?: string;
  order: string;
}

interface TokenPayload {
  v: 1;
  b: string;
  r: number;
  i: string;
  t: number;
}

const INVALID = 'The specified parameter NextToken is not valid.';

export class NextTokenCodec {
  private readonly secret = randomBytes(32);

  /** `ttlMs` undefined: tokens never expire (Alibaba documents no expiry). */
  constructor(public ttlMs: number | undefined = undefined) {}

  issue(position: ListingPosition, binding: TokenBinding, nowMs: number): string {
    const payload: TokenPayload = { v: 1, b: digest(binding), r: position.rank, i: position.sessionId, t: nowMs };
    const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${encoded}.${this.sign(encoded)}`;
  }

  read(token: string, binding: TokenBinding, nowMs: number): ListingPosition {
    const payload = this.verified(token);
    if (payload.b !== digest(binding)) throw new AlibabaApiError('InvalidParameter.NextToken', `${INVALID} It belongs to a request with other parameters.`);
    if (this.ttlMs !== undefined && nowMs - payload.t > this.ttlMs) throw new AlibabaApiError('InvalidParameter.NextToken', `${INVALID} It has expired.`);
    return { rank: payload.r, sessionId: payload.i };
  }

  private verified(token: string): TokenPayload {
    const invalid = new AlibabaApiError('InvalidParameter.NextToken', INVALID);
    const [encoded, signature, extra] = token.split('.');
    if (encoded === undefined || signature === undefined || extra !== undefined) throw invalid;
    const expected = Buffer.from(this.sign(encoded));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid;
    try {
      const payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Partial<TokenPayload>;
      if (payload.v === 1 && typeof payload.b === 'string' && typeof payload.r === 'number' && typeof payload.i === 'string' && typeof payload.t === 'number') return payload as TokenPayload;
    } catch {
      // falls through to the same answer as any other bad token
    }
    throw invalid;
  }

  private sign(encoded: string): string {
    return createHmac('sha256', this.secret).update(encoded).digest('base64url');
  }
}

function digest(binding: TokenBinding): string {
  return createHash('sha256')
    .update(JSON.stringify([binding.regionId, binding.instanceId ?? null, binding.sessionId ?? null, binding.order]))
    .digest('base64url')
    .slice(0, 22);
}
