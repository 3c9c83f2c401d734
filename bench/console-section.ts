/**
 * docs/benchmarks.md is written whole by `npm run bench`; the console's numbers come from their own
 * run (`npx tsx bench/console.ts`), the Alibaba source's from `npx tsx bench/alibaba.ts`. This keeps
 * those sections across every run.
 */
import { existsSync, readFileSync } from 'node:fs';

const HEADING = '## Console';
export const ALIBABA_HEADING = '## Alibaba source';

/** The "## Console" section of a benchmarks document (up to the next level-2 heading), or ''. */
export function consoleSection(markdown: string, heading = HEADING): string {
  const HEADING = heading;
  const start = markdown.indexOf(`\n${HEADING}\n`);
  if (start < 0) return '';
  // It ends at the next heading or at the marker of another generated section.
  const rest = markdown.slice(start + HEADING.length + 2);
  const end = rest.search(/\n(## |<!-- )/);
  return markdown.slice(start + 1, end < 0 ? undefined : start + HEADING.length + 2 + end + 1).trimEnd();
}

/** The document with its Console section replaced by `section` (appended when missing). */
export function withConsoleSection(markdown: string, section: string, heading = HEADING): string {
  const current = consoleSection(markdown, heading);
  if (current === '') return `${markdown.trimEnd()}\n\n${section.trimEnd()}\n`;
  return markdown.replace(current, section.trimEnd());
}

/** What `npm run bench` should keep of the file it replaces. */
export function keptConsoleSection(path: string, heading = HEADING): string {
  return existsSync(path) ? consoleSection(readFileSync(path, 'utf8'), heading) : '';
}
