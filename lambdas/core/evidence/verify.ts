/**
 * Verify: walks every evidence chain (verify-chain.ts) and the archive, and names every record
 * changed (its hash is not that of its latest evidenced state), deleted (evidenced, not in the
 * archive) or inserted (in the archive, in no evidence), and every broken link. Records that name
 * a missing or untrusted object are covered by that object's finding, not reported again.
 * Pure apart from its ports: the store, and the archive's records page by page.
 */
import { scopeKey } from '../session/session';
import { recordHash } from './canonical';
import { parseObjectKey, publicKeyKey } from './layout';
import type { EvidenceStore } from './ports';
import { parsePublicKey, walkChain, type ChainWalk, type PublicKeys } from './verify-chain';
import { countByKind, inFilter, type ArchivedRecord, type IntegrityFinding, type VerifyFilter, type VerifyReport } from './verify-findings';

export interface VerifyInput {
  store: EvidenceStore;
  /** The evidence prefix in the store (`evidence` in the bucket; empty for a local folder). */
  prefix: string;
  /** The archive's records inside the filter, page by page (the API's pages, or a table scan's). */
  records: () => AsyncIterable<readonly ArchivedRecord[]>;
  filter: VerifyFilter;
  /** Keys the auditor trusts instead of those published beside the evidence. */
  trustedKeys?: PublicKeys;
  now: () => string;
  progress?: (event: { phase: 'evidence' | 'archive'; count: number }) => void;
}

/** The latest evidenced state of one session. */
interface Evidenced {
  target: string;
  hash: string;
  sequence: number;
  seen: boolean;
}

export async function verifyArchive(input: VerifyInput): Promise<VerifyReport> {
  const checkedAt = input.now();
  const { targets, keys } = await readStoreIndex(input.store, input.prefix);
  const trusted = input.trustedKeys ?? keys;
  const findings: IntegrityFinding[] = [];

  // The archive first: records are compared once the evidence is known, so hold only what the comparison needs.
  const archived = new Map<string, ArchivedSummary>();
  const referenced = new Map<string, number>();
  let records = 0;
  for await (const page of input.records()) {
    for (const record of page) {
      const target = scopeKey(record);
      if (!inFilter(input.filter, target, record.startDate)) continue;
      records++;
      // Only a record without evidence fields can predate evidence: only its first archive time is kept.
      const unevidenced = record.evidenceSequence === undefined ? { firstArchivedAt: record.firstArchivedAt } : {};
      archived.set(sessionKeyOf(target, record.sessionId), { target, hash: recordHash(record), evidenceHash: record.evidenceHash, evidenceSequence: record.evidenceSequence, ...unevidenced });
      if (record.evidenceSequence !== undefined) referenced.set(target, Math.max(referenced.get(target) ?? 0, record.evidenceSequence));
    }
    input.progress?.({ phase: 'archive', count: records });
  }

  const evidenced = new Map<string, Evidenced>();
  const walks: ChainWalk[] = [];
  let evidenceObjects = 0;
  let evidenceStates = 0;
  const chainTargets = [...new Set([...targets.keys(), ...referenced.keys()])].filter((target) => input.filter.target === undefined || target === input.filter.target).sort();
  for (const target of chainTargets) {
    const walk = await walkChain(input.store, input.prefix, target, targets.get(target) ?? [], trusted, referenced.get(target) ?? 0, (object) => {
      evidenceObjects++;
      for (const state of object.decoded?.states ?? []) {
        if (!inFilter(input.filter, target, state.record.startDate)) continue;
        evidenceStates++;
        evidenced.set(sessionKeyOf(target, state.record.sessionId), { target, hash: state.hash, sequence: object.sequence, seen: false });
      }
      input.progress?.({ phase: 'evidence', count: evidenceObjects });
    });
    walks.push(walk);
    findings.push(...walk.findings);
  }
  const broken = new Map(walks.map((walk) => [walk.target, walk.broken]));
  const began = new Map(walks.flatMap((walk) => {
    const first = walk.objects.find((object) => object.sequence === 1)?.decoded?.header.createdAt;
    return first === undefined ? [] : [[walk.target, first] as const];
  }));
  findings.push(...compareRecords(archived, evidenced, broken, began));

  return {
    ok: findings.length === 0,
    checkedAt,
    filter: input.filter,
    chains: walks.map((walk) => ({ target: walk.target, objects: walk.objects.length, lastSequence: walk.lastSequence, keyIds: [...walk.keyIds].sort() })),
    evidenceObjects,
    evidenceStates,
    records,
    counts: countByKind(findings),
    findings,
  };
}

interface ArchivedSummary {
  target: string;
  hash: string;
  /** Kept for records without evidence fields (see insertedMessage). */
  firstArchivedAt?: string;
  evidenceHash?: string;
  evidenceSequence?: number;
}

function compareRecords(
  archived: ReadonlyMap<string, ArchivedSummary>,
  evidenced: Map<string, Evidenced>,
  broken: ReadonlyMap<string, ReadonlySet<number>>,
  /** When each target's chain began (its first object's createdAt). */
  began: ReadonlyMap<string, string>,
): IntegrityFinding[] {
  const findings: IntegrityFinding[] = [];
  for (const [key, record] of archived) {
    const sessionId = sessionIdOf(key);
    const latest = evidenced.get(key);
    if (latest) latest.seen = true;
    // Its evidence object is missing or untrusted: that object's finding covers this record.
    const pointsAtBroken = record.evidenceSequence !== undefined && broken.get(record.target)?.has(record.evidenceSequence) === true;
    if (pointsAtBroken && (latest === undefined || record.evidenceSequence !== undefined && record.evidenceSequence > latest.sequence)) continue;
    if (latest === undefined) {
      findings.push({ kind: 'inserted', target: record.target, sessionId, message: insertedMessage(record, began.get(record.target)) });
    } else if (latest.hash !== record.hash) {
      findings.push({ kind: 'changed', target: record.target, sessionId, message: `the archived record differs from its latest evidenced state (sequence ${latest.sequence})` });
    } else if (record.evidenceHash !== undefined && record.evidenceHash !== latest.hash) {
      findings.push({ kind: 'changed', target: record.target, sessionId, message: `the record's evidenceHash does not name its latest evidenced state (sequence ${latest.sequence})` });
    }
  }
  for (const [key, latest] of evidenced) {
    if (!latest.seen) findings.push({ kind: 'deleted', target: latest.target, sessionId: sessionIdOf(key), message: `evidenced (latest in sequence ${latest.sequence}) but not in the archive` });
  }
  return findings;
}

/**
 * A record no evidence holds. One the archive says it stored before the target's evidence began
 * may be genuine (archived before the archive kept evidence) or forged with an older date: no
 * evidence can tell, so it stays a violation, and the message says which case it may be.
 */
function insertedMessage(record: ArchivedSummary, began: string | undefined): string {
  const base = 'the archive holds this record, but no evidence object holds any state of it';
  if (began === undefined || record.firstArchivedAt === undefined || !(record.firstArchivedAt < began)) return base;
  return `${base}; it says it was first archived at ${record.firstArchivedAt}, before this target's evidence began (${began}): if so, it predates evidence and is evidenced once a sweep stores a new state of it`;
}

const SEPARATOR = '\u0000';
const sessionKeyOf = (target: string, sessionId: string) => `${target}${SEPARATOR}${sessionId}`;
const sessionIdOf = (key: string) => key.slice(key.indexOf(SEPARATOR) + 1);

export interface StoreIndex {
  /** Each target's sequences, ascending. */
  targets: Map<string, number[]>;
  /** The published public keys by key id. */
  keys: Map<string, ReturnType<typeof parsePublicKey>>;
}

/** One listing of the store: every target's objects and every published key. */
export async function readStoreIndex(store: EvidenceStore, prefix: string): Promise<StoreIndex> {
  const targets = new Map<string, number[]>();
  const keyIds: string[] = [];
  const keysRoot = publicKeyKey(prefix, 'x').slice(0, -'x.pem'.length);
  for await (const key of store.listKeys(prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`)) {
    const parsed = parseObjectKey(prefix, key);
    if (parsed) {
      const sequences = targets.get(parsed.targetKey) ?? [];
      sequences.push(parsed.sequence);
      targets.set(parsed.targetKey, sequences);
    } else if (key.startsWith(keysRoot) && key.endsWith('.pem')) {
      keyIds.push(key.slice(keysRoot.length, -'.pem'.length));
    }
  }
  for (const sequences of targets.values()) sequences.sort((a, b) => a - b);
  const keys = new Map<string, ReturnType<typeof parsePublicKey>>();
  for (const keyId of keyIds) {
    const pem = await store.getObject(publicKeyKey(prefix, keyId));
    // A key file that is not a public key signs nothing: objects naming it are `unknown-key`.
    try {
      if (pem !== undefined) keys.set(keyId, parsePublicKey(pem));
    } catch {
      continue;
    }
  }
  return { targets, keys };
}
