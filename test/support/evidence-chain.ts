/**
 * Evidence read back the way an outsider would (docs/evidence.md, "Verify without our code"): the
 * files of a folder store, gunzipped and split into lines by hand, hashes recomputed with a canonical
 * JSON written here, signatures checked with node:crypto against the published public key. Nothing
 * of lambdas/core/evidence is used, so a fault there cannot hide itself.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Sorted keys, no whitespace: the documented canonical form, written independently of the product's. */
export function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The hash a record's state must have: the record without its evidence fields, canonical, SHA-256. */
export function stateHash(record: object): string {
  const { evidenceHash: _hash, evidenceSequence: _sequence, ...state } = record as Record<string, Json>;
  const defined = Object.fromEntries(Object.entries(state).filter(([, value]) => value !== undefined));
  return sha256(canonical(defined as Json));
}

export interface ReadObject {
  file: string;
  header: Record<string, Json>;
  states: { hash: string; record: Record<string, Json> }[];
  trailer: { objectHash: string; signature: string; signatureAlgorithm: string };
  body: Buffer;
}

/** Every object of one target folder, in file-name order, with its lines parsed. */
export function readTarget(root: string, targetKey: string): ReadObject[] {
  const folder = join(root, targetKey);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.jsonl.gz'))
    .sort()
    .map((name) => {
      const text = gunzipSync(readFileSync(join(folder, name)));
      const lastLineStart = text.lastIndexOf(0x0a, text.length - 2) + 1;
      const lines = text.toString('utf8').split('\n');
      if (lines.pop() !== '') throw new Error(`${name}: no final newline`);
      const parsed = lines.map((line) => JSON.parse(line) as Record<string, Json>);
      return {
        file: name,
        header: parsed[0],
        states: parsed.slice(1, -1).map((line) => ({ hash: String(line.hash), record: line.record as Record<string, Json> })),
        trailer: parsed[parsed.length - 1] as unknown as ReadObject['trailer'],
        body: text.subarray(0, lastLineStart),
      };
    });
}

/**
 * What is wrong with a target's chain, as text (empty when whole): sequences 1..n without gaps and
 * matching their file names, each previousHash the hash of the object before, each objectHash the
 * hash of the body, each signature valid under the key the header names, each state hash right.
 */
export function chainProblems(root: string, targetKey: string): string[] {
  const problems: string[] = [];
  let previous: string | null = null;
  readTarget(root, targetKey).forEach((object, index) => {
    const sequence = index + 1;
    const where = `${targetKey}/${object.file}`;
    if (object.file !== `${String(sequence).padStart(12, '0')}.jsonl.gz`) problems.push(`${where}: expected sequence ${sequence}`);
    if (object.header.sequence !== sequence) problems.push(`${where}: header sequence ${String(object.header.sequence)}`);
    if (object.header.target !== targetKey) problems.push(`${where}: header target ${String(object.header.target)}`);
    if (object.header.previousHash !== previous) problems.push(`${where}: previousHash does not link`);
    if (object.header.count !== object.states.length) problems.push(`${where}: count`);
    const objectHash = sha256(object.body);
    if (object.trailer.objectHash !== objectHash) problems.push(`${where}: objectHash`);
    const keyFile = join(root, 'keys', `${String(object.header.keyId)}.pem`);
    if (!existsSync(keyFile)) problems.push(`${where}: key ${String(object.header.keyId)} not published`);
    else if (!verify('sha256', object.body, createPublicKey(readFileSync(keyFile, 'utf8')), Buffer.from(object.trailer.signature, 'base64'))) problems.push(`${where}: bad signature`);
    for (const state of object.states) if (stateHash(state.record) !== state.hash) problems.push(`${where}: state ${String(state.record.sessionId)} hash`);
    previous = objectHash;
  });
  return problems;
}

/** Every state in a target's chain, as `<sessionId>#<hash>` → sequence of the object holding it. */
export function statesInChain(root: string, targetKey: string): Map<string, number> {
  const states = new Map<string, number>();
  for (const object of readTarget(root, targetKey)) for (const state of object.states) states.set(`${String(state.record.sessionId)}#${state.hash}`, Number(object.header.sequence));
  return states;
}
