/**
 * An evidence object (docs/evidence.md, "Format"): gzip of UTF-8 JSON Lines — a header, one line
 * per stored state with its canonical hash, and a trailer with the hash of every byte above it
 * and a signature over those same bytes.
 */
import { gzipSync } from 'node:zlib';
import type { SessionRecord } from '../session/session';
import { canonicalJson, evidenceRecord, sha256Hex, type CanonicalValue, type EvidenceRecord } from './canonical';
import type { EvidenceSigner } from './ports';

export const FORMAT_VERSION = 1;
export const SIGNATURE_ALGORITHM = 'ECDSA_SHA_256';

export interface EvidenceHeader {
  type: 'header';
  formatVersion: number;
  /** The target key, e.g. `ssm#123456789012#eu-west-1`. */
  target: string;
  /** 1, 2, 3… per target, without gaps. */
  sequence: number;
  /** `objectHash` of the target's previous object; null for sequence 1. */
  previousHash: string | null;
  keyId: string;
  /** Earliest and latest `lastSeenAt` of the states inside. */
  from: string;
  to: string;
  count: number;
  createdAt: string;
}

export interface EvidenceState {
  type: 'state';
  hash: string;
  record: EvidenceRecord;
}

export interface EvidenceTrailer {
  type: 'trailer';
  /** Hex SHA-256 of the exact bytes of every line above the trailer, newlines included. */
  objectHash: string;
  /** Base64 of the DER ECDSA P-256 signature over SHA-256 of those same bytes. */
  signature: string;
  signatureAlgorithm: string;
}

export interface EvidenceObjectInput {
  target: string;
  sequence: number;
  previousHash: string | null;
  createdAt: string;
  /** Every state the sweep stored, in the order it stored them. */
  records: readonly SessionRecord[];
}

export interface EncodedEvidenceObject {
  header: EvidenceHeader;
  objectHash: string;
  /** The gzip bytes to store. */
  bytes: Uint8Array;
}

const line = (value: unknown) => `${JSON.stringify(value)}\n`;

/** The header and state lines, exactly the bytes the object hash and the signature cover. */
export function evidenceBody(input: EvidenceObjectInput, keyId: string): { header: EvidenceHeader; body: Buffer } {
  if (input.records.length === 0) throw new RangeError('an evidence object holds at least one state');
  const seen = input.records.map((record) => record.lastSeenAt).sort();
  const header: EvidenceHeader = {
    type: 'header',
    formatVersion: FORMAT_VERSION,
    target: input.target,
    sequence: input.sequence,
    previousHash: input.previousHash,
    keyId,
    from: seen[0],
    to: seen[seen.length - 1],
    count: input.records.length,
    createdAt: input.createdAt,
  };
  // Each record is written in its canonical form, so its bytes are exactly what its hash covers.
  const states = input.records.map((record) => {
    const canonical = canonicalJson(evidenceRecord(record) as unknown as CanonicalValue);
    return `{"type":"state","hash":"${sha256Hex(canonical)}","record":${canonical}}\n`;
  });
  return { header, body: Buffer.from(line(header) + states.join(''), 'utf8') };
}

export async function encodeEvidenceObject(input: EvidenceObjectInput, signer: EvidenceSigner): Promise<EncodedEvidenceObject> {
  const { header, body } = evidenceBody(input, signer.keyId);
  const objectHash = sha256Hex(body);
  const signature = Buffer.from(await signer.sign(body)).toString('base64');
  const trailer: EvidenceTrailer = { type: 'trailer', objectHash, signature, signatureAlgorithm: SIGNATURE_ALGORITHM };
  const bytes = gzipSync(Buffer.concat([body, Buffer.from(line(trailer), 'utf8')]));
  return { header, objectHash, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
