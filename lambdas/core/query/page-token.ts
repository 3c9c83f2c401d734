/**
 * Pagination tokens: opaque to callers, signed, short-lived, and bound to the query that made them.
 *
 *   token = keyId "." base64url(JSON payload) "." base64url(HMAC-SHA256(signing key, "v2." keyId "." payload))
 *
 * The payload holds an HMAC fingerprint of the normalised filters and order (keyed, so a token
 * reveals nothing about filter values, not even to someone guessing them), its expiry, the
 * resolved time range (so a defaulted `to` stays put across pages) and the keyset position: the
 * month bucket and the index key to resume after. The payload is signed, not encrypted: the
 * position is a start key of a session the caller was already shown.
 *
 * Keys rotate: tokens are signed with the current key and accepted under the current or the
 * previous one; the key id says which (it is itself an HMAC, so it reveals nothing of the key).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { ExpiredNextTokenError, InvalidNextTokenError } from './errors';
import type { SessionQuery } from './parameters';
import type { ResolvedRange } from './plan';
import type { IndexPosition } from './ports';

const TOKEN_VERSION = 2;
const TOKEN_PATTERN = /^([A-Za-z0-9_-]{11})\.([A-Za-z0-9_-]{1,1500})\.([A-Za-z0-9_-]{43})$/;
/** How long a token is accepted after it was issued, unless configured otherwise. */
export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 60 * 60;
export const MIN_TOKEN_TTL_SECONDS = 60;
export const MAX_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;

/** One secret, stretched once into its keys (build them at start-up, not per request). */
export interface PageTokenKey {
  /** 11 base64url characters naming the key in each token. */
  readonly id: string;
  readonly signing: Buffer;
  readonly fingerprinting: Buffer;
}

/** The keys of a running API: sign with `current`, accept `current` or `previous`. */
export interface PageTokenKeys {
  readonly current: PageTokenKey;
  readonly previous?: PageTokenKey;
  readonly ttlSeconds: number;
}

export interface TokenSecrets {
  current: string;
  /** The secret before the last rotation: its tokens stay valid until they expire. */
  previous?: string;
}

export function createPageTokenKey(secret: string): PageTokenKey {
  if (secret.length === 0) throw new RangeError('the page-token secret must not be empty');
  const master = createHmac('sha256', secret).update('session-archive/page-token').digest();
  const derive = (purpose: string) => createHmac('sha256', master).update(purpose).digest();
  return { id: derive('key-id').subarray(0, 8).toString('base64url'), signing: derive('sign'), fingerprinting: derive('fingerprint') };
}

export function createPageTokenKeys(secrets: TokenSecrets, ttlSeconds: number = DEFAULT_TOKEN_TTL_SECONDS): PageTokenKeys {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < MIN_TOKEN_TTL_SECONDS || ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
    throw new RangeError(`the token lifetime must be a whole number of seconds from ${MIN_TOKEN_TTL_SECONDS} to ${MAX_TOKEN_TTL_SECONDS}`);
  }
  const current = createPageTokenKey(secrets.current);
  // Before the first rotation Secrets Manager has no previous version, or the same one.
  if (secrets.previous === undefined || secrets.previous === secrets.current) return { current, ttlSeconds };
  return { current, previous: createPageTokenKey(secrets.previous), ttlSeconds };
}

export interface PageTokenContents {
  range: ResolvedRange;
  /** The month bucket to resume in; absent for the target and owner indexes (one partition). */
  partition?: string;
  after?: IndexPosition;
}

const payloadSchema = z.strictObject({
  v: z.literal(TOKEN_VERSION),
  q: z.string().check(z.length(22)),
  /** Expiry, epoch seconds. */
  x: z.int(),
  r: z.tuple([z.int(), z.int()]),
  p: z.optional(z.string().check(z.maxLength(16))),
  a: z.optional(z.tuple([z.string().check(z.maxLength(200)), z.string().check(z.maxLength(200))])),
});
type Payload = z.infer<typeof payloadSchema>;

/** What makes two requests "the same query": a tuple of the route's normalised filters and order. */
export type QueryIdentity = readonly unknown[];

export function issuePageToken(query: SessionQuery, contents: PageTokenContents, keys: PageTokenKeys, nowMs: number): string {
  return issueTokenFor(sessionQueryIdentity(query), contents, keys, nowMs);
}

export function readPageToken(token: string, query: SessionQuery, keys: PageTokenKeys, nowMs: number): PageTokenContents {
  return readTokenFor(token, sessionQueryIdentity(query), keys, nowMs);
}

/** A token for any route's query, given that query's identity. */
export function issueTokenFor(identity: QueryIdentity, contents: PageTokenContents, keys: PageTokenKeys, nowMs: number): string {
  const key = keys.current;
  const payload: Payload = {
    v: TOKEN_VERSION,
    q: queryFingerprint(identity, key),
    x: Math.floor(nowMs / 1000) + keys.ttlSeconds,
    r: [contents.range.from, contents.range.to],
  };
  if (contents.partition !== undefined) payload.p = contents.partition;
  if (contents.after) payload.a = [contents.after.scope, contents.after.startKey];
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${key.id}.${body}.${sign(key, body).toString('base64url')}`;
}

const START_AGAIN = 'start the query again without it';

export function readTokenFor(token: string, identity: QueryIdentity, keys: PageTokenKeys, nowMs: number): PageTokenContents {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) throw new InvalidNextTokenError('nextToken is malformed: pass back the nextToken of the previous page unchanged');
  const [, keyId, body, signature] = match as unknown as [string, string, string, string];
  const key = [keys.current, keys.previous].find((candidate) => candidate?.id === keyId);
  if (!key) {
    throw new InvalidNextTokenError(`nextToken was signed with a key this API no longer accepts (the token key was rotated) or was not issued by this API: ${START_AGAIN}`);
  }
  // Compare the text, not the decoded bytes: base64url has spare bits, so two texts can decode alike.
  const given = Buffer.from(signature);
  const expected = Buffer.from(sign(key, body).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidNextTokenError('nextToken was not issued by this API or was altered');
  }
  const payload = parsePayload(body);
  if (nowMs >= payload.x * 1000) {
    throw new ExpiredNextTokenError(
      `nextToken expired at ${new Date(payload.x * 1000).toISOString()} (tokens are valid for ${describeSeconds(keys.ttlSeconds)} after they are issued): ${START_AGAIN}`,
    );
  }
  if (!equalText(payload.q, queryFingerprint(identity, key))) {
    throw new InvalidNextTokenError(
      'nextToken belongs to a different query: repeat the filters and order of the request that returned it (limit and format may change)',
    );
  }
  const contents: PageTokenContents = { range: { from: payload.r[0], to: payload.r[1] } };
  if (payload.p !== undefined) contents.partition = payload.p;
  if (payload.a) contents.after = { scope: payload.a[0], startKey: payload.a[1] };
  return contents;
}

/**
 * `GET /sessions`: every filter and the order. Times are compared as instants, so `2026-01-01`
 * and `2026-01-01T00:00:00Z` are the same. Limit and format may change between pages.
 */
export function sessionQueryIdentity(query: SessionQuery): QueryIdentity {
  return [
    query.from ?? null,
    query.to ?? null,
    query.target ?? null,
    query.owner ?? null,
    query.status ?? null,
    query.document ?? null,
    query.accessType ?? null,
    query.reason ?? null,
    query.order,
  ];
}

/** 22 base64url characters of an HMAC over the identity: without the key, filter values cannot be guessed from it. */
export function queryFingerprint(identity: QueryIdentity, key: PageTokenKey): string {
  return createHmac('sha256', key.fingerprinting).update(JSON.stringify(identity)).digest('base64url').slice(0, 22);
}

function sign(key: PageTokenKey, body: string): Buffer {
  return createHmac('sha256', key.signing).update(`v${TOKEN_VERSION}.${key.id}.${body}`).digest();
}

function equalText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function describeSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/** A correctly signed payload can still be unreadable, e.g. one signed by a later version. */
function parsePayload(body: string): Payload {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidNextTokenError('nextToken is malformed: pass back the nextToken of the previous page unchanged');
  }
  const result = z.safeParse(payloadSchema, decoded);
  if (!result.success) throw new InvalidNextTokenError('nextToken is malformed: pass back the nextToken of the previous page unchanged');
  return result.data;
}
