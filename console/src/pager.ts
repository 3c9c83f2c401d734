/** Forward and back through the API's pages: the next token goes in the URL, earlier ones in history. */
import { h } from './dom';
import { navigate, previousTokens, type ConsoleState } from './state';

export function pager(state: ConsoleState, nextToken: string | undefined, shown: number, noun: string): HTMLElement {
  const previous = previousTokens();
  const current = state.values.token;
  const pageNumber = current === undefined ? 1 : previous.length + 1;
  const goTo = (token: string | undefined, earlier: string[]): void => {
    const values = { ...state.values };
    if (token === undefined || token === '') delete values.token;
    else values.token = token;
    navigate({ view: state.view, values }, earlier);
  };
  const back = (): void => {
    const earlier = [...previous];
    const token = earlier.pop();
    goTo(token, earlier);
  };
  // A shared link to a later page has no earlier tokens: offer the first page instead.
  const backButton =
    current === undefined
      ? null
      : previous.length > 0
        ? h('button', { type: 'button', onclick: back }, '← Previous page')
        : h('button', { type: 'button', onclick: () => goTo(undefined, []) }, '⇤ First page');
  const nextButton = nextToken === undefined ? null : h('button', { type: 'button', onclick: () => goTo(nextToken, [...previous, current ?? '']) }, 'Next page →');
  const summary = shown === 0 ? `No ${noun} on this page.` : `Page ${current !== undefined && previous.length === 0 ? '(from a shared link)' : pageNumber}: ${shown} ${noun}${nextToken === undefined ? ', the last page' : ''}.`;
  return h('nav', { class: 'pager', 'aria-label': `${noun} pages` }, backButton, h('span', { role: 'status' }, summary), nextButton);
}
