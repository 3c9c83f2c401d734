/** The auditor's console: one page, four views, its state in the URL. */
import './started';
import './style.css';
import { renderCoverage } from './coverage';
import { renderDetail } from './detail';
import { h, replace } from './dom';
import { renderFindings } from './findings';
import { renderSessions } from './search';
import { readState, setNavigationHandler, viewLink, type View } from './state';

const NAV: ReadonlyArray<readonly [View, string]> = [
  ['sessions', 'Sessions'],
  ['findings', 'Findings'],
  ['coverage', 'Coverage'],
];

let inFlight: AbortController | undefined;

function render(): void {
  // A view left behind stops its requests (results, chart counting).
  inFlight?.abort();
  inFlight = new AbortController();
  const state = readState();
  const root = document.getElementById('main') as HTMLElement;
  const keep: Record<string, string> = {};
  if (state.values.from) keep.from = state.values.from;
  if (state.values.to) keep.to = state.values.to;
  const current = state.view === 'session' ? 'sessions' : state.view;
  replace(
    document.getElementById('nav') as HTMLElement,
    h('ul', {}, NAV.map(([view, label]) => h('li', {}, h('a', { href: viewLink(view, keep), 'data-nav': true, 'aria-current': view === current ? 'page' : false }, label)))),
  );
  document.title = `${NAV.find(([view]) => view === current)?.[1] ?? 'Sessions'} · Session Archive`;
  if (state.view === 'session') renderDetail(root, state, inFlight.signal);
  else if (state.view === 'findings') renderFindings(root, state, inFlight.signal);
  else if (state.view === 'coverage') renderCoverage(root, state, inFlight.signal);
  else renderSessions(root, state, inFlight.signal);
}

// Links between views stay in the page (and in history); a modified click still opens a new tab.
document.addEventListener('click', (event) => {
  const link = (event.target as Element | null)?.closest?.('a[data-nav]');
  if (!(link instanceof HTMLAnchorElement) || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  history.pushState({ previous: [] }, '', link.href);
  render();
  (document.getElementById('main') as HTMLElement).focus();
});

setNavigationHandler(render);
render();
