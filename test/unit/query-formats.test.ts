import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRow, neutraliseCell, restoreCell } from '../../lambdas/core/query/csv';
import { csvCells, renderSessions, SESSION_CSV_COLUMNS } from '../../lambdas/core/query/formats';
import type { SessionRecord } from '../../lambdas/core/session/session';

const record: SessionRecord = {
  sessionId: 'alice-0123456789abcdef0',
  target: 'i-0abc',
  status: 'Terminated',
  startDate: '2026-01-02T03:04:05.000Z',
  endDate: '2026-01-02T04:04:05.000Z',
  documentName: 'AWS-StartSSHSession',
  owner: 'arn:aws:iam::123456789012:user/alice',
  reason: '=cmd|\' /C calc\'!A0',
  outputUrl: { s3OutputUrl: 'https://bucket.s3.amazonaws.com/a.log' },
  accessType: 'Standard',
  accountId: '123456789012',
  region: 'eu-west-1',
  source: 'ssm',
  firstArchivedAt: '2026-01-03T00:00:00.000Z',
  lastSeenAt: '2026-01-03T00:00:00.000Z',
};

describe('CSV cells', () => {
  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '＝1', "'quoted"])('neutralises a leading %j with an apostrophe', (value) => {
    expect(neutraliseCell(value)).toBe(`'${value}`);
    expect(restoreCell(neutraliseCell(value))).toBe(value);
  });

  it('leaves ordinary cells alone, including a dash inside', () => {
    for (const value of ['', 'abc', 'a-b', ' =not leading', '2026-01-01T00:00:00.000Z']) expect(neutraliseCell(value)).toBe(value);
  });

  it('quotes per RFC 4180 and ends rows with CRLF', () => {
    expect(csvRow(['a', 'b,c', 'say "hi"', 'two\nlines', 'cr\rhere'])).toBe('a,"b,c","say ""hi""","two\nlines","cr\rhere"\r\n');
  });

  it('any cells parse back, after restoring, to the same values', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), (rows) => {
        const width = rows[0]?.length ?? 1;
        const square = rows.map((row) => Array.from({ length: width }, (_, i) => row[i] ?? ''));
        const text = square.map((row) => csvRow(row)).join('');
        const parsed = parse(text, { relax_column_count: false, record_delimiter: '\r\n' }) as string[][];
        expect(parsed.map((row) => row.map(restoreCell))).toEqual(square);
        // No cell reaches a spreadsheet starting with a formula trigger.
        for (const row of parsed) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r＝＋－＠]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('output formats', () => {
  it('json is the envelope, without nextToken on the last page', () => {
    expect(JSON.parse(renderSessions('json', [record], 'tok').body)).toEqual({ sessions: [record], nextToken: 'tok' });
    expect(JSON.parse(renderSessions('json', [record], undefined).body)).toEqual({ sessions: [record] });
    expect(renderSessions('json', [], undefined).contentType).toBe('application/json; charset=utf-8');
  });

  it('jsonl is one session per line', () => {
    const rendered = renderSessions('jsonl', [record, record], 'tok');
    expect(rendered.contentType).toBe('application/x-ndjson; charset=utf-8');
    expect(rendered.body.split('\n')).toHaveLength(3);
    expect(rendered.body.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([record, record]);
    expect(renderSessions('jsonl', [], undefined).body).toBe('');
  });

  it('csv has a header row, flattens outputUrl and neutralises a formula in the reason', () => {
    const rendered = renderSessions('csv', [record], undefined);
    expect(rendered.contentType).toBe('text/csv; charset=utf-8; header=present');
    const rows = parse(rendered.body) as string[][];
    expect(rows[0]).toEqual([...SESSION_CSV_COLUMNS]);
    const row = Object.fromEntries(SESSION_CSV_COLUMNS.map((column, i) => [column, rows[1]?.[i]]));
    expect(row.reason).toBe("'=cmd|' /C calc'!A0");
    expect(row.s3OutputUrl).toBe('https://bucket.s3.amazonaws.com/a.log');
    expect(row.cloudWatchOutputUrl).toBe('');
    expect(csvCells(record)).toHaveLength(SESSION_CSV_COLUMNS.length);
  });
});
