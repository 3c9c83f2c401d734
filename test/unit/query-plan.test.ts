import { describe, expect, it } from 'vitest';
import { addMonths, monthOf } from '../../lambdas/core/query/month-buckets';
import type { SessionQuery } from '../../lambdas/core/query/parameters';
import { DEFAULT_FROM_MS, planQuery, resolveRange, type QueryPlan } from '../../lambdas/core/query/plan';
import { DAY_MS } from '../../lambdas/core/shared/time';

const base: SessionQuery = { order: 'desc', limit: 100, format: 'json' };

function walk(plan: QueryPlan): string[] {
  const partitions: string[] = [];
  for (let p = plan.partitions.first; p !== undefined; p = plan.partitions.next(p)) partitions.push(p);
  return partitions;
}

describe('month buckets', () => {
  it('steps across year boundaries both ways', () => {
    expect(addMonths('2025-12', 1)).toBe('2026-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('0999-12', 1)).toBe('1000-01');
    expect(monthOf(Date.UTC(2026, 1, 28, 23, 59))).toBe('2026-02');
  });
});

describe('query planner', () => {
  const range = { from: Date.UTC(2025, 10, 15), to: Date.UTC(2026, 1, 1) };

  it('walks the month buckets of the time index newest first by default', () => {
    const plan = planQuery(base, range);
    expect(plan.index).toBe('time');
    // `to` is exclusive: 2026-02-01T00:00Z does not touch February.
    expect(walk(plan)).toEqual(['2026-01', '2025-12', '2025-11']);
    expect(plan.keyRange).toEqual({ lowest: '2025-11-15T00:00:00.000Z', highest: '2026-02-01T00:00:00.000Z' });
    expect(plan.conditions).toEqual([]);
  });

  it('walks oldest first for order=asc', () => {
    expect(walk(planQuery({ ...base, order: 'asc' }, range))).toEqual(['2025-11', '2025-12', '2026-01']);
  });

  it('uses the target index when a target is given, with owner as a condition', () => {
    const plan = planQuery({ ...base, target: 'i-1', owner: 'arn:o' }, range);
    expect(plan.index).toBe('target');
    expect(walk(plan)).toEqual(['i-1']);
    expect(plan.conditions).toEqual([{ field: 'owner', match: 'equals', value: 'arn:o' }]);
  });

  it('uses the owner index for an owner alone', () => {
    const plan = planQuery({ ...base, owner: 'arn:o' }, range);
    expect(plan.index).toBe('owner');
    expect(walk(plan)).toEqual(['arn:o']);
    expect(plan.conditions).toEqual([]);
  });

  it('turns the other filters into conditions, reason as a substring', () => {
    const plan = planQuery({ ...base, status: 'Failed', document: 'D', accessType: 'Standard', reason: 'INC' }, range);
    expect(plan.conditions).toEqual([
      { field: 'status', match: 'equals', value: 'Failed' },
      { field: 'documentName', match: 'equals', value: 'D' },
      { field: 'accessType', match: 'equals', value: 'Standard' },
      { field: 'reason', match: 'contains', value: 'INC' },
    ]);
  });

  it('plans nothing for an empty range', () => {
    const empty = { from: range.from, to: range.from };
    expect(planQuery(base, empty).partitions.first).toBeUndefined();
    expect(planQuery({ ...base, target: 'i-1' }, empty).partitions.first).toBeUndefined();
  });

  it('says which partitions belong to the plan (used to vet token positions)', () => {
    const plan = planQuery(base, range);
    expect(plan.partitions.includes('2025-12')).toBe(true);
    expect(plan.partitions.includes('2025-10')).toBe(false);
    expect(plan.partitions.includes('2025-1')).toBe(false);
    expect(plan.partitions.includes('garbage')).toBe(false);
  });

  it('defaults from to the launch of Session Manager and to a day after now', () => {
    const now = Date.UTC(2026, 5, 1);
    expect(resolveRange({}, now)).toEqual({ from: DEFAULT_FROM_MS, to: now + DAY_MS });
    expect(resolveRange({ from: 5, to: 10 }, now)).toEqual({ from: 5, to: 10 });
    expect(new Date(DEFAULT_FROM_MS).toISOString()).toBe('2018-09-01T00:00:00.000Z');
  });
});

describe('the bounded time walk', () => {
  const range = { from: Date.UTC(2026, 0, 30, 12), to: Date.UTC(2026, 1, 2) };

  it('walks days across a month boundary, to excluded', () => {
    expect(walk(planQuery(base, range, { buckets: 'day' }))).toEqual(['2026-02-01', '2026-01-31', '2026-01-30']);
    expect(walk(planQuery({ ...base, order: 'asc' }, range, { buckets: 'day' }))).toEqual(['2026-01-30', '2026-01-31', '2026-02-01']);
  });

  it('reads no bucket outside the archive bounds, however far the range reaches', () => {
    const far = { from: Date.parse('1970-01-01T00:00:00Z'), to: Date.parse('9999-12-31T23:59:59.999Z') };
    const bounds = { earliest: Date.UTC(2026, 4, 30, 23), latest: Date.UTC(2026, 5, 1, 1) };
    expect(walk(planQuery(base, far, { buckets: 'day', bounds }))).toEqual(['2026-06-01', '2026-05-31', '2026-05-30']);
    expect(walk(planQuery({ ...base, order: 'asc' }, far, { buckets: 'month', bounds }))).toEqual(['2026-05', '2026-06']);
    expect(planQuery(base, far, { buckets: 'day', bounds: null }).partitions.first).toBeUndefined();
    expect(planQuery(base, { from: Date.UTC(2027, 0, 1), to: far.to }, { buckets: 'day', bounds }).partitions.first).toBeUndefined();
  });

  it('still vets token partitions against the range, not the bounds', () => {
    const plan = planQuery(base, range, { buckets: 'day', bounds: { earliest: Date.UTC(2026, 0, 31), latest: Date.UTC(2026, 0, 31) } });
    expect(walk(plan)).toEqual(['2026-01-31']);
    expect(plan.partitions.includes('2026-01-30')).toBe(true);
    expect(plan.partitions.includes('2026-01-29')).toBe(false);
    expect(plan.partitions.includes('2026-02-30')).toBe(false);
    expect(plan.partitions.includes('2026-01')).toBe(false);
    // A resumed partition beyond the bounds ends the walk instead of running on.
    expect(plan.partitions.next('2026-01-30')).toBeUndefined();
  });
});
