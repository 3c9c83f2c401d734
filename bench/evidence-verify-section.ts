/**
 * The evidence verify and restore section of docs/benchmarks.md. `npx tsx bench/evidence-verify.ts
 * --write-docs` writes it; `npm run bench` regenerates the rest of the file and keeps this section.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { BENCHMARKS_FILE } from './soak-section';

const START = '<!-- evidence-verify:start (written by `npx tsx bench/evidence-verify.ts --write-docs`) -->';
const END = '<!-- evidence-verify:end -->';

export interface EvidenceVerifyResult {
  sessions: number;
  backfill: { perSecond: number };
  restore: { perSecond: number };
  restoreOverBackfill: number;
  exports: { perSecond: number }[];
  verifies: { perSecond: number }[];
  verifyOverExport: number;
}

function section(text: string): string | undefined {
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  return from >= 0 && to > from ? text.slice(from, to + END.length) : undefined;
}

/** `generated` with the section of `previous` appended, if it had one. */
export function keepEvidenceVerifySection(previous: string | undefined, generated: string): string {
  const kept = previous === undefined ? undefined : section(previous);
  return kept === undefined ? generated : `${generated.trimEnd()}\n\n${kept}\n`;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const n = (value: number) => value.toLocaleString('en');

export function renderEvidenceVerifySection(results: readonly EvidenceVerifyResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${n(r.sessions)} | ${n(median(r.exports.map((m) => m.perSecond)))}/s | ${n(median(r.verifies.map((m) => m.perSecond)))}/s | **${r.verifyOverExport}** (≥ 0.5) | ${n(r.backfill.perSecond)}/s | ${n(r.restore.perSecond)}/s | **${r.restoreOverBackfill}** (≥ 0.5) |`,
  );
  return [
    '## Evidence: verify and restore (`npx tsx bench/evidence-verify.ts --sessions N`)',
    '',
    'One archive per run, made by the sweep with evidence (key file, folder) from the SSM emulator into dynalite, each in a process of',
    'its own, and served by the local API in a third. Export (the query command\'s page fetcher, JSON Lines) and verify (every record',
    'through the same API, every evidence object from the folder) alternate, three runs each, medians compared; restore rebuilds a new',
    'table from the evidence alone and is compared with the backfill that made the archive. Records (sessions) per second.',
    '',
    '| sessions | export | verify | verify ÷ export | backfill with evidence | restore | restore ÷ backfill |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** Replaces (or appends) the section in docs/benchmarks.md. */
export function writeEvidenceVerifySection(results: readonly EvidenceVerifyResult[]): void {
  const text = existsSync(BENCHMARKS_FILE) ? readFileSync(BENCHMARKS_FILE, 'utf8') : '';
  const body = `${START}\n${renderEvidenceVerifySection(results)}\n${END}`;
  const old = section(text);
  writeFileSync(BENCHMARKS_FILE, old === undefined ? `${text.trimEnd()}\n\n${body}\n` : text.replace(old, body));
}
