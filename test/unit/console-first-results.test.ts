/** The sessions view's first page of results, rendered by the server into the page it sends. */
import { describe, expect, it } from 'vitest';
import { firstResultsHtml } from '../../console/first-results';
import { ROWS_PAINTED_SCRIPT } from '../../console/src/served-names';

const HOSTILE = '<script>alert("owner")</script>&<!--';
const session = {
  sessionId: 'alice-0a1b2c3d4e5f',
  startDate: '2026-01-15T09:30:00.000Z',
  endDate: '2026-01-15T10:00:05.000Z',
  status: 'Terminated',
  target: 'i-0123456789abcdef0',
  owner: HOSTILE,
  reason: 'a "quoted" <b>reason</b>',
};

function answer(sessions: object[], nextToken?: string): { status: number; body: string } {
  return { status: 200, body: JSON.stringify(nextToken === undefined ? { sessions } : { sessions, nextToken }) };
}

describe('the first page of results as HTML', () => {
  it('escapes every value from the archive: no markup from a session reaches the page', () => {
    const html = firstResultsHtml('/', '?owner=%3Cscript%3E', answer([session, { ...session, sessionId: '"><img src=x onerror=alert(1)>' }]));

    // The one script is the page's own mark after the rows (allowed by its hash).
    expect(html.replace(`<script>${ROWS_PAINTED_SCRIPT}</script>`, '')).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<!--');
    expect(html).toContain('<td class="owner">&lt;script&gt;alert("owner")&lt;/script&gt;&amp;&lt;!--</td>');
    expect(html).toContain('<td>a "quoted" &lt;b&gt;reason&lt;/b&gt;</td>');
    // In attributes, quotes are escaped too: the link's href keeps the search (owner filter) and the id.
    expect(html).toContain('href="/?view=session&amp;owner=%3Cscript%3E&amp;id=%22%3E%3Cimg+src%3Dx+onerror%3Dalert%281%29%3E"');
    expect(html).toContain('data-nav="">"&gt;&lt;img src=x onerror=alert(1)&gt;</a>');
  });

  it('shows times as UTC text with the ISO time in datetime, and a dash for a missing end, owner or document', () => {
    const html = firstResultsHtml('/', '', answer([{ ...session, endDate: undefined, owner: undefined }]));

    expect(html).toContain('<td><time datetime="2026-01-15T09:30:00.000Z">2026-01-15 09:30:00</time></td><td>–</td><td>Terminated</td><td>i-0123456789abcdef0</td><td class="owner">–</td><td>–</td>');
    expect(html).toContain('<span role="status">Page 1: 1 sessions, the last page.</span>');
  });

  it('offers the pages the script will offer, disabled until it takes them over', () => {
    const html = firstResultsHtml('/', '?limit=25&token=abc', answer(Array.from({ length: 25 }, (_, index) => ({ ...session, sessionId: `s-${index}` })), 'next'));

    expect(html).toContain('<nav class="pager" aria-label="sessions pages"><button type="button" disabled="">⇤ First page</button><span role="status">Page (from a shared link): 25 sessions.</span><button type="button" disabled="">Next page →</button></nav>');
    expect(html.match(/<tr>/g)).toHaveLength(26);
  });

  it('is left to the script when the page would not show the answer as it is', () => {
    // A short page with a next token: the script asks for more before it shows the page.
    expect(firstResultsHtml('/', '?limit=25', answer([session], 'next'))).toBe('');
    expect(firstResultsHtml('/', '', answer([]))).toBe('');
    expect(firstResultsHtml('/', '', { status: 400, body: '{"error":{"message":"bad"}}' })).toBe('');
    expect(firstResultsHtml('/', '', { status: 200, body: 'not json' })).toBe('');
    expect(firstResultsHtml('/', '', { status: 200, body: '{"sessions":[{"owner":"no id"}]}' })).toBe('');
    expect(firstResultsHtml('/', '?view=findings', answer([session]))).toBe('');
  });
});
