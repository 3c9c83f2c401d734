/**
 * The page walk against an in-memory index that behaves like DynamoDB's Query (Limit counts items
 * evaluated before the filter; LastEvaluatedKey whenever Limit was reached): pages followed to the
 * end equal a brute-force filter, whatever the budget, and stay exact while sessions are added.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectPage } from '../../lambdas/core/query/collect-page';
import { findSessions } from '../../lambdas/core/query/find-sessions';
import { createPageTokenKeys } from '../../lambdas/core/query/page-token';
import type { SessionQuery } from '../../lambdas/core/query/parameters';
import { planQuery, resolveRange, type FilterCondition } from '../../lambdas/core/query/plan';
import type { PartitionPage, PartitionRead, SessionIndexReader } from '../../lambdas/core/query/ports';
import { scopeKey, type SessionRecord } from '../../lambdas/core/session/session';
import { toIso } from '../../lambdas/core/shared/time';

const startKeyOf = (record: SessionRecord) => `${record.startDate}#${record.sessionId}`;
const compareIndexOrder = (a: SessionRecord, b: SessionRecord) =>
  startKeyOf(a).localeCompare(startKeyOf(b)) || scopeKey(a).localeCompare(scopeKey(b));

class InMemoryIndex implements SessionIndexReader {
  reads = 0;
  constructor(readonly records: SessionRecord[]) {}

  async readPartition(read: PartitionRead): Promise<PartitionPage> {
    this.reads++;
    const partitionOf = (record: SessionRecord) =>
      read.index === 'time' ? record.startDate.slice(0, 7) : read.index === 'target' ? record.target : record.owner;
    let candidates = this.records
      .filter((record) => partitionOf(record) === read.partition)
      .filter((record) => startKeyOf(record) >= read.keyRange.lowest && startKeyOf(record) <= read.keyRange.highest)
      .sort(compareIndexOrder);
    if (read.order === 'desc') candidates.reverse();
    if (read.startAfter) {
      const after = read.startAfter;
      const position = (record: SessionRecord) => startKeyOf(record).localeCompare(after.startKey) || scopeKey(record).localeCompare(after.scope);
      candidates = candidates.filter((record) => (read.order === 'asc' ? position(record) > 0 : position(record) < 0));
    }
    const evaluated = candidates.slice(0, read.maxEvaluated);
    const positionOf = (record: SessionRecord) => ({ startKey: startKeyOf(record), scope: scopeKey(record) });
    const page: PartitionPage = {
      sessions: evaluated.filter((record) => matches(record, read.conditions)).map((record) => ({ record, position: positionOf(record) })),
      evaluated: evaluated.length,
    };
    const last = evaluated[evaluated.length - 1];
    if (evaluated.length === read.maxEvaluated && last) page.lastEvaluated = positionOf(last);
    return page;
  }
}

function matches(record: SessionRecord, conditions: readonly FilterCondition[]): boolean {
  return conditions.every((condition) => {
    const value = record[condition.field];
    return condition.match === 'contains' ? value !== undefined && value.includes(condition.value) : value === condition.value;
  });
}

function bruteForce(records: readonly SessionRecord[], query: SessionQuery, now: number): SessionRecord[] {
  const range = resolveRange(query, now);
  const found = records.filter((record) => {
    const start = Date.parse(record.startDate);
    if (start < range.from || start >= range.to) return false;
    if (query.target !== undefined && record.target !== query.target) return false;
    if (query.owner !== undefined && record.owner !== query.owner) return false;
    if (query.status !== undefined && record.status !== query.status) return false;
    if (query.document !== undefined && record.documentName !== query.document) return false;
    if (query.accessType !== undefined && record.accessType !== query.accessType) return false;
    if (query.reason !== undefined && !(record.reason ?? '').includes(query.reason)) return false;
    return true;
  });
  found.sort(compareIndexOrder);
  return query.order === 'desc' ? found.reverse() : found;
}

const NOW = Date.UTC(2026, 3, 1);
const SPAN_FROM = Date.UTC(2025, 9, 1);
let serial = 0;

const recordArbitrary = fc
  .record({
    start: fc.integer({ min: SPAN_FROM, max: NOW }),
    id: fc.constantFrom('a', 'b', 'c', 'd'),
    account: fc.constantFrom('111111111111', '222222222222'),
    target: fc.constantFrom('i-1', 'i-2', 'i-3'),
    owner: fc.option(fc.constantFrom('arn:alice', 'arn:bob'), { nil: undefined }),
    status: fc.constantFrom('Terminated', 'Failed', 'Connected'),
    documentName: fc.option(fc.constantFrom('Shell', 'PortForward'), { nil: undefined }),
    accessType: fc.constantFrom('Standard', 'JustInTime'),
    reason: fc.option(fc.constantFrom('INC-1 fix', 'deploy', 'inc-1 lower', 'INC-12'), { nil: undefined }),
  })
  .map((r): SessionRecord => {
    const record: SessionRecord = {
      sessionId: `${r.id}-${(serial++).toString(36)}`,
      target: r.target,
      status: r.status,
      // Whole hours make equal start dates (ties broken by session id) common.
      startDate: toIso(Math.floor(r.start / 3_600_000) * 3_600_000),
      accessType: r.accessType,
      accountId: r.account,
      region: 'eu-west-1',
      source: 'ssm',
      firstArchivedAt: toIso(NOW),
      lastSeenAt: toIso(NOW),
    };
    if (r.owner !== undefined) record.owner = r.owner;
    if (r.documentName !== undefined) record.documentName = r.documentName;
    if (r.reason !== undefined) record.reason = r.reason;
    return record;
  });

const queryArbitrary = fc
  .record(
    {
      from: fc.integer({ min: SPAN_FROM - 40 * 86_400_000, max: NOW }),
      to: fc.integer({ min: SPAN_FROM, max: NOW + 40 * 86_400_000 }),
      target: fc.constantFrom('i-1', 'i-2', 'i-9'),
      owner: fc.constantFrom('arn:alice', 'arn:bob'),
      status: fc.constantFrom('Terminated', 'Failed'),
      document: fc.constantFrom('Shell', 'PortForward'),
      accessType: fc.constantFrom('Standard', 'JustInTime'),
      reason: fc.constantFrom('INC-1', 'deploy', 'nothing'),
    },
    { requiredKeys: [] },
  )
  .chain((filters) =>
    fc.record({ order: fc.constantFrom('asc' as const, 'desc' as const), limit: fc.integer({ min: 1, max: 25 }) }).map((rest): SessionQuery => {
      const query: SessionQuery = { ...filters, ...rest, format: 'json' };
      if (query.from !== undefined && query.to !== undefined && query.from > query.to) [query.from, query.to] = [query.to, query.from];
      return query;
    }),
  );

const budgetArbitrary = fc.record({ maxReads: fc.integer({ min: 1, max: 6 }), maxEvaluated: fc.integer({ min: 1, max: 60 }) });
const tokenKeys = createPageTokenKeys({ current: 'unit-test-secret-unit-test-secret' });
const clock = { now: () => NOW };

describe('collecting pages', () => {
  it('pages followed to the end equal the brute-force answer: same order, no duplicates, no gaps', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArbitrary, { maxLength: 150, size: 'max' }), queryArbitrary, budgetArbitrary, async (records, query, budget) => {
        const reader = new InMemoryIndex(records);
        const collected: SessionRecord[] = [];
        let nextToken: string | undefined;
        let pages = 0;
        do {
          const page = await findSessions(nextToken === undefined ? query : { ...query, nextToken }, { reader, tokenKeys, clock, budget });
          expect(page.sessions.length).toBeLessThanOrEqual(query.limit);
          expect(page.work.reads).toBeLessThanOrEqual(budget.maxReads);
          collected.push(...page.sessions);
          nextToken = page.nextToken;
          pages++;
        } while (nextToken !== undefined && pages < 5000);
        expect(nextToken).toBeUndefined();
        expect(collected.map((r) => r.sessionId)).toEqual(bruteForce(records, query, NOW).map((r) => r.sessionId));
      }),
      { numRuns: 300 },
    );
  });

  it('sessions archived between pages cause no duplicates and no gaps', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArbitrary, { minLength: 1, maxLength: 100, size: 'max' }),
        fc.array(recordArbitrary, { maxLength: 40, size: 'max' }),
        queryArbitrary,
        async (initial, arriving, query) => {
          const records = [...initial];
          const reader = new InMemoryIndex(records);
          const expected = bruteForce(initial, query, NOW).map((r) => r.sessionId);
          const collected: SessionRecord[] = [];
          let nextToken: string | undefined;
          const queue = [...arriving];
          do {
            const page = await findSessions(nextToken === undefined ? query : { ...query, nextToken }, { reader, tokenKeys, clock });
            collected.push(...page.sessions);
            nextToken = page.nextToken;
            // New sessions land anywhere in the index, before or after the cursor.
            records.push(...queue.splice(0, 3));
          } while (nextToken !== undefined);
          const ids = collected.map((r) => r.sessionId);
          expect(new Set(ids).size).toBe(ids.length);
          // Everything that was there from the start is returned, in order.
          expect(ids.filter((id) => expected.includes(id))).toEqual(expected);
          // And whatever else came back is a real match, in index order.
          const all = bruteForce(records, query, NOW).map((r) => r.sessionId);
          expect(ids).toEqual(all.filter((id) => ids.includes(id)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a ten-year range with three matches costs bounded requests, each returning what it found and a token', async () => {
    // No session starts before Session Manager launched (2018-09): the walk never looks there.
    const records = [2019, 2021, 2026].map((year, i): SessionRecord => ({
      sessionId: `s-${i}`,
      target: 'i-1',
      status: 'Terminated',
      startDate: toIso(Date.UTC(year, 0, 15)),
      accountId: '1',
      region: 'r',
      source: 'ssm',
      firstArchivedAt: toIso(NOW),
      lastSeenAt: toIso(NOW),
    }));
    const reader = new InMemoryIndex(records);
    const query: SessionQuery = { from: Date.UTC(2016, 0, 1), to: Date.UTC(2026, 11, 31), order: 'desc', limit: 100, format: 'json' };
    const budget = { maxReads: 24, maxEvaluated: 5000 };
    const pages: { found: number; reads: number; more: boolean }[] = [];
    let nextToken: string | undefined;
    do {
      const page = await findSessions(nextToken === undefined ? query : { ...query, nextToken }, { reader, tokenKeys, clock, budget });
      pages.push({ found: page.sessions.length, reads: page.work.reads, more: page.nextToken !== undefined });
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    // The range has 132 months, but without archive bounds only the 92 from Session Manager's
    // launch (2018-09) to a day after now (2026-04) can hold sessions: at 24 reads a request, 4 requests.
    expect(pages).toHaveLength(Math.ceil(92 / 24));
    expect(pages.every((page) => page.reads <= 24)).toBe(true);
    expect(pages.reduce((sum, page) => sum + page.found, 0)).toBe(3);
    expect(pages.slice(0, -1).every((page) => page.more)).toBe(true);
  });

  it('a filter that matches rarely stops at the evaluation budget and resumes where it stopped', async () => {
    const records = Array.from({ length: 1000 }, (_, i): SessionRecord => ({
      sessionId: `s-${String(i).padStart(4, '0')}`,
      target: 'i-1',
      status: i % 250 === 0 ? 'Failed' : 'Terminated',
      startDate: toIso(Date.UTC(2026, 0, 1) + i * 60_000),
      accountId: '1',
      region: 'r',
      source: 'ssm',
      firstArchivedAt: toIso(NOW),
      lastSeenAt: toIso(NOW),
    }));
    const reader = new InMemoryIndex(records);
    const plan = planQuery({ target: 'i-1', status: 'Failed', order: 'asc', limit: 10, format: 'json' }, { from: 0, to: NOW });
    const first = await collectPage(plan, 10, undefined, reader, { maxReads: 100, maxEvaluated: 300 });
    expect(first.work.evaluated).toBeLessThanOrEqual(300);
    expect(first.sessions.map((r) => r.sessionId)).toEqual(['s-0000', 's-0250']);
    const second = await collectPage(plan, 10, first.next, reader, { maxReads: 100, maxEvaluated: 300 });
    expect(second.sessions.map((r) => r.sessionId)).toEqual(['s-0500']);
  });

  it('always makes progress, even when the time budget is already spent', async () => {
    const reader = new InMemoryIndex([]);
    const plan = planQuery({ order: 'desc', limit: 10, format: 'json' }, { from: Date.UTC(2025, 0, 1), to: Date.UTC(2026, 0, 1) });
    const page = await collectPage(plan, 10, undefined, reader, { maxReads: 100, maxEvaluated: 100, timeLeftMs: () => -1 });
    expect(page.work.reads).toBe(1);
    expect(page.next?.partition).toBe('2025-11');
  });
});
