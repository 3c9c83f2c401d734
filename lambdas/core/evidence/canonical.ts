/**
 * The canonical serialisation and hash of an archived state (docs/evidence.md, "Canonical hash"),
 * simple enough to recompute in a few lines of any language: JSON with object keys sorted, no
 * whitespace, absent fields left out.
 */
import { createHash } from 'node:crypto';
import type { SessionRecord } from '../session/session';

/** The fields a record carries about its own evidence; never part of the state they describe. */
export const EVIDENCE_FIELDS = ['evidenceHash', 'evidenceSequence'] as const;

/** A record state as evidence holds it: the served record without its evidence fields. */
export type EvidenceRecord = Omit<SessionRecord, (typeof EVIDENCE_FIELDS)[number]>;

/** A value canonical JSON accepts: what JSON.parse can return, plus undefined (omitted). */
export type CanonicalValue = string | number | boolean | null | undefined | readonly CanonicalValue[] | { readonly [key: string]: CanonicalValue };

/**
 * JSON with every object's keys sorted by UTF-16 code unit (JavaScript's default sort), no
 * whitespace, object members whose value is undefined left out, arrays kept in order. Strings and
 * numbers are written exactly as JSON.stringify writes them.
 */
export function canonicalJson(value: CanonicalValue): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no form for the number ${value}`);
    return JSON.stringify(value);
  }
  if (value === undefined) throw new TypeError('canonical JSON has no form for undefined outside an object');
  if (Array.isArray(value)) return `[${value.map((item: CanonicalValue) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const object = value as { readonly [key: string]: CanonicalValue };
  const members = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`);
  return `{${members.join(',')}}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The record without its evidence fields and without undefined members: the state evidence holds. */
export function evidenceRecord(record: SessionRecord): EvidenceRecord {
  const state: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined || (EVIDENCE_FIELDS as readonly string[]).includes(key)) continue;
    state[key] = value;
  }
  return state as unknown as EvidenceRecord;
}

/** `hex(SHA-256(UTF-8(canonicalJson(record without evidenceHash and evidenceSequence))))`. */
export function recordHash(record: SessionRecord): string {
  return sha256Hex(canonicalJson(evidenceRecord(record) as unknown as CanonicalValue));
}
