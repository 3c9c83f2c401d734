/**
 * Pagination tokens: opaque to callers, signed, and bound to the query that produced them.
 *
 *   token = base64url(JSON payload) "." base64url(HMAC-SHA256(key, "v1." + payload))
 *
 * The payload holds a hash of the normalised filters and order, the resolved time range (so a
 * defaulted `to` stays put across pages) and the keyset position: the month bucket and the index
 * key to resume after. The signature makes forged or altered tokens fail; the hash makes a token
 * used with other filters fail. The payload is signed, not encrypted: it reveals only a start key
 * of a session the caller was already shown.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { InvalidNextTokenError } from './errors';
import type { SessionQuery } from './parameters';
import type { ResolvedRange } from './plan';
import type { IndexPosition } from './ports';

const TOKEN_VERSION = 1;
const TOKEN_PATTERN = /^([A-Za-z0-9_-]{1,1500})\.([A-Za-z0-9_-]{43})$/;

/** The secret, stretched once into the HMAC key (build it at start-up, not per request). */
export interface PageTokenKey {
  readonly hmacKey: Buffer;
}

export function createPageTokenKey(secret: string): PageTokenKey {
  if (secret.length === 0) throw new RangeError('the page-token secret must not be empty');
  return { hmacKey: createHmac('sha256', secret).update('session-archive/page-token').digest() };
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
  r: z.tuple([z.int(), z.int()]),
  p: z.optional(z.string().check(z.maxLength(16))),
  a: z.optional(z.tuple([z.string().check(z.maxLength(200)), z.string().check(z.maxLength(200))])),
});
type Payload = z.infer<typeof payloadSchema>;

export function issuePageToken(query: SessionQuery, contents: PageTokenContents, key: PageTokenKey): string {
  return issueTokenFor(queryFingerprint(query), contents, key);
}

export function readPageToken(token: string, query: SessionQuery, key: PageTokenKey): PageTokenContents {
  return readTokenFor(token, queryFingerprint(query), key);
}

/**
 * A token for any route's query, given that query's fingerprint (22 base64url characters of a
 * SHA-256 over its filters and order, and over the route when it is not /sessions).
 */
export function issueTokenFor(fingerprint: string, contents: PageTokenContents, key: PageTokenKey): string {
  const payload: Payload = { v: TOKEN_VERSION, q: fingerprint, r: [contents.range.from, contents.range.to] };
  if (contents.partition !== undefined) payload.p = contents.partition;
  if (contents.after) payload.a = [contents.after.scope, contents.after.startKey];
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(body, key).toString('base64url')}`;
}

export function readTokenFor(token: string, fingerprint: string, key: PageTokenKey): PageTokenContents {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) throw new InvalidNextTokenError('nextToken is malformed: pass back the nextToken of the previous page unchanged');
  const [, body, signature] = match as unknown as [string, string, string];
  // Compare the text, not the decoded bytes: base64url has spare bits, so two texts can decode alike.
  const given = Buffer.from(signature);
  const expected = Buffer.from(sign(body, key).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidNextTokenError('nextToken was not issued by this API or was altered');
  }
  const payload = parsePayload(body);
  if (payload.q !== fingerprint) {
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
 * What makes two requests "the same query": every filter and the order. Times are compared as
 * instants, so `2026-01-01` and `2026-01-01T00:00:00Z` are the same. Limit and format may change.
 */
export function queryFingerprint(query: SessionQuery): string {
  const normalised = [
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
  return fingerprintOf(normalised);
}

/** The fingerprint of a normalised query: a tuple of its filters and order. */
export function fingerprintOf(normalised: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(normalised)).digest('base64url').slice(0, 22);
}

function sign(body: string, key: PageTokenKey): Buffer {
  return createHmac('sha256', key.hmacKey).update(`v${TOKEN_VERSION}.${body}`).digest();
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
