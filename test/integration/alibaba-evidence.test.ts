/**
 * Evidence for an Alibaba Cloud target: its sweep runs under the same target-level hook as an SSM
 * one, so every state it stores (sessions archived open, then their endings) lands in the
 * target's signed chain, and every record points at the object that holds its state. The chain is
 * read back with the test's own reader (test/support/evidence-chain.ts), not the product's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionRecordFromItem } from '../../lambdas/adapters/dynamodb/archive-items';
import { DynamoEvidenceLedger } from '../../lambdas/adapters/dynamodb/dynamodb-evidence-ledger';
import { FolderEvidenceStore } from '../../lambdas/adapters/local/folder-evidence-store';
import { KeyFileSigner } from '../../lambdas/adapters/local/key-file-signer';
import { classifyTargetFailure } from '../../lambdas/adapters/aws/target-failures';
import { EvidenceWriter } from '../../lambdas/core/evidence/writer';
import { scopeKey } from '../../lambdas/core/session/session';
import { sweepTarget } from '../../lambdas/core/sweep/target-sweep';
import { isOpenAt } from '../../local/emulators/alibaba';
import { startAlibabaSweepRig, type AlibabaSweepRig } from '../support/alibaba-sweep-rig';
import { chainProblems, readTarget, stateHash, statesInChain } from '../support/evidence-chain';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2, 12);

describe('evidence of an Alibaba target', () => {
  let rig: AlibabaSweepRig | undefined;
  let folder: string | undefined;
  afterEach(async () => {
    await rig?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('chains a signed object per storing sweep, holding every state, and records point into it', async () => {
    rig = await startAlibabaSweepRig(T0);
    folder = mkdtempSync(join(tmpdir(), 'alibaba-evidence-'));
    const evidence = join(folder, 'evidence');
    const writer = new EvidenceWriter({ signer: KeyFileSigner.open(join(folder, 'key.pem')), store: new FolderEvidenceStore(evidence), prefix: '', ledger: new DynamoEvidenceLedger(rig.documents, rig.tableName) });
    const current = rig;
    const sweep = () => sweepTarget(current.source.scope, { store: current.store, clock: current.clock, evidence: writer, openSource: async () => current.source, classify: classifyTargetFailure });
    rig.emulator.generateSessions({ count: 250, seed: 41, fromMs: T0 - 3 * DAY, toMs: T0, openFraction: 0.1 });
    const target = scopeKey(rig.source.scope);

    await sweep();
    const wireAt = (atMs: number) => new Map(current.emulator.allSessions().map((session) => [session.sessionId, JSON.stringify(current.emulator.toWire(session, atMs))]));
    const firstShown = wireAt(rig.emulator.alibabaNow());
    expect(rig.emulator.allSessions().filter((session) => isOpenAt(session, current.emulator.alibabaNow())).length).toBeGreaterThan(0);
    // Every open connection ends; the next sweep stores those endings as new states.
    rig.clock.advance(DAY);
    for (const session of rig.emulator.allSessions()) if (isOpenAt(session, rig.emulator.alibabaNow())) rig.emulator.disconnect(session.sessionId, { atMs: rig.emulator.alibabaNow() });
    const secondShown = wireAt(rig.emulator.alibabaNow());
    await sweep();
    // Nothing new: no object.
    rig.clock.advance(DAY / 96);
    await sweep();

    expect(chainProblems(evidence, target)).toEqual([]);
    expect(readTarget(evidence, target).map((object) => object.header.sequence)).toEqual([1, 2]);
    const chain = statesInChain(evidence, target);
    const records = (await rig.archived()).map((item) => sessionRecordFromItem(item as unknown as Record<string, unknown>));
    expect(records).toHaveLength(250);
    for (const record of records) {
      expect(record.source).toBe('alibaba');
      const hash = stateHash(record);
      expect(record.evidenceHash, record.sessionId).toBe(hash);
      expect(chain.get(`${record.sessionId}#${hash}`), record.sessionId).toBe(record.evidenceSequence);
    }
    // The second object holds exactly the sessions whose record the source showed changed between the two sweeps.
    const changed = [...secondShown].filter(([id, wire]) => firstShown.get(id) !== wire).map(([id]) => id);
    expect(changed.length).toBeGreaterThan(0);
    expect(readTarget(evidence, target)[1]?.states.map((state) => String(state.record.sessionId)).sort()).toEqual(changed.sort());
  });
});
