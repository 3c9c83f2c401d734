/**
 * The soak matrix's section of docs/benchmarks.md. `npm run soak -- --matrix --write-docs`
 * writes it; `npm run bench` regenerates the rest of the file and keeps this section as it was.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BENCHMARKS_FILE = join(__dirname, '..', 'docs', 'benchmarks.md');
const START = '<!-- soak-matrix:start (written by `npm run soak -- --matrix --write-docs`) -->';
const END = '<!-- soak-matrix:end -->';

/** The section as it stands in `text`, markers included; undefined when there is none. */
export function soakSection(text: string): string | undefined {
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  return from >= 0 && to > from ? text.slice(from, to + END.length) : undefined;
}

/** `generated` (a fresh docs/benchmarks.md) with the soak section of `previous` appended, if it had one. */
export function keepSoakSection(previous: string | undefined, generated: string): string {
  const section = previous === undefined ? undefined : soakSection(previous);
  return section === undefined ? generated : `${generated.trimEnd()}\n\n${section}\n`;
}

/** Replaces (or appends) the section in docs/benchmarks.md. */
export function writeSoakSection(body: string): void {
  const text = existsSync(BENCHMARKS_FILE) ? readFileSync(BENCHMARKS_FILE, 'utf8') : '';
  const section = `${START}\n${body.trim()}\n${END}`;
  const old = soakSection(text);
  writeFileSync(BENCHMARKS_FILE, old === undefined ? `${text.trimEnd()}\n\n${section}\n` : text.replace(old, section));
}
