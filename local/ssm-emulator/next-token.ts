/**
 * Opaque, tamper-evident DescribeSessions page tokens.
 * A token is base64url(JSON payload) + "." + base64url(HMAC-SHA256), signed with a
 * per-emulator random secret. It carries the keyset cursor (StartDate, SessionId of the
 * last item returned), a digest of the State and Filters it belongs to, and its issue time
 * on the emulator clock, so reuse with other filters or after the TTL is rejected.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SsmApiError } from './errors';
import type { SessionState } from './session-model';
import type { SessionFilter } from './validation';

export interface PageCursor {
  startMs: number;
  sessionId: string;
}

export interface TokenBinding {
  state: SessionState;
  filters: readonly SessionFilter[];
}

interface TokenPayload {
  v: 1;
  /** Digest of State + Filters. */
  b: string;
  /** Cursor: StartDate ms and SessionId of the last item already returned. */
  k: number;
  i: string;
  /** Issued at, emulator-clock ms. */
  t: number;
}

export const DEFAULT_NEXT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export class NextTokenCodec {
  private readonly secret = randomBytes(32);

  /** Settable while the emulator runs; a change applies to tokens already issued. */
  constructor(public ttlMs: number = DEFAULT_NEXT_TOKEN_TTL_MS) {}

  issue(cursor: PageCursor, binding: TokenBinding, nowMs: number): string {
    const payload: TokenPayload = { v: 1, b: bindingDigest(binding), k: cursor.startMs, i: cursor.sessionId, t: nowMs };
    const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${encoded}.${this.sign(encoded)}`;
  }

  /** Returns the cursor and the token's issue time, or throws InvalidNextToken saying why the token cannot be used. */
  read(token: string, binding: TokenBinding, nowMs: number): PageCursor & { issuedAtMs: number } {
    const payload = this.verifiedPayload(token);
    if (payload.b !== bindingDigest(binding)) {
      throw new SsmApiError(
        'InvalidNextToken',
        'The specified token isn\'t valid: it was issued for a request with a different State or Filters',
      );
    }
    if (nowMs - payload.t > this.ttlMs) {
      throw new SsmApiError('InvalidNextToken', 'The specified token isn\'t valid: it has expired');
    }
    return { startMs: payload.k, sessionId: payload.i, issuedAtMs: payload.t };
  }

  private verifiedPayload(token: string): TokenPayload {
    const invalid = new SsmApiError('InvalidNextToken', 'The specified token isn\'t valid');
    const parts = token.split('.');
    if (parts.length !== 2) throw invalid;
    const [encoded, signature] = parts as [string, string];
    const expected = Buffer.from(this.sign(encoded), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid;
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    } catch {
      throw invalid;
    }
    if (!isTokenPayload(payload)) throw invalid;
    return payload;
  }

  private sign(encodedPayload: string): string {
    return createHmac('sha256', this.secret).update(encodedPayload).digest('base64url');
  }
}

function isTokenPayload(value: unknown): value is TokenPayload {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    candidate.v === 1 &&
    typeof candidate.b === 'string' &&
    typeof candidate.k === 'number' &&
    typeof candidate.i === 'string' &&
    typeof candidate.t === 'number'
  );
}

/** Filter order does not change the query, so it does not change the binding. */
function bindingDigest(binding: TokenBinding): string {
  const canonicalFilters = binding.filters
    .map((filter) => `${filter.key}\u0000${filter.value}`)
    .sort();
  return createHash('sha256')
    .update(JSON.stringify([binding.state, canonicalFilters]))
    .digest('base64url')
    .slice(0, 22);
}
