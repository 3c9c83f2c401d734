/**
 * Reads an evidence object back and checks its structure: gzip, one JSON value per line, a header,
 * `count` states, a trailer. What the lines claim (hashes, links, signature) is for the checks in
 * `objectProblems` and for verify.
 */
import { gunzipSync } from 'node:zlib';
import { scopeKey, type SessionRecord } from '../session/session';
import { recordHash, sha256Hex, type EvidenceRecord } from './canonical';
import { FORMAT_VERSION, SIGNATURE_ALGORITHM, type EvidenceHeader, type EvidenceState, type EvidenceTrailer } from './object-format';

/** The bytes are not an evidence object of a format this code reads. */
export class EvidenceFormatError extends Error {
  override readonly name = 'EvidenceFormatError';
}

export interface DecodedEvidenceObject {
  header: EvidenceHeader;
  states: EvidenceState[];
  trailer: EvidenceTrailer;
  /** The header and state lines as stored: what `objectHash` and the signature cover. */
  signedBytes: Buffer;
}

type Json = Record<string, unknown>;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const RECORD_TEXT_FIELDS = ['sessionId', 'target', 'status', 'startDate', 'source', 'accountId', 'region', 'firstArchivedAt', 'lastSeenAt'] as const;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function fail(lineNumber: number, message: string): never {
  throw new EvidenceFormatError(`line ${lineNumber}: ${message}`);
}

export function decodeEvidenceObject(bytes: Uint8Array): DecodedEvidenceObject {
  let text: Buffer;
  try {
    text = gunzipSync(bytes);
  } catch (error) {
    throw new EvidenceFormatError(`not gzip: ${error instanceof Error ? error.message : String(error)}`);
  }
  const lines = splitLines(text);
  if (lines.length < 3) throw new EvidenceFormatError(`${lines.length} lines; an object has a header, at least one state and a trailer`);
  const header = readHeader(parseLine(lines[0].text, 1));
  if (lines.length !== header.count + 2) fail(1, `count is ${header.count} but the object holds ${lines.length - 2} state lines`);
  const states = lines.slice(1, -1).map((entry, index) => readState(parseLine(entry.text, index + 2), index + 2));
  const last = lines[lines.length - 1];
  const trailer = readTrailer(parseLine(last.text, lines.length), lines.length);
  return { header, states, trailer, signedBytes: text.subarray(0, last.start) };
}

function splitLines(text: Buffer): { text: string; start: number }[] {
  const lines: { text: string; start: number }[] = [];
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf(0x0a, start);
    if (end < 0) throw new EvidenceFormatError(`line ${lines.length + 1}: does not end with a newline`);
    lines.push({ text: text.subarray(start, end).toString('utf8'), start });
    start = end + 1;
  }
  return lines;
}

function parseLine(text: string, lineNumber: number): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail(lineNumber, 'is not JSON');
  }
  if (!isObject(value)) fail(lineNumber, 'is not a JSON object');
  return value;
}

function readHeader(value: Json): EvidenceHeader {
  if (value.type !== 'header') fail(1, 'is not a header');
  if (value.formatVersion !== FORMAT_VERSION) fail(1, `format version ${String(value.formatVersion)} is not ${FORMAT_VERSION}`);
  for (const field of ['target', 'keyId', 'from', 'to', 'createdAt'] as const) if (!isText(value[field])) fail(1, `${field} is missing`);
  const sequence = value.sequence;
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 1) fail(1, 'sequence is not a whole number from 1');
  if (typeof value.count !== 'number' || !Number.isSafeInteger(value.count) || value.count < 1) fail(1, 'count is not a whole number from 1');
  const previousHash = value.previousHash;
  if (!(previousHash === null || (typeof previousHash === 'string' && HEX_SHA256.test(previousHash)))) fail(1, 'previousHash is neither null nor a hex SHA-256');
  return value as unknown as EvidenceHeader;
}

function readState(value: Json, lineNumber: number): EvidenceState {
  if (value.type !== 'state') fail(lineNumber, 'is not a state');
  if (typeof value.hash !== 'string' || !HEX_SHA256.test(value.hash)) fail(lineNumber, 'hash is not a hex SHA-256');
  const record = value.record;
  if (!isObject(record)) fail(lineNumber, 'record is not an object');
  for (const field of RECORD_TEXT_FIELDS) if (!isText(record[field])) fail(lineNumber, `record.${field} is missing`);
  // Sources add fields of their own (numbers, lists); none is ever null, absent fields are left out.
  for (const [key, field] of Object.entries(record)) if (field === null) fail(lineNumber, `record.${key} is null`);
  if ('evidenceHash' in record || 'evidenceSequence' in record) fail(lineNumber, 'record carries evidence fields');
  return { type: 'state', hash: value.hash, record: record as unknown as EvidenceRecord };
}

function readTrailer(value: Json, lineNumber: number): EvidenceTrailer {
  if (value.type !== 'trailer') fail(lineNumber, 'is not a trailer');
  if (typeof value.objectHash !== 'string' || !HEX_SHA256.test(value.objectHash)) fail(lineNumber, 'objectHash is not a hex SHA-256');
  if (typeof value.signature !== 'string' || !BASE64.test(value.signature)) fail(lineNumber, 'signature is not base64');
  if (value.signatureAlgorithm !== SIGNATURE_ALGORITHM) fail(lineNumber, `signature algorithm ${String(value.signatureAlgorithm)} is not ${SIGNATURE_ALGORITHM}`);
  return value as unknown as EvidenceTrailer;
}

export type ObjectProblem =
  | { kind: 'object-hash'; expected: string; actual: string }
  | { kind: 'state-hash'; line: number; sessionId: string; expected: string; actual: string }
  | { kind: 'foreign-state'; line: number; sessionId: string; target: string }
  | { kind: 'time-range'; from: string; to: string };

/**
 * What an object claims about itself that does not hold: its hash, each state's hash, every state
 * belonging to its target, the header's time range. The signature and the chain links are verify's.
 */
export function objectProblems(decoded: DecodedEvidenceObject): ObjectProblem[] {
  const problems: ObjectProblem[] = [];
  const actual = sha256Hex(decoded.signedBytes);
  if (actual !== decoded.trailer.objectHash) problems.push({ kind: 'object-hash', expected: decoded.trailer.objectHash, actual });
  decoded.states.forEach((state, index) => {
    const record = state.record as SessionRecord;
    const hash = recordHash(record);
    if (hash !== state.hash) problems.push({ kind: 'state-hash', line: index + 2, sessionId: record.sessionId, expected: state.hash, actual: hash });
    const target = scopeKey(record);
    if (target !== decoded.header.target) problems.push({ kind: 'foreign-state', line: index + 2, sessionId: record.sessionId, target });
  });
  const seen = decoded.states.map((state) => state.record.lastSeenAt).sort();
  if (seen[0] !== decoded.header.from || seen[seen.length - 1] !== decoded.header.to) problems.push({ kind: 'time-range', from: seen[0], to: seen[seen.length - 1] });
  return problems;
}
