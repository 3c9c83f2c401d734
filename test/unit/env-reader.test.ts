import { describe, expect, it } from 'vitest';
import { EnvReader } from '../../lambdas/core/shared/env';

describe('the shared environment reader', () => {
  it('treats blank as absent and trims what is set', () => {
    const read = new EnvReader({ A: '  x  ', B: '   ', C: '' });
    expect([read.optional('A'), read.optional('B'), read.optional('C'), read.optional('D')]).toEqual(['x', undefined, undefined, undefined]);
    expect(read.problems).toEqual([]);
  });

  it('collects every problem, in the order read, and throws once naming them all', () => {
    const read = new EnvReader({ TABLE_NAME: 'a b', DAYS: '0', URL: 'localhost:1' });
    expect(read.required('MISSING')).toBeUndefined();
    expect(read.required('ALSO_MISSING', 'what it is for')).toBeUndefined();
    expect(read.requiredMatching('TABLE_NAME', /^\S+$/, 'a table name')).toBe('a b');
    expect(read.positiveInteger('DAYS', 'days')).toBeUndefined();
    expect(read.httpUrl('URL')).toBe('localhost:1');
    expect(read.problems).toEqual([
      'MISSING is required',
      'ALSO_MISSING is required: what it is for',
      'TABLE_NAME "a b" is not a table name',
      'DAYS must be a positive whole number of days, got "0"',
      'URL must be an http(s) URL, got "localhost:1"',
    ]);
    expect(() => read.throwIfProblems((all) => new RangeError(`bad: ${all}`))).toThrow(/^bad: MISSING is required; ALSO_MISSING.*; URL must be/);
  });

  it('accepts good values without a problem', () => {
    const read = new EnvReader({ N: '15', URL: 'https://example.com', T: 'archive' });
    expect(read.positiveInteger('N', 'minutes')).toBe(15);
    expect(read.httpUrl('URL')).toBe('https://example.com');
    expect(read.requiredMatching('T', /^[a-z]+$/, 'a name')).toBe('archive');
    expect(() => read.throwIfProblems(() => new Error('unexpected'))).not.toThrow();
  });
});
