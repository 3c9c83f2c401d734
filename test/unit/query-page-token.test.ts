import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpiredNextTokenError, InvalidNextTokenError } from '../../lambdas/core/query/errors';
import { findSessions } from '../../lambdas/core/query/find-sessions';
import {
  createPageTokenKey,
  createPageTokenKeys,
  issuePageToken,
  queryFingerprint,
  readPageToken,
  sessionQueryIdentity,
  type PageTokenContents,
} from '../../lambdas/core/query/page-token';
import type { SessionQuery } from '../../lambdas/core/query/parameters';

const SECRET = 'a-secret-of-at-least-32-characters!!';
const key = createPageTokenKeys({ current: SECRET });
const NOW = Date.UTC(2026, 5, 1, 12);
const HOUR = 3_600_000;
const query: SessionQuery = { from: Date.UTC(2026, 0, 1), target: 'i-1', order: 'desc', limit: 100, format: 'json' };
const contents: PageTokenContents = {
  range: { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 5, 1) },
  partition: '2026-03',
  after: { startKey: '2026-03-04T05:06:07.000Z#alice-0123456789abcdef0', scope: 'ssm#123456789012#eu-west-1' },
};

function rejection(token: string, forQuery: SessionQuery = query, keys = key, now = NOW): string {
  try {
    readPageToken(token, forQuery, keys, now);
  } catch (error: unknown) {
    if (error instanceof InvalidNextTokenError || error instanceof ExpiredNextTokenError) return error.message;
    throw error;
  }
  throw new Error('token accepted');
}

describe('page tokens', () => {
  it('round-trip the position, partition and resolved range', () => {
    const token = issuePageToken(query, contents, key, NOW);
    expect(token).toMatch(/^[A-Za-z0-9_-]{11}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(readPageToken(token, query, key, NOW)).toEqual(contents);
  });

  it('stay valid when only limit or format change', () => {
    const token = issuePageToken(query, contents, key, NOW);
    expect(readPageToken(token, { ...query, limit: 5, format: 'csv' }, key, NOW)).toEqual(contents);
  });

  it.each<[string, Partial<SessionQuery>]>([
    ['another target', { target: 'i-2' }],
    ['an added filter', { status: 'Failed' }],
    ['another order', { order: 'asc' }],
    ['another from', { from: Date.UTC(2026, 0, 2) }],
    ['an added to', { to: Date.UTC(2026, 5, 1) }],
    ['a removed filter', { target: undefined }],
  ])('are refused with %s', (_label, change) => {
    const token = issuePageToken(query, contents, key, NOW);
    expect(rejection(token, { ...query, ...change })).toMatch(/different query/);
  });

  it('compare times as instants: the same instant spelled differently is the same query', () => {
    const fingerprint = (from: string) => queryFingerprint(sessionQueryIdentity({ ...query, from: Date.parse(from) }), key.current);
    expect(fingerprint('2026-01-01')).toBe(fingerprint('2026-01-01T01:00:00+01:00'));
  });

  it('are refused when signed with another secret', () => {
    const other = createPageTokenKeys({ current: 'another-secret-of-at-least-32-chars!!' });
    expect(rejection(issuePageToken(query, contents, other, NOW))).toMatch(/no longer accepts .*or was not issued by this API/);
  });

  it('are refused after any single-character change', () => {
    const token = issuePageToken(query, contents, key, NOW);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), (at, replacement) => {
        fc.pre(token[at] !== replacement);
        const mutated = token.slice(0, at) + replacement + token.slice(at + 1);
        expect(() => readPageToken(mutated, query, key, NOW)).toThrow(InvalidNextTokenError);
      }),
      { numRuns: 2000 },
    );
  });

  it('are refused when truncated, extended or re-encoded', () => {
    const token = issuePageToken(query, contents, key, NOW);
    const variants = [token.slice(0, -1), `${token}A`, token.replace('.', '..'), `${token}=`, `${token.replace(/-/g, '+').replace(/_/g, '/')}/+`, '', '.', 'x'.repeat(2000)];
    for (const bad of variants) expect(() => readPageToken(bad, query, key, NOW)).toThrow(InvalidNextTokenError);
  });

  it('refuse forged payloads even with a well-formed shape', () => {
    const body = Buffer.from(JSON.stringify({ v: 2, q: queryFingerprint(sessionQueryIdentity(query), key.current), x: NOW / 1000 + 60, r: [0, 1] })).toString('base64url');
    expect(rejection(`${key.current.id}.${body}.${'A'.repeat(43)}`)).toMatch(/not issued by this API or was altered/);
  });

  it('signed but positioned outside the query are refused before DynamoDB sees them', async () => {
    const reader = { readPartition: async () => ({ sessions: [], evaluated: 0 }) };
    const deps = { reader, tokenKeys: key, clock: { now: () => NOW } };
    const timeQuery: SessionQuery = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 5, 1), order: 'desc', limit: 10, format: 'json' };
    const outside: PageTokenContents[] = [
      { range: timeQuery as { from: number; to: number }, partition: '2025-12' },
      { range: timeQuery as { from: number; to: number } },
      { range: timeQuery as { from: number; to: number }, partition: '2026-03', after: { startKey: '2026-04-01T00:00:00.000Z#s', scope: 'x' } },
      { range: timeQuery as { from: number; to: number }, partition: '2026-03', after: { startKey: '2027-03-01T00:00:00.000Z#s', scope: 'x' } },
      { range: timeQuery as { from: number; to: number }, partition: '2026-03', after: { startKey: '2026-03-01T00:00:00.000Z', scope: 'x' } },
      { range: { from: 10, to: 5 }, partition: '2026-03' },
    ];
    for (const contentsOutside of outside) {
      const nextToken = issuePageToken(timeQuery, contentsOutside, key, NOW);
      await expect(findSessions({ ...timeQuery, nextToken }, deps)).rejects.toThrow(/does not fit this query/);
    }
  });

  describe('expiry', () => {
    it('are accepted until their lifetime has passed, then refused with a clear 400', () => {
      const token = issuePageToken(query, contents, key, NOW);
      expect(readPageToken(token, query, key, NOW + 24 * HOUR - 1000)).toEqual(contents);
      const error = (() => {
        try {
          readPageToken(token, query, key, NOW + 24 * HOUR);
        } catch (thrown: unknown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ExpiredNextTokenError);
      expect(error).toMatchObject({ statusCode: 400, code: 'ExpiredNextToken' });
      expect((error as Error).message).toBe('nextToken expired at 2026-06-02T12:00:00.000Z (tokens are valid for 24 hours after they are issued): start the query again without it');
    });

    it('follow the configured lifetime', () => {
      const short = createPageTokenKeys({ current: SECRET }, 600);
      const token = issuePageToken(query, contents, short, NOW);
      expect(readPageToken(token, query, short, NOW + 599_000)).toEqual(contents);
      expect(rejection(token, query, short, NOW + 600_000)).toMatch(/expired .*valid for 10 minutes/);
    });

    it('cannot be extended: a later expiry breaks the signature', () => {
      const [id, body, signature] = issuePageToken(query, contents, key, NOW).split('.') as [string, string, string];
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { x: number };
      payload.x += 365 * 86_400;
      const extended = `${id}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
      expect(rejection(extended, query, key, NOW + 48 * HOUR)).toMatch(/not issued by this API or was altered/);
    });
  });

  describe('rotation', () => {
    const OLD = 'the-secret-before-the-rotation-0123456789';
    const NEW = 'the-secret-after-the-rotation-0123456789';

    it('a token signed before a rotation is still accepted; new tokens are signed with the new key', () => {
      const before = createPageTokenKeys({ current: OLD });
      const after = createPageTokenKeys({ current: NEW, previous: OLD });
      const oldToken = issuePageToken(query, contents, before, NOW);
      expect(readPageToken(oldToken, query, after, NOW)).toEqual(contents);
      const newToken = issuePageToken(query, contents, after, NOW);
      expect(newToken.split('.')[0]).toBe(createPageTokenKey(NEW).id);
      expect(rejection(newToken, query, before)).toMatch(/no longer accepts/);
    });

    it('a token of a rotated-out key is refused', () => {
      const oldToken = issuePageToken(query, contents, createPageTokenKeys({ current: OLD }), NOW);
      const twiceRotated = createPageTokenKeys({ current: 'a-third-secret-after-two-rotations-0123', previous: NEW });
      expect(rejection(oldToken, query, twiceRotated)).toBe(
        'nextToken was signed with a key this API no longer accepts (the token key was rotated) or was not issued by this API: start the query again without it',
      );
    });

    it('a previous secret equal to the current one is one key', () => {
      expect(createPageTokenKeys({ current: OLD, previous: OLD }).previous).toBeUndefined();
    });
  });

  describe('the query fingerprint', () => {
    it('is an HMAC: not a plain hash of the filters, and different under another key', () => {
      const token = issuePageToken(query, contents, key, NOW);
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { q: string };
      const identity = JSON.stringify(sessionQueryIdentity(query));
      expect(payload.q).not.toBe(createHash('sha256').update(identity).digest('base64url').slice(0, 22));
      expect(payload.q).toBe(queryFingerprint(sessionQueryIdentity(query), key.current));
      expect(payload.q).not.toBe(queryFingerprint(sessionQueryIdentity(query), createPageTokenKey('another-secret-of-at-least-32-chars!!')));
    });

    it('tampered with in a token is refused', () => {
      const [id, body, signature] = issuePageToken(query, contents, key, NOW).split('.') as [string, string, string];
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { q: string };
      // Re-pointed at another query: the fingerprint that query would have.
      payload.q = queryFingerprint(sessionQueryIdentity({ ...query, target: 'i-2' }), key.current);
      const tampered = `${id}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
      expect(rejection(tampered, { ...query, target: 'i-2' })).toMatch(/not issued by this API or was altered/);
    });
  });
});
