/** The sessions view's first API answer inside the page: which request, and how it is written. */
import { describe, expect, it } from 'vitest';
import { askFirstPage, firstPageBlock, firstPageRequest } from '../../console/first-page';

/** What the page reads back: the block's text, parsed as the browser's JSON.parse would. */
function readBack(block: string): unknown {
  const match = /^<script type="application\/json" id="first-page">(.*)<\/script>$/s.exec(block);
  if (!match) throw new Error(`not a data block: ${block.slice(0, 80)}`);
  return JSON.parse(match[1] ?? '');
}

describe('the first page inside the console page', () => {
  it('is the request the sessions view sends first: its filters, page size and token, in the form order', () => {
    expect(firstPageRequest('')).toBe('/sessions?limit=100');
    expect(firstPageRequest('?status=Terminated&from=2026-01-01&limit=25&token=abc%2Bdef&reason=a+b')).toBe('/sessions?from=2026-01-01&status=Terminated&reason=a+b&limit=25&nextToken=abc%2Bdef');
    // A page size the form does not offer falls back to the default, as on screen.
    expect(firstPageRequest('?limit=7')).toBe('/sessions?limit=100');
    expect(firstPageRequest('?view=sessions&owner=')).toBe('/sessions?limit=100');
  });

  it('is not asked for on the other views', () => {
    for (const view of ['session', 'findings', 'coverage']) expect(firstPageRequest(`?view=${view}&id=x`)).toBeUndefined();
  });

  it('is written so that no text in the sessions can end the block or start markup', () => {
    const body = JSON.stringify({ sessions: [{ reason: '</script><script>alert(1)</script> <!-- x --> <\/SCRIPT > \u2028' }] });
    const block = firstPageBlock('/sessions?limit=100', { status: 200, body });

    const inside = block.slice('<script type="application/json" id="first-page">'.length, -'</script>'.length);
    expect(inside).not.toContain('<');
    expect(readBack(block)).toEqual({ request: '/sessions?limit=100', status: 200, body });
  });

  it('keeps an API refusal with its status, for the page to put in words', async () => {
    const refusal = { status: 400, body: '{"error":{"code":"InvalidParameter","message":"parameter \'from\' is later than \'to\'"}}' };
    expect(await askFirstPage(async () => refusal, '/sessions?limit=100')).toEqual(refusal);
  });

  it('is left out when asking failed, or the answer is not an HTTP status a page can be given', async () => {
    expect(await askFirstPage(async () => { throw new Error('connection refused'); }, '/sessions?limit=100')).toBeUndefined();
    expect(await askFirstPage(async () => undefined, '/sessions?limit=100')).toBeUndefined();
    expect(await askFirstPage(async () => ({ status: 101, body: '' }), '/sessions?limit=100')).toBeUndefined();
  });
});
