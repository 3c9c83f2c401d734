/**
 * RFC 4180 CSV, made safe to open in a spreadsheet.
 *
 * Quoting: a cell containing a quote, comma, CR or LF is wrapped in quotes, inner quotes doubled;
 * rows end with CRLF.
 *
 * Neutralisation: a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return (or their
 * full-width forms ＝ ＋ － ＠, which some spreadsheets also read as formulas) gets a leading
 * apostrophe, so a spreadsheet shows it as text instead of evaluating it. A reason such as
 * `-rf cleanup` therefore arrives as `'-rf cleanup`. A cell that already starts with an apostrophe
 * gets one more, so the rule stays reversible: strip one leading apostrophe to recover the value
 * (which is also what Excel shows).
 */
const FORMULA_TRIGGERS: ReadonlySet<string> = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20', "'"]);
const NEEDS_QUOTES = /[",\r\n]/;

export function neutraliseCell(value: string): string {
  return value.length > 0 && FORMULA_TRIGGERS.has(value.charAt(0)) ? `'${value}` : value;
}

/** The inverse of `neutraliseCell`, for readers that want the stored value back. */
export function restoreCell(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

export function quoteCell(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRow(cells: readonly string[]): string {
  return `${cells.map((cell) => quoteCell(neutraliseCell(cell))).join(',')}\r\n`;
}
