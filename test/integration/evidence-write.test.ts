/**
 * Evidence as the sweep writes it: the real sweep (through `sweepTarget`, as the sweeper and the
 * local fan-out run it) against the SSM emulator and dynalite over HTTP, signing with a key file
 * and writing to a folder. The chain is read back independently (test/support/evidence-chain.ts).
 * Ground truth for "every stored state" is what the DynamoDB store reported it wrote, recorded
 * under the evidence layer; for records, a Scan of the table.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionRecordFromItem } from '../../lambdas/adapters/dynamodb/archive-items';
import { DynamoEvidenceLedger } from '../../lambdas/adapters/dynamodb/dynamodb-evidence-ledger';
import { FolderEvidenceStore } from '../../lambdas/adapters/local/folder-evidence-store';
import { KeyFileSigner } from '../../lambdas/adapters/local/key-file-signer';
import { classifyTargetFailure } from '../../lambdas/adapters/aws/target-failures';
import type { EvidenceStore } from '../../lambdas/core/evidence/ports';
import { evidenceRecordingStore } from '../../lambdas/core/evidence/recording-store';
import { EvidenceWriter } from '../../lambdas/core/evidence/writer';
import { DETAIL_TYPE, type ArchiveEvent } from '../../lambdas/core/events/event-types';
import type { EventSink } from '../../lambdas/core/events/ports';
import type { ArchiveStore, SessionSource } from '../../lambdas/core/sweep/ports';
import { scopeKey, type SessionRecord } from '../../lambdas/core/session/session';
import type { SweepSummary } from '../../lambdas/core/sweep/sweep';
import { sweepTarget } from '../../lambdas/core/sweep/target-sweep';
import { DAY_MS, HOUR_MS } from '../../lambdas/core/shared/time';
import { chainProblems, readTarget, stateHash, statesInChain } from '../support/evidence-chain';
import { delegate, dyingAfter, KilledError, storeDyingAt } from '../support/killers';
import { diffArchive, startSweepRig, type SweepRig } from '../support/sweep-harness';

const t0 = Date.UTC(2026, 4, 1);

/** An evidence store that can be killed: while dead every call fails, as in a dead process. */
class KillableEvidenceStore implements EvidenceStore {
  dead = false;
  /** Dies right after its next object put lands (the head is then not moved). */
  dieAfterNextObject = false;
  constructor(private readonly inner: EvidenceStore) {}
  async putObject(key: string, body: Uint8Array): Promise<void> {
    if (this.dead) throw new KilledError('evidence store dead');
    await this.inner.putObject(key, body);
    if (this.dieAfterNextObject && key.endsWith('.jsonl.gz')) {
      this.dead = true;
      throw new KilledError('killed after writing the object');
    }
  }
  async getObject(key: string): Promise<Uint8Array | undefined> {
    if (this.dead) throw new KilledError('evidence store dead');
    return this.inner.getObject(key);
  }
  listKeys(prefix: string): AsyncIterable<string> {
    return this.inner.listKeys(prefix);
  }
}

interface EvidenceRig {
  rig: SweepRig;
  folder: string;
  target: string;
  evidenceStore: KillableEvidenceStore;
  /** `<sessionId>#<hash>` of every state the DynamoDB store reported written. */
  written: Set<string>;
  /** Session Archived events published, each with whether its evidence object existed at that moment. */
  announced: { state: string; evidenceExisted: boolean }[];
  /** A new writer, as a new process would open it (optionally with another key file, or a smaller object bound). */
  writer(keyFile?: string, maxStatesPerObject?: number): EvidenceWriter;
  sweep(options?: { source?: SessionSource; store?: (store: ArchiveStore) => ArchiveStore; writer?: EvidenceWriter }): Promise<SweepSummary>;
  records(): Promise<SessionRecord[]>;
  close(): Promise<void>;
}

async function startEvidenceRig(): Promise<EvidenceRig> {
  const rig = await startSweepRig({ startMs: t0 });
  const folder = mkdtempSync(join(tmpdir(), 'evidence-'));
  const evidenceStore = new KillableEvidenceStore(new FolderEvidenceStore(join(folder, 'evidence')));
  const documents = DynamoDBDocumentClient.from(rig.dynamo);
  const source = rig.source();
  const target = scopeKey(source.scope);
  const written = new Set<string>();
  const announced: EvidenceRig['announced'] = [];
  const recording: ArchiveStore = {
    ...delegate(rig.store),
    archiveSessions: async (scope, sessions, now, options) => {
      const outcome = await rig.store.archiveSessions(scope, sessions, now, options);
      for (const record of outcome.written) written.add(`${record.sessionId}#${stateHash(record)}`);
      return outcome;
    },
  };
  const sink: EventSink = {
    publish: async (events: readonly ArchiveEvent[]) => {
      const chain = statesInChain(join(folder, 'evidence'), target);
      for (const event of events) {
        if (event.detailType !== DETAIL_TYPE.sessionArchived) continue;
        const session = (event.detail as unknown as { session: SessionRecord }).session;
        const state = `${session.sessionId}#${stateHash(session)}`;
        announced.push({ state, evidenceExisted: chain.has(state) });
      }
    },
  };
  const writer = (keyFile = 'evidence-key.pem', maxStatesPerObject?: number) =>
    new EvidenceWriter({ signer: KeyFileSigner.open(join(folder, keyFile)), store: evidenceStore, prefix: '', ledger: new DynamoEvidenceLedger(documents, rig.tableName), maxStatesPerObject });
  let current = writer();
  return {
    rig,
    folder: join(folder, 'evidence'),
    target,
    evidenceStore,
    written,
    announced,
    writer,
    sweep: async (options = {}) => {
      if (options.writer) current = options.writer;
      const store = options.store ? options.store(recording) : recording;
      const result = await sweepTarget(source.scope, { store, clock: rig.clock, events: sink, evidence: current, openSource: async () => options.source ?? source, classify: classifyTargetFailure });
      if (result.status !== 'swept') throw new Error('target busy');
      return result.summary;
    },
    // The records as the API serves them (the table's items minus its keys and bookkeeping).
    records: async () => (await rig.archived()).map((item) => sessionRecordFromItem(item as unknown as Record<string, unknown>)),
    close: async () => {
      await rig.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** The chain is whole, holds every state the store wrote, and every record's state where it says. */
async function expectEvidenceComplete(e: EvidenceRig): Promise<void> {
  expect(chainProblems(e.folder, e.target)).toEqual([]);
  const chain = statesInChain(e.folder, e.target);
  expect([...e.written].filter((state) => !chain.has(state))).toEqual([]);
  for (const record of await e.records()) {
    const hash = stateHash(record);
    expect(record.evidenceHash, record.sessionId).toBe(hash);
    expect(chain.get(`${record.sessionId}#${hash}`), record.sessionId).toBe(record.evidenceSequence);
  }
  expect(e.announced.filter((event) => !event.evidenceExisted)).toEqual([]);
}

describe('evidence of every stored state', () => {
  let e: EvidenceRig | undefined;
  afterEach(async () => {
    await e?.close();
    e = undefined;
  });

  it('one chained, signed object per sweep that stores states; none for a sweep that stores nothing', async () => {
    e = await startEvidenceRig();
    e.rig.emulator.generateSessions({ count: 120, seed: 7, fromMs: t0 - 10 * DAY_MS, toMs: t0 + DAY_MS, openFraction: 0.2 });
    const summaries: SweepSummary[] = [];
    for (let hours = 0; hours <= 36; hours += 12) {
      e.rig.clock.set(t0 + hours * HOUR_MS);
      summaries.push(await e.sweep());
    }
    expect(await diffArchive(e.rig)).toEqual([]);
    const objects = readTarget(e.folder, e.target);
    const storing = summaries.filter((summary) => summary.written > 0);
    expect(storing.length).toBeGreaterThan(1);
    expect(objects).toHaveLength(storing.length);
    expect(objects.map((object) => object.header.count)).toEqual(storing.map((summary) => summary.written));
    expect(summaries.map((summary) => summary.evidence?.objects ?? 0)).toEqual(summaries.map((summary) => (summary.written > 0 ? 1 : 0)));
    // Sessions that ended between sweeps were stored twice: open, then final; both states are kept.
    expect(e.written.size).toBeGreaterThan((await e.records()).length);
    expect(e.announced.length).toBe(e.written.size);
    await expectEvidenceComplete(e);

    // Nothing changed (same instant): no object, no new link.
    const before = readdirSync(join(e.folder, e.target));
    const unchanged = await e.sweep();
    expect(unchanged.written).toBe(0);
    expect(unchanged.evidence).toEqual({ objects: 0, states: 0, recovered: 0 });
    expect(readdirSync(join(e.folder, e.target))).toEqual(before);
    // The key file is the owner's alone.
    expect(statSync(join(e.folder, '..', 'evidence-key.pem')).mode & 0o777).toBe(0o600);
  });

  it('a sweep killed before it wrote its object: nothing is announced, the next sweep writes it first', async () => {
    e = await startEvidenceRig();
    e.rig.emulator.generateSessions({ count: 90, seed: 11, fromMs: t0 - 10 * DAY_MS, toMs: t0, openFraction: 0.1 });
    e.evidenceStore.dead = true;
    await expect(e.sweep()).rejects.toThrow(/evidence store dead/);
    expect(e.written.size).toBeGreaterThan(0);
    expect(e.announced).toEqual([]);
    expect(readTarget(e.folder, e.target)).toEqual([]);

    e.evidenceStore.dead = false;
    e.rig.clock.advance(HOUR_MS);
    const next = await e.sweep({ writer: e.writer() });
    expect(next.evidence?.recovered).toBe(e.written.size - next.written);
    expect(e.announced.length).toBe(e.written.size);
    await expectEvidenceComplete(e);
  });

  it('a sweep killed after its object was written but before the chain head moved: the next one adopts it', async () => {
    e = await startEvidenceRig();
    e.rig.emulator.generateSessions({ count: 60, seed: 12, fromMs: t0 - 5 * DAY_MS, toMs: t0, openFraction: 0.3 });
    e.evidenceStore.dieAfterNextObject = true;
    await expect(e.sweep()).rejects.toThrow(/killed after writing the object/);
    expect(readTarget(e.folder, e.target)).toHaveLength(1);

    e.evidenceStore.dead = false;
    e.evidenceStore.dieAfterNextObject = false;
    e.rig.clock.advance(DAY_MS);
    const next = await e.sweep({ writer: e.writer() });
    expect(next.written).toBeGreaterThan(0);
    expect(readTarget(e.folder, e.target)).toHaveLength(2);
    await expectEvidenceComplete(e);
  });

  it('killed half-way through a page and between pages, at every point: the chain stays whole', async () => {
    let kills = 0;
    for (let k = 0; k < 6; k++) {
      e = await startEvidenceRig();
      // Over 200 sessions: DescribeSessions pages hold 200, so there is more than one page to die between.
      e.rig.emulator.generateSessions({ count: 260, seed: 20 + k, fromMs: t0 - 20 * DAY_MS, toMs: t0, openFraction: 0.1 });
      // Odd k: the store dies mid-page and the evidence store with it (a dead process); even k: the
      // source dies between pages and the sweep seals what it stored on its way out.
      const dying = k % 2 === 1;
      e.evidenceStore.dead = false;
      const killed = dying
        ? e.sweep({ store: (store) => storeDyingAt(store, Math.floor(k / 2)) }).catch((error: unknown) => error)
        : e.sweep({ source: dyingAfter(e.rig.source(), Math.floor(k / 2)) }).catch((error: unknown) => error);
      if (dying) e.evidenceStore.dead = true;
      const error = await killed;
      expect(String(error)).toMatch(/killed/);
      kills++;
      e.evidenceStore.dead = false;
      e.rig.clock.advance(HOUR_MS);
      const storedBeforeKill = e.written.size;
      const next = await e.sweep({ writer: e.writer() });
      expect(next.complete).toBe(true);
      // The dead process left its states to the next sweep; the dying source's sweep sealed its own.
      if (dying) expect(next.evidence?.recovered).toBe(storedBeforeKill);
      else expect(next.evidence?.recovered).toBe(0);
      expect(await diffArchive(e.rig)).toEqual([]);
      await expectEvidenceComplete(e);
      await e.close();
      e = undefined;
    }
    expect(kills).toBe(6);
  });

  it('an open session given up on (ended unobserved) is a new state with its evidence', async () => {
    e = await startEvidenceRig();
    e.rig.emulator.generateSessions({ count: 40, seed: 31, fromMs: t0 - 2 * DAY_MS, toMs: t0, openFraction: 0.5 });
    await e.sweep();
    const open = (await e.records()).find((record) => record.endDate === undefined);
    expect(open).toBeDefined();
    const scope = e.rig.source().scope;
    const evidence = await e.writer().forTarget(scope, e.rig.clock, { info: () => undefined, warn: () => undefined });
    const flagged = await evidenceRecordingStore(e.rig.store, evidence).markEndedUnobserved(scope, open?.sessionId ?? '', new Date(e.rig.clock.now()).toISOString(), t0);
    await evidence.seal();
    expect(flagged?.endedUnobservedAt).toBeDefined();
    const [, second] = readTarget(e.folder, e.target);
    expect(second.states.map((state) => state.record)).toEqual([{ ...open, endedUnobservedAt: flagged?.endedUnobservedAt, evidenceHash: undefined, evidenceSequence: undefined }].map((record) => JSON.parse(JSON.stringify(record)) as unknown));
    await expectEvidenceComplete(e);
  });

  it('a sweep that stores more than an object may hold writes several, chained', async () => {
    e = await startEvidenceRig();
    // 260 sessions in pages of up to 200; objects bounded at 50 states (plus the page that crosses it).
    e.rig.emulator.generateSessions({ count: 260, seed: 40, fromMs: t0 - 10 * DAY_MS, toMs: t0 - DAY_MS });
    const summary = await e.sweep({ writer: e.writer(undefined, 50) });
    expect(summary.written).toBe(260);
    // Sealed at the first write after 50 states: every object but the last holds 50 or more.
    const counts = readTarget(e.folder, e.target).map((object) => Number(object.header.count));
    expect(counts.length).toBeGreaterThan(1);
    expect(counts.slice(0, -1).every((count) => count >= 50)).toBe(true);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(260);
    expect(summary.evidence).toEqual({ objects: counts.length, states: 260, recovered: 0 });
    await expectEvidenceComplete(e);
  });

  it('a new key signs the next object and the chain goes on', async () => {
    e = await startEvidenceRig();
    e.rig.emulator.generateSessions({ count: 50, seed: 30, fromMs: t0 - 3 * DAY_MS, toMs: t0 + DAY_MS, openFraction: 0.3 });
    const first = e.writer();
    await e.sweep({ writer: first });
    const second = e.writer('rotated-key.pem');
    e.rig.clock.advance(DAY_MS);
    await e.sweep({ writer: second });
    const objects = readTarget(e.folder, e.target);
    expect(objects.map((object) => object.header.keyId)).toEqual([first.options.signer.keyId, second.options.signer.keyId]);
    expect(first.options.signer.keyId).not.toBe(second.options.signer.keyId);
    await expectEvidenceComplete(e);
  });
});
