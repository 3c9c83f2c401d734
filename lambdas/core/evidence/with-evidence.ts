/**
 * Runs one target's sweep under evidence, whatever sweeps it: the evidence a killed sweep left owed
 * is written first, the sweep gets a store that records every state it stores, and what it stored
 * is sealed in an object at the end (the sweep seals earlier itself, before it announces anything).
 */
import type { ArchiveStore, Clock, CoreLogger } from '../sweep/ports';
import type { SourceScope } from '../session/session';
import { evidenceRecordingStore } from './recording-store';
import type { TargetEvidence } from './target-evidence';
import type { EvidenceWriter } from './writer';

export interface EvidenceRun {
  /** The store to sweep with. */
  store: ArchiveStore;
  /** The target's evidence, to hand to the sweep (`SweepPorts.evidence`); absent without a writer. */
  evidence?: TargetEvidence;
}

export async function withEvidence<T>(
  writer: EvidenceWriter | undefined,
  target: { scope: SourceScope; store: ArchiveStore; clock: Clock; logger: CoreLogger },
  run: (sweepWith: EvidenceRun) => Promise<T>,
): Promise<T> {
  if (!writer) return run({ store: target.store });
  const evidence = await writer.forTarget(target.scope, target.clock, target.logger);
  let result: T;
  try {
    result = await run({ store: evidenceRecordingStore(target.store, evidence), evidence });
  } catch (error: unknown) {
    // What the failed sweep stored is sealed now if possible; else the next sweep does it first.
    await evidence.sealAfterFailure().catch((sealError: unknown) =>
      target.logger.warn('evidence of a failed sweep not written; the next sweep writes it', {
        target: evidence.target,
        error: sealError instanceof Error ? `${sealError.name}: ${sealError.message}` : String(sealError),
      }),
    );
    throw error;
  }
  await evidence.seal();
  return result;
}
