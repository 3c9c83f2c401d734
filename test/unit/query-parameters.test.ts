import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../lambdas/core/query/errors';
import { parseSessionQuery, rejectAnyParameters, type RawParameters } from '../../lambdas/core/query/parameters';

const parse = (single: Record<string, string>) => parseSessionQuery(Object.fromEntries(Object.entries(single).map(([k, v]) => [k, [v]])));

function refusal(raw: RawParameters): BadRequestError {
  try {
    parseSessionQuery(raw);
  } catch (error: unknown) {
    if (error instanceof BadRequestError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}
const refused = (single: Record<string, string>) => refusal(Object.fromEntries(Object.entries(single).map(([k, v]) => [k, [v]])));

describe('GET /sessions parameters', () => {
  it('applies the documented defaults', () => {
    expect(parse({})).toEqual({ order: 'desc', limit: 100, format: 'json' });
  });

  it('accepts every parameter and turns times into epoch milliseconds', () => {
    const query = parse({
      from: '2026-01-01',
      to: '2026-02-01T12:30:00.250+01:00',
      target: 'i-0abc',
      owner: 'arn:aws:iam::123456789012:user/alice',
      status: 'Terminated',
      document: 'AWS-StartSSHSession',
      accessType: 'JustInTime',
      reason: 'INC-1',
      order: 'asc',
      limit: '1000',
      nextToken: 'abc.def',
      format: 'csv',
    });
    expect(query).toEqual({
      from: Date.UTC(2026, 0, 1),
      to: Date.UTC(2026, 1, 1, 11, 30, 0, 250),
      target: 'i-0abc',
      owner: 'arn:aws:iam::123456789012:user/alice',
      status: 'Terminated',
      document: 'AWS-StartSSHSession',
      accessType: 'JustInTime',
      reason: 'INC-1',
      order: 'asc',
      limit: 1000,
      nextToken: 'abc.def',
      format: 'csv',
    });
  });

  it.each([
    ['limit', '0', 'between 1 and 1000'],
    ['limit', '1001', 'between 1 and 1000'],
    ['limit', '-5', 'whole number'],
    ['limit', '1e2', 'whole number'],
    ['limit', '99999999999999999999', 'whole number'],
    ['limit', ' 5', 'whole number'],
    ['from', '2026-02-30', 'ISO-8601'],
    ['from', '2026-13-01', 'ISO-8601'],
    ['from', '2026-01-01T24:00:00Z', 'ISO-8601'],
    ['from', '2026-01-01T10:00:00', 'ISO-8601'],
    ['from', 'yesterday', 'ISO-8601'],
    ['to', '1969-12-31T23:59:59Z', 'between'],
    ['to', '9999-12-31T23:00:00-05:00', 'between'],
    ['order', 'DESC', 'one of desc, asc'],
    ['format', 'xml', 'one of json, jsonl, csv'],
    ['status', 'terminated', 'one of'],
    ['accessType', 'Admin', 'one of'],
    ['target', '', 'must not be empty'],
    ['target', 'i'.repeat(401), 'at most 400'],
    ['reason', 'r'.repeat(257), 'at most 256'],
    ['owner', 'bad\uD800', 'well-formed Unicode'],
    ['nextToken', 'x'.repeat(5000), 'not a token'],
  ])('refuses %s=%j, naming the parameter', (name, value, phrase) => {
    const error = refused({ [name]: value });
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('InvalidParameter');
    expect(error.message).toContain(`'${name}'`);
    expect(error.message).toContain(phrase);
  });

  it('refuses from later than to, naming both', () => {
    const error = refused({ from: '2026-03-01', to: '2026-02-01' });
    expect(error.code).toBe('InvalidParameter');
    expect(error.message).toMatch(/'from'.*later than 'to'/);
  });

  it('accepts from equal to to (an empty range)', () => {
    expect(parse({ from: '2026-03-01', to: '2026-03-01T00:00:00Z' })).toMatchObject({ from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 2, 1) });
  });

  it('names unknown parameters, including case slips, and lists the accepted ones', () => {
    const error = refused({ Limit: '5', foo: 'bar' });
    expect(error.code).toBe('UnknownParameter');
    expect(error.message).toContain("'Limit'");
    expect(error.message).toContain("'foo'");
    expect(error.message).toContain('accepted: from, to');
  });

  it('treats __proto__ as an unknown parameter, not as a prototype', () => {
    const raw = Object.create(null) as Record<string, string[]>;
    raw['__proto__'] = ['x'];
    expect(refusal(raw).message).toContain("'__proto__'");
  });

  it('refuses a parameter given twice, even with the same value', () => {
    const error = refusal({ limit: ['5', '5'] });
    expect(error.code).toBe('RepeatedParameter');
    expect(error.message).toContain("'limit'");
  });

  it('reports every problem at once', () => {
    const error = refused({ limit: '0', order: 'sideways' });
    expect(error.message).toContain("'limit'");
    expect(error.message).toContain("'order'");
  });

  it('quotes hostile values safely and cuts long ones', () => {
    const error = refused({ from: `"\n<script>${'x'.repeat(200)}` });
    expect(error.message).not.toContain('\n');
    expect(error.message.length).toBeLessThan(400);
  });

  it('routes without parameters refuse any', () => {
    expect(() => rejectAnyParameters({})).not.toThrow();
    expect(() => rejectAnyParameters({ format: ['csv'] })).toThrow(/unknown parameter 'format'; this route takes none/);
  });
});
