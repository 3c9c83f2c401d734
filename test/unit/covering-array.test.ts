import { describe, expect, it } from 'vitest';
import { allCombinations, missingPairs, pairwiseCoveringArray } from '../support/covering-array';

describe('pairwise covering array', () => {
  it('pairs every value of every factor with every value of every other, in far fewer rows than the product', () => {
    const factors = {
      retentionFrom: ['StartDate', 'EndDate'],
      visibilityLag: [0, 600],
      clockOffset: [0, -1200, 1200],
      unstable: [0, 0.5],
      terminatingIn: ['Active', 'History'],
      failedIn: ['History', 'Active'],
      tokenTtl: [86400, 600],
      filtersAfterMaxResults: [false, true],
    } as const;

    const rows = pairwiseCoveringArray(factors);

    expect(missingPairs(factors, rows)).toEqual([]);
    expect(rows.length).toBeLessThanOrEqual(10);
    expect(rows.length).toBeGreaterThanOrEqual(3 * 2);
    expect(allCombinations(factors)).toHaveLength(384);
    // Deterministic: the same factors give the same rows.
    expect(pairwiseCoveringArray(factors)).toEqual(rows);
  });

  it('finds the pairs a set of rows misses', () => {
    const factors = { a: [1, 2], b: ['x', 'y'] };
    expect(missingPairs(factors, [{ a: 1, b: 'x' }, { a: 2, b: 'y' }])).toEqual(['a=1 with b=y', 'a=2 with b=x']);
    expect(missingPairs(factors, allCombinations(factors))).toEqual([]);
  });

  it('covers larger and uneven factor sets too', () => {
    const factors = { a: [1, 2, 3, 4], b: [1, 2, 3], c: [1, 2], d: [1, 2, 3], e: [true, false] };
    const rows = pairwiseCoveringArray(factors);
    expect(missingPairs(factors, rows)).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(12);
    expect(rows.length).toBeLessThan(allCombinations(factors).length);
  });

  it('returns the single factor as is, and refuses a factor with no values', () => {
    expect(pairwiseCoveringArray({ a: [1, 2, 3] })).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
    expect(() => pairwiseCoveringArray({ a: [1], b: [] })).toThrow('every factor needs at least one value');
  });
});
