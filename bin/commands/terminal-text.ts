/**
 * Text bound for a terminal, made harmless: a session's reason, target or document is chosen by
 * the person audited, and a terminal obeys escape sequences (moving the cursor, rewriting lines,
 * setting the title, on some terminals writing files) and bidirectional overrides (showing text
 * in another order than it is). Each such character is shown as `\uXXXX` instead, which is
 * also how JSON writes it, so JSON output stays valid and means the same.
 */

/** C0 controls, DEL, C1 controls, and the bidi embeddings, overrides, isolates and marks. */
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same, but line breaks (`\n`, and `\r` right before one) pass: they separate records. */
const CONTROL_OR_BIDI_BUT_LINE_BREAKS = /\r(?!\n)|[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const escape = (character: string): string => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One line of text (a table cell, a message): every control character escaped. */
export function escapeTerminalLine(text: string): string {
  return text.replace(CONTROL_OR_BIDI, escape);
}

/** A block of text (CSV, JSON Lines, JSON): controls escaped, line breaks kept. */
export function escapeTerminalText(text: string): string {
  return text.replace(CONTROL_OR_BIDI_BUT_LINE_BREAKS, escape);
}

/** What to do to text written to `stream`: escape it when a terminal shows it, else leave it exact. */
export function forStream(stream: { isTTY?: boolean }): (text: string) => string {
  return stream.isTTY === true ? escapeTerminalText : (text) => text;
}
