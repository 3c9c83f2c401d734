/**
 * Walks one target's evidence chain: reads every object (several at once, checked in sequence
 * order), and says of each whether it can be trusted — decodable, in its place, whole, signed by
 * a published key — and of each link whether it holds. A trusted object's states are evidence;
 * an untrusted one is named once, by its first problem, and its states are not used.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { mapWithConcurrency } from '../shared/concurrency';
import { decodeEvidenceObject, EvidenceFormatError, objectProblems, type DecodedEvidenceObject, type ObjectProblem } from './decode';
import { objectKey } from './layout';
import type { EvidenceStore } from './ports';
import type { IntegrityFinding } from './verify-findings';

/** Objects read at once: S3 answers each in tens of milliseconds. */
export const READ_CONCURRENCY = 16;

export interface ChainObject {
  sequence: number;
  key: string;
  /** Set when the object can be trusted. */
  decoded?: DecodedEvidenceObject;
}

export interface ChainWalk {
  target: string;
  /** Trusted objects, in sequence order. */
  objects: ChainObject[];
  /** Sequences that are missing or untrusted: records pointing at them are covered by a finding. */
  broken: Set<number>;
  findings: IntegrityFinding[];
  lastSequence: number;
  keyIds: Set<string>;
}

/** Public keys by key id, from `keys/<keyId>.pem` beside the evidence (or given by the auditor). */
export type PublicKeys = ReadonlyMap<string, KeyObject>;

export function parsePublicKey(pem: Uint8Array | string): KeyObject {
  return createPublicKey({ key: typeof pem === 'string' ? pem : Buffer.from(pem), format: 'pem' });
}

/**
 * `sequences`: the sequences the store holds for the target, ascending. `referenced`: the highest
 * sequence the archive's records name, so objects missing at the end of a chain are found too.
 */
export async function walkChain(
  store: EvidenceStore,
  prefix: string,
  target: string,
  sequences: readonly number[],
  keys: PublicKeys,
  referenced = 0,
  onObject: (object: ChainObject) => void = () => undefined,
): Promise<ChainWalk> {
  const walk: ChainWalk = { target, objects: [], broken: new Set(), findings: [], lastSequence: 0, keyIds: new Set() };
  const present = new Set(sequences);
  const last = Math.max(referenced, sequences.at(-1) ?? 0);
  walk.lastSequence = sequences.at(-1) ?? 0;
  const finding = (sequence: number, kind: IntegrityFinding['kind'], message: string) => {
    walk.broken.add(sequence);
    walk.findings.push({ kind, target, sequence, key: objectKey(prefix, target, sequence), message });
  };
  let previous: { sequence: number; objectHash: string } | undefined;
  // Read in windows so memory holds a window of objects, not the whole chain.
  const window = READ_CONCURRENCY * 4;
  for (let start = 1; start <= last; start += window) {
    const batch = Array.from({ length: Math.min(window, last - start + 1) }, (_, i) => start + i);
    const read = await mapWithConcurrency(batch, READ_CONCURRENCY, async (sequence) =>
      present.has(sequence) ? { sequence, bytes: await store.getObject(objectKey(prefix, target, sequence)) } : { sequence, bytes: undefined },
    );
    for (const { sequence, bytes } of read) {
      const key = objectKey(prefix, target, sequence);
      if (bytes === undefined) {
        finding(sequence, 'missing', `sequence ${sequence} is missing from the chain${sequence > walk.lastSequence ? ` (the archive names it; the chain ends at ${walk.lastSequence})` : ''}`);
        previous = undefined;
        continue;
      }
      const checked = checkObject(bytes, target, sequence, keys);
      if ('kind' in checked) {
        finding(sequence, checked.kind, checked.message);
        previous = undefined;
        continue;
      }
      const link = linkProblem(checked, sequence, previous);
      previous = { sequence, objectHash: checked.trailer.objectHash };
      if (link !== undefined) {
        finding(sequence, 'reordered', link);
        continue;
      }
      walk.keyIds.add(checked.header.keyId);
      const object = { sequence, key, decoded: checked };
      walk.objects.push(object);
      onObject(object);
    }
  }
  return walk;
}

type Problem = { kind: IntegrityFinding['kind']; message: string };

/** The object's own checks, first problem first: decoding, its place, its bytes, its key, its signature. */
function checkObject(bytes: Uint8Array, target: string, sequence: number, keys: PublicKeys): DecodedEvidenceObject | Problem {
  let decoded: DecodedEvidenceObject;
  try {
    decoded = decodeEvidenceObject(bytes);
  } catch (error: unknown) {
    if (!(error instanceof EvidenceFormatError)) throw error;
    return { kind: 'undecodable', message: `not an evidence object: ${error.message}` };
  }
  const { header, trailer } = decoded;
  if (header.target !== target || header.sequence !== sequence) {
    return { kind: 'reordered', message: `stored as ${target} sequence ${sequence} but its header says ${header.target} sequence ${header.sequence}` };
  }
  const [problem] = objectProblems(decoded);
  if (problem !== undefined) return { kind: 'altered', message: describeProblem(problem) };
  const key = keys.get(header.keyId);
  if (key === undefined) return { kind: 'unknown-key', message: `signed with key ${JSON.stringify(header.keyId)}, which is not published beside the evidence` };
  if (!verify('sha256', decoded.signedBytes, key, Buffer.from(trailer.signature, 'base64'))) {
    return { kind: 'unsigned', message: `its signature is not a valid signature of key ${header.keyId} over its bytes` };
  }
  return decoded;
}

/** The link to the previous object: null for the first, the previous object's hash for every other. */
function linkProblem(decoded: DecodedEvidenceObject, sequence: number, previous: { sequence: number; objectHash: string } | undefined): string | undefined {
  const claimed = decoded.header.previousHash;
  if (sequence === 1) return claimed === null ? undefined : 'the first object of the chain names a previous object';
  // The previous object is missing or untrusted: that is its own finding; this link cannot be checked.
  if (previous === undefined || previous.sequence !== sequence - 1) return undefined;
  if (claimed === previous.objectHash) return undefined;
  return `its previous hash ${claimed === null ? 'is null' : claimed.slice(0, 12)} does not match object ${sequence - 1} (${previous.objectHash.slice(0, 12)})`;
}

function describeProblem(problem: ObjectProblem): string {
  switch (problem.kind) {
    case 'object-hash':
      return `its bytes hash to ${problem.actual.slice(0, 12)}, not the objectHash ${problem.expected.slice(0, 12)} it carries`;
    case 'state-hash':
      return `line ${problem.line} (session ${problem.sessionId}) hashes to ${problem.actual.slice(0, 12)}, not ${problem.expected.slice(0, 12)}`;
    case 'foreign-state':
      return `line ${problem.line} (session ${problem.sessionId}) belongs to ${problem.target}`;
    case 'time-range':
      return `its header's time range does not match its states (${problem.from} to ${problem.to})`;
  }
}
