/** What the server's rendering of the sessions table (console/first-results.ts) and the page (served.ts) agree on. */

/** The element holding the server's rows (its pager and table), after the page's results section. */
export const SERVED_RESULTS_ID = 'first-results';
/** Element timing name of the last row's link: the benchmark reads when it was painted. */
export const RESULTS_TIMING = 'console-results';
export const SESSION_COLUMNS = ['Session', 'Started (UTC)', 'Ended (UTC)', 'Status', 'Target', 'Owner', 'Document', 'Reason'] as const;
