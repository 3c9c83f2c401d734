/**
 * One target's evidence during one sweep (docs/evidence.md, "Write path").
 *
 * 1. Before a write stores its first state, the sweep reserves the next sequence n on the target's
 *    chain head (a versioned put: one writer per link), and before every write it journals the ids
 *    it is about to store under n.
 * 2. Each state is stored with its hash and n in the same conditional write: records never need a
 *    second write.
 * 3. `seal` writes object n (every state stored under n, in order), then moves the head to n and
 *    clears the journal. Only then are the states announced (events; the final checkpoint).
 * 4. A sweep killed between 1 and 3 leaves the head reserved. The next sweep of the target seals n
 *    before it stores anything: it adopts object n if it was written, else writes it from the
 *    journalled records that still carry n (each re-hashed as stored). The chain has no hole.
 */
import { scopeKey, type SessionRecord, type SourceScope } from '../session/session';
import type { Clock, CoreLogger } from '../sweep/ports';
import { toIso } from '../shared/time';
import { recordHash } from './canonical';
import { decodeEvidenceObject } from './decode';
import { objectKey } from './layout';
import { EMPTY_CHAIN_HEAD, type EvidenceChainHead } from './ledger';
import { encodeEvidenceObject } from './object-format';
import type { EvidenceWriter } from './writer';

/** The chain head moved under this sweep, or an object is where none should be: evidence is not written over. */
export class EvidenceChainConflictError extends Error {
  override readonly name = 'EvidenceChainConflictError';
}

export interface EvidenceCounts {
  /** Objects this sweep wrote (or adopted from a killed sweep). */
  objects: number;
  /** States in them. */
  states: number;
  /** Of those, states a killed sweep had stored and this one sealed. */
  recovered: number;
}

export class TargetEvidence {
  readonly counts: EvidenceCounts = { objects: 0, states: 0, recovered: 0 };
  readonly target: string;
  private head: EvidenceChainHead = EMPTY_CHAIN_HEAD;
  private recorded: SessionRecord[] = [];
  private journalEntries = 0;
  /** Reservations and seals one at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly writer: EvidenceWriter,
    readonly scope: SourceScope,
    private readonly clock: Clock,
    private readonly logger: CoreLogger,
  ) {
    this.target = scopeKey(scope);
  }

  static async open(writer: EvidenceWriter, scope: SourceScope, clock: Clock, logger: CoreLogger): Promise<TargetEvidence> {
    const evidence = new TargetEvidence(writer, scope, clock, logger);
    evidence.head = (await writer.options.ledger.loadChainHead(scope)) ?? EMPTY_CHAIN_HEAD;
    if (evidence.head.reservedSequence !== null) await evidence.sealLeftOver(evidence.head.reservedSequence);
    return evidence;
  }

  /** The sequence the states about to be written will carry; journals their ids first. */
  reserve(sessionIds: readonly string[]): Promise<number> {
    return this.serially(async () => {
      if (this.recorded.length >= this.writer.maxStatesPerObject) await this.sealReserved();
      let sequence = this.head.reservedSequence;
      if (sequence === null) {
        sequence = this.head.lastSequence + 1;
        await this.saveHead({ ...this.head, reservedSequence: sequence, reservedAt: toIso(this.clock.now()) });
        this.journalEntries = 0;
      }
      await this.writer.options.ledger.journal(this.scope, sequence, this.journalEntries++, sessionIds);
      return sequence;
    });
  }

  /** Takes note of states as stored, re-hashing each: a record whose stored hash is off (a race) is corrected. */
  async record(records: readonly SessionRecord[]): Promise<void> {
    for (const record of records) {
      const hash = recordHash(record);
      if (record.evidenceHash !== hash && record.evidenceSequence !== undefined) {
        await this.writer.options.ledger.setEvidenceHash(this.scope, record.sessionId, record.evidenceSequence, hash);
      }
      this.recorded.push({ ...record, evidenceHash: hash });
    }
  }

  /** Writes the object of the states stored since the last one, if any. */
  seal(): Promise<void> {
    return this.serially(() => this.sealReserved());
  }

  private serially<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async sealReserved(): Promise<void> {
    const sequence = this.head.reservedSequence;
    if (sequence === null) return;
    const states = this.recorded;
    this.recorded = [];
    await this.writeObject(sequence, states);
  }

  /** Object n of a killed sweep: adopted when it was written, else written from what the records hold. */
  private async sealLeftOver(sequence: number): Promise<void> {
    const { store, prefix, ledger } = this.writer.options;
    const stored = await store.getObject(objectKey(prefix, this.target, sequence));
    if (stored !== undefined) {
      const { header, trailer } = decodeEvidenceObject(stored);
      if (header.target !== this.target || header.sequence !== sequence || header.previousHash !== this.head.lastHash) {
        throw new EvidenceChainConflictError(`${objectKey(prefix, this.target, sequence)} does not continue the chain of ${this.target}`);
      }
      this.logger.warn('evidence object of a killed sweep found; chain head moved to it', { target: this.target, sequence });
      await this.closeHead(sequence, trailer.objectHash, header.keyId);
      await ledger.clearJournal(this.scope, sequence);
      this.counts.objects++;
      return;
    }
    this.logger.warn('writing the evidence a killed sweep left owed', { target: this.target, sequence });
    await this.sealFromJournal(sequence);
  }

  /**
   * After a failed sweep: the states it noted, and besides them whatever the journal shows was
   * stored under the sequence (a write that failed half-way may have stored states it never reported).
   */
  sealAfterFailure(): Promise<void> {
    return this.serially(async () => {
      if (this.head.reservedSequence !== null) await this.sealFromJournal(this.head.reservedSequence);
    });
  }

  private async sealFromJournal(sequence: number): Promise<void> {
    const { ledger } = this.writer.options;
    const noted = new Set(this.recorded.map((record) => `${record.sessionId}#${record.evidenceHash}`));
    const ids = await ledger.journalled(this.scope, sequence);
    const stored = (await ledger.readRecords(this.scope, ids)).filter((record) => record.evidenceSequence === sequence);
    const unnoted = stored.filter((record) => !noted.has(`${record.sessionId}#${recordHash(record)}`));
    await this.record(unnoted);
    this.counts.recovered += unnoted.length;
    await this.sealReserved();
  }

  private async writeObject(sequence: number, states: readonly SessionRecord[]): Promise<void> {
    const { signer, store, prefix, ledger } = this.writer.options;
    if (states.length === 0) {
      // Reserved, but every write turned out to be a no-op: the sequence stays free.
      await this.saveHead({ ...this.head, reservedSequence: null, reservedAt: null });
    } else {
      await this.writer.publishKey();
      const input = { target: this.target, sequence, previousHash: this.head.lastHash, createdAt: toIso(this.clock.now()), records: states };
      const encoded = await encodeEvidenceObject(input, signer);
      await store.putObject(objectKey(prefix, this.target, sequence), encoded.bytes);
      await this.closeHead(sequence, encoded.objectHash, signer.keyId);
      this.counts.objects++;
      this.counts.states += states.length;
    }
    await ledger.clearJournal(this.scope, sequence);
  }

  private async closeHead(sequence: number, objectHash: string, keyId: string): Promise<void> {
    await this.saveHead({ ...this.head, lastSequence: sequence, lastHash: objectHash, keyId, reservedSequence: null, reservedAt: null });
  }

  private async saveHead(next: EvidenceChainHead): Promise<void> {
    const saved = { ...next, version: this.head.version + 1 };
    if (!(await this.writer.options.ledger.saveChainHead(this.scope, saved, this.head.version))) {
      throw new EvidenceChainConflictError(`the evidence chain head of ${this.target} changed under this sweep`);
    }
    this.head = saved;
  }
}
