/**
 * Evidence as a deployment configures it: who signs, where objects go, where the chain heads live.
 * One per process; each target sweep opens its own `TargetEvidence` from it.
 */
import type { Clock, CoreLogger } from '../sweep/ports';
import type { SourceScope } from '../session/session';
import { publicKeyKey } from './layout';
import type { EvidenceLedger } from './ledger';
import { EvidenceObjectExistsError, type EvidenceSigner, type EvidenceStore } from './ports';
import { TargetEvidence } from './target-evidence';

export interface EvidenceWriterOptions {
  signer: EvidenceSigner;
  store: EvidenceStore;
  /** Key prefix in the store; '' for its root. */
  prefix: string;
  ledger: EvidenceLedger;
  /** A sweep that stores more states than this writes one object per this many, to bound its memory. */
  maxStatesPerObject?: number;
}

/** Two public keys under one key id: the published one would not verify this signer's objects. */
export class EvidenceKeyMismatchError extends Error {
  override readonly name = 'EvidenceKeyMismatchError';
}

export const DEFAULT_MAX_STATES_PER_OBJECT = 20_000;

export class EvidenceWriter {
  readonly maxStatesPerObject: number;
  private readonly published = new Set<string>();

  constructor(readonly options: EvidenceWriterOptions) {
    this.maxStatesPerObject = options.maxStatesPerObject ?? DEFAULT_MAX_STATES_PER_OBJECT;
  }

  /** Opens a target's evidence for one sweep, first writing any object a killed sweep left owed. */
  async forTarget(scope: SourceScope, clock: Clock, logger: CoreLogger): Promise<TargetEvidence> {
    return TargetEvidence.open(this, scope, clock, logger);
  }

  /** Publishes the signer's public key beside the evidence, once per process, before it signs anything there. */
  async publishKey(): Promise<void> {
    const { signer, store, prefix } = this.options;
    if (this.published.has(signer.keyId)) return;
    const key = publicKeyKey(prefix, signer.keyId);
    const pem = await signer.publicKeyPem();
    let stored = await store.getObject(key);
    if (stored === undefined) {
      try {
        await store.putObject(key, Buffer.from(pem, 'utf8'));
        stored = Buffer.from(pem, 'utf8');
      } catch (error: unknown) {
        if (!(error instanceof EvidenceObjectExistsError)) throw error;
        stored = await store.getObject(key);
      }
    }
    if (stored === undefined || Buffer.from(stored).toString('utf8').trim() !== pem.trim()) {
      throw new EvidenceKeyMismatchError(`${key} holds another public key than the signer's ${signer.keyId}`);
    }
    this.published.add(signer.keyId);
  }
}
