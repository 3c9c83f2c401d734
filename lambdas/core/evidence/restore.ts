/**
 * Restore: the archive rebuilt from the evidence alone. Every chain is walked and checked as
 * verify does; the latest state of each session in a trusted object is what the archive held
 * (its `firstArchivedAt` included, which never changes), written with its evidence hash and
 * sequence. Untrusted objects are named and left out: restore never writes a state it cannot prove.
 */
import type { EvidenceStore } from './ports';
import { readStoreIndex } from './verify';
import { walkChain, type PublicKeys } from './verify-chain';
import type { ArchivedRecord, IntegrityFinding } from './verify-findings';

/** Where restored records go: the archive table, through the store's own item conversion. */
export interface RestoreSink {
  write(records: readonly ArchivedRecord[]): Promise<void>;
}

export interface RestoreInput {
  store: EvidenceStore;
  prefix: string;
  sink: RestoreSink;
  /** Only this target key. */
  target?: string;
  trustedKeys?: PublicKeys;
  /** Records handed to the sink at once. */
  batchSize?: number;
  progress?: (event: { phase: 'evidence' | 'write'; count: number }) => void;
}

export interface RestoreReport {
  ok: boolean;
  targets: number;
  evidenceObjects: number;
  sessions: number;
  /** Objects left out (missing, altered, unsigned…): the states they held are not restored. */
  findings: IntegrityFinding[];
}

export async function restoreArchive(input: RestoreInput): Promise<RestoreReport> {
  const { targets, keys } = await readStoreIndex(input.store, input.prefix);
  const latest = new Map<string, ArchivedRecord>();
  const findings: IntegrityFinding[] = [];
  let evidenceObjects = 0;
  const chosen = [...targets.keys()].filter((target) => input.target === undefined || target === input.target).sort();
  for (const target of chosen) {
    const walk = await walkChain(input.store, input.prefix, target, targets.get(target) ?? [], input.trustedKeys ?? keys, 0, (object) => {
      evidenceObjects++;
      for (const state of object.decoded?.states ?? []) {
        latest.set(`${target}\u0000${state.record.sessionId}`, { ...(state.record as ArchivedRecord), evidenceHash: state.hash, evidenceSequence: object.sequence });
      }
      input.progress?.({ phase: 'evidence', count: evidenceObjects });
    });
    findings.push(...walk.findings);
  }
  const batchSize = input.batchSize ?? 500;
  let batch: ArchivedRecord[] = [];
  let written = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await input.sink.write(batch);
    written += batch.length;
    batch = [];
    input.progress?.({ phase: 'write', count: written });
  };
  for (const record of latest.values()) {
    batch.push(record);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return { ok: findings.length === 0, targets: chosen.length, evidenceObjects, sessions: written, findings };
}
