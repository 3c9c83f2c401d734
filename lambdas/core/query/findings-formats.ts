/** `GET /findings` in JSON, JSON Lines or CSV: the same envelope, headers and CSV rules as `/sessions`. */
import type { ComplianceFinding } from '../compliance/finding';
import { csvRow } from './csv';
import { CONTENT_TYPES, type RenderedBody } from './formats';
import type { OutputFormat } from './parameters';

export const FINDING_CSV_COLUMNS = [
  'findingId',
  'rule',
  'message',
  'detectedAt',
  'sessionId',
  'target',
  'owner',
  'status',
  'startDate',
  'endDate',
  'documentName',
  'accessType',
  'reason',
  'accountId',
  'region',
  'source',
  'sourceEventId',
] as const satisfies readonly (keyof ComplianceFinding)[];

// Every field of a finding has a column: this fails to compile when one is added without one.
type FieldsWithoutColumn = Exclude<keyof ComplianceFinding, (typeof FINDING_CSV_COLUMNS)[number]>;
const everyFieldHasAColumn: [FieldsWithoutColumn] extends [never] ? true : FieldsWithoutColumn = true;
void everyFieldHasAColumn;

export function renderFindings(format: OutputFormat, findings: readonly ComplianceFinding[], nextToken: string | undefined): RenderedBody {
  const contentType = CONTENT_TYPES[format];
  switch (format) {
    case 'json':
      return { contentType, body: JSON.stringify(nextToken === undefined ? { findings } : { findings, nextToken }) };
    case 'jsonl':
      return { contentType, body: findings.map((finding) => `${JSON.stringify(finding)}\n`).join('') };
    case 'csv':
      return { contentType, body: csvRow(FINDING_CSV_COLUMNS) + findings.map((finding) => csvRow(findingCsvCells(finding))).join('') };
  }
}

/** One row; an absent field is an empty cell. */
export function findingCsvCells(finding: ComplianceFinding): string[] {
  return FINDING_CSV_COLUMNS.map((column) => finding[column] ?? '');
}
