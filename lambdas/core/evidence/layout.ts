/**
 * Where objects sit in an evidence store: `<prefix>/<targetKey>/<sequence, 12 digits>.jsonl.gz`
 * and the public keys at `<prefix>/keys/<keyId>.pem`. An empty prefix means the store's root.
 */
import { isValidKeyId } from './ports';

export const SEQUENCE_DIGITS = 12;
export const OBJECT_SUFFIX = '.jsonl.gz';
export const KEYS_FOLDER = 'keys';

const join = (prefix: string, rest: string) => (prefix === '' ? rest : `${prefix.replace(/\/+$/, '')}/${rest}`);

export function objectKey(prefix: string, targetKey: string, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1 || String(sequence).length > SEQUENCE_DIGITS) {
    throw new RangeError(`evidence sequence ${sequence} is not a whole number from 1 to ${SEQUENCE_DIGITS} digits`);
  }
  return join(prefix, `${targetKey}/${String(sequence).padStart(SEQUENCE_DIGITS, '0')}${OBJECT_SUFFIX}`);
}

/** Where a target's objects sit: list this to walk its chain in order. */
export function targetFolder(prefix: string, targetKey: string): string {
  return join(prefix, `${targetKey}/`);
}

export function publicKeyKey(prefix: string, keyId: string): string {
  if (!isValidKeyId(keyId)) throw new RangeError(`evidence key id ${JSON.stringify(keyId)} is not safe in a file name`);
  return join(prefix, `${KEYS_FOLDER}/${keyId}.pem`);
}

export interface ParsedObjectKey {
  targetKey: string;
  sequence: number;
}

/** The target and sequence of an object key, or undefined for any other key (e.g. a public key). */
export function parseObjectKey(prefix: string, key: string): ParsedObjectKey | undefined {
  const root = join(prefix, '');
  if (!key.startsWith(root)) return undefined;
  const match = /^([^/]+)\/(\d{12})\.jsonl\.gz$/.exec(key.slice(root.length));
  if (!match || match[1] === KEYS_FOLDER) return undefined;
  const sequence = Number(match[2]);
  return sequence >= 1 ? { targetKey: match[1], sequence } : undefined;
}
