/**
 * The sessions table the server renders into the page it sends (console/first-results.ts): the
 * names both sides use, and the page's adoption of that table ("hydration") in place of
 * building its own, so the rows painted while the HTML was parsed stay on screen.
 */
import { SERVED_RESULTS_ID } from './served-names';
import { localText, prepareLocalTimes } from './time';

export { SERVED_RESULTS_ID, SESSION_COLUMNS } from './served-names';

/**
 * The server's table (its scrolling region) with the local times added as titles, taken out of
 * the server's block, which is removed either way; undefined when there is none or it does not
 * hold `rows` rows (the page then renders the rows itself).
 */
export function adoptServedTable(rows: number): HTMLElement | undefined {
  const block = document.getElementById(SERVED_RESULTS_ID);
  if (block === null) return undefined;
  block.remove();
  const table = block.querySelector<HTMLElement>(':scope > div.scroll');
  if (table === null || table.querySelectorAll('#sessions > tbody > tr').length !== rows) return undefined;
  for (const time of table.querySelectorAll('time')) {
    const iso = time.getAttribute('datetime');
    if (iso) time.setAttribute('title', localText(iso));
  }
  return table;
}

/**
 * The local-time formatter costs tens of milliseconds on a new page: made while the page waits
 * for a fetch, but not ahead of the server's rows, whose frame comes first (adopting them makes
 * it afterwards). Their block is in the document once it has been parsed.
 */
export function prepareLocalTimesUnlessServed(): void {
  const prepare = (): void => {
    if (document.getElementById(SERVED_RESULTS_ID) === null) setTimeout(prepareLocalTimes, 0);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', prepare, { once: true });
  else prepare();
}
