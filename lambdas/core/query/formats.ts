/**
 * The three output formats of `GET /sessions`. JSON is the envelope `{"sessions":[...],
 * "nextToken"}`; JSON Lines and CSV hold only the sessions, so the handler also sends the token in
 * the `x-next-token` header. Each CSV page is a complete document with its own header row.
 */
import { SOURCE_SPECIFIC_FIELDS, type SessionRecord } from '../session/session';
import { csvRow } from './csv';
import type { OutputFormat } from './parameters';

export interface RenderedBody {
  contentType: string;
  body: string;
}

/**
 * CSV columns in order; `outputUrl` is split in its two parts so every cell is flat text; Alibaba
 * Cloud's `instanceIds` are space-separated and its `connections` are one cell of JSON.
 */
export const SESSION_CSV_COLUMNS = [
  'sessionId',
  'target',
  'status',
  'startDate',
  'endDate',
  'documentName',
  'owner',
  'reason',
  'details',
  's3OutputUrl',
  'cloudWatchOutputUrl',
  'maxSessionDuration',
  'accessType',
  ...SOURCE_SPECIFIC_FIELDS,
  'accountId',
  'region',
  'source',
  'firstArchivedAt',
  'lastSeenAt',
  'endedUnobservedAt',
  'evidenceHash',
  'evidenceSequence',
] as const;
export type SessionCsvColumn = (typeof SESSION_CSV_COLUMNS)[number];

// A field added to SessionRecord without a column fails to compile here instead of vanishing from exports.
type FieldsWithoutColumn = Exclude<Exclude<keyof SessionRecord, 'outputUrl'>, SessionCsvColumn>;
const everyFieldHasAColumn: [FieldsWithoutColumn] extends [never] ? true : FieldsWithoutColumn = true;
void everyFieldHasAColumn;

export const CONTENT_TYPES: Record<OutputFormat, string> = {
  json: 'application/json; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
};

export function renderSessions(format: OutputFormat, sessions: readonly SessionRecord[], nextToken: string | undefined): RenderedBody {
  const contentType = CONTENT_TYPES[format];
  switch (format) {
    case 'json':
      return { contentType, body: JSON.stringify(nextToken === undefined ? { sessions } : { sessions, nextToken }) };
    case 'jsonl':
      return { contentType, body: sessions.map((session) => `${JSON.stringify(session)}\n`).join('') };
    case 'csv':
      return { contentType, body: csvRow(SESSION_CSV_COLUMNS) + sessions.map((session) => csvRow(csvCells(session))).join('') };
  }
}

/** One row: absent fields are empty cells (CSV cannot tell absent from empty; no field is ever empty). */
export function csvCells(session: SessionRecord): string[] {
  return SESSION_CSV_COLUMNS.map((column) => csvValue(session, column) ?? '');
}

function csvValue(session: SessionRecord, column: SessionCsvColumn): string | undefined {
  switch (column) {
    case 's3OutputUrl':
      return session.outputUrl?.s3OutputUrl;
    case 'cloudWatchOutputUrl':
      return session.outputUrl?.cloudWatchOutputUrl;
    case 'instanceIds':
      return session.instanceIds?.join(' ');
    case 'portNumber':
      return session.portNumber?.toString();
    case 'connections':
      // A list of objects in one cell: its JSON text, which spreadsheets keep as is.
      return session.connections === undefined ? undefined : JSON.stringify(session.connections);
    case 'evidenceSequence':
      return session.evidenceSequence === undefined ? undefined : String(session.evidenceSequence);
    default:
      return session[column];
  }
}
