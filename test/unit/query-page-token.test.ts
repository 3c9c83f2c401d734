import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidNextTokenError } from '../../lambdas/core/query/errors';
import { findSessions } from '../../lambdas/core/query/find-sessions';
import { createPageTokenKey, issuePageToken, queryFingerprint, readPageToken, type PageTokenContents } from '../../lambdas/core/query/page-token';
import type { SessionQuery } from '../../lambdas/core/query/parameters';

const key = createPageTokenKey('a-secret-of-at-least-32-characters!!');
const query: SessionQuery = { from: Date.UTC(2026, 0, 1), target: 'i-1', order: 'desc', limit: 100, format: 'json' };
const contents: PageTokenContents = {
  range: { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 5, 1) },
  partition: '2026-03',
  after: { startKey: '2026-03-04T05:06:07.000Z#alice-0123456789abcdef0', scope: 'ssm#123456789012#eu-west-1' },
};

function rejection(token: string, forQuery: SessionQuery = query): string {
  try {
    readPageToken(token, forQuery, key);
  } catch (error: unknown) {
    if (error instanceof InvalidNextTokenError) return error.message;
    throw error;
  }
  throw new Error('token accepted');
}

describe('page tokens', () => {
  it('round-trip the position, partition and resolved range', () => {
    const token = issuePageToken(query, contents, key);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(readPageToken(token, query, key)).toEqual(contents);
  });

  it('stay valid when only limit or format change', () => {
    const token = issuePageToken(query, contents, key);
    expect(readPageToken(token, { ...query, limit: 5, format: 'csv' }, key)).toEqual(contents);
  });

  it.each<[string, Partial<SessionQuery>]>([
    ['another target', { target: 'i-2' }],
    ['an added filter', { status: 'Failed' }],
    ['another order', { order: 'asc' }],
    ['another from', { from: Date.UTC(2026, 0, 2) }],
    ['an added to', { to: Date.UTC(2026, 5, 1) }],
    ['a removed filter', { target: undefined }],
  ])('are refused with %s', (_label, change) => {
    const token = issuePageToken(query, contents, key);
    expect(rejection(token, { ...query, ...change })).toMatch(/different query/);
  });

  it('compare times as instants: the same instant spelled differently is the same query', () => {
    expect(queryFingerprint({ ...query, from: Date.parse('2026-01-01') })).toBe(queryFingerprint({ ...query, from: Date.parse('2026-01-01T01:00:00+01:00') }));
  });

  it('are refused when signed with another secret', () => {
    const other = createPageTokenKey('another-secret-of-at-least-32-chars!!');
    expect(rejection(issuePageToken(query, contents, other))).toMatch(/not issued by this API or was altered/);
  });

  it('are refused after any single-character change', () => {
    const token = issuePageToken(query, contents, key);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), (at, replacement) => {
        fc.pre(token[at] !== replacement);
        const mutated = token.slice(0, at) + replacement + token.slice(at + 1);
        expect(() => readPageToken(mutated, query, key)).toThrow(InvalidNextTokenError);
      }),
      { numRuns: 2000 },
    );
  });

  it('are refused when truncated, extended or re-encoded', () => {
    const token = issuePageToken(query, contents, key);
    const variants = [token.slice(0, -1), `${token}A`, token.replace('.', '..'), `${token}=`, `${token.replace(/-/g, '+').replace(/_/g, '/')}/+`, '', '.', 'x'.repeat(2000)];
    for (const bad of variants) expect(() => readPageToken(bad, query, key)).toThrow(InvalidNextTokenError);
  });

  it('refuse forged payloads even with a well-formed shape', () => {
    const body = Buffer.from(JSON.stringify({ v: 1, q: queryFingerprint(query), r: [0, 1] })).toString('base64url');
    expect(rejection(`${body}.${'A'.repeat(43)}`)).toMatch(/not issued by this API/);
  });

  it('signed but positioned outside the query are refused before DynamoDB sees them', async () => {
    const reader = { readPartition: async () => ({ sessions: [], evaluated: 0 }) };
    const deps = { reader, tokenKey: key, clock: { now: () => Date.UTC(2026, 5, 1) } };
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
      const nextToken = issuePageToken(timeQuery, contentsOutside, key);
      await expect(findSessions({ ...timeQuery, nextToken }, deps)).rejects.toThrow(/does not fit this query/);
    }
  });
});
