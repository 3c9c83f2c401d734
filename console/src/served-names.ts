/** What the server's rendering of the sessions table (console/first-results.ts) and the page (served.ts) agree on. */

/** The element holding the server's rows (its pager and table), after the page's results section. */
export const SERVED_RESULTS_ID = 'first-results';
/**
 * Run by the parser right after the server's rows, all 100 of them in the document by then: marks
 * the end of the frame that paints them (the benchmark reads `console:rows`). Inline, allowed by
 * its hash in the page's CSP (console/assets.ts).
 */
export const ROWS_PAINTED_SCRIPT = "requestAnimationFrame(()=>setTimeout(()=>performance.mark('console:rows'),0))";
export const SESSION_COLUMNS = ['Session', 'Started (UTC)', 'Ended (UTC)', 'Status', 'Target', 'Owner', 'Document', 'Reason'] as const;
