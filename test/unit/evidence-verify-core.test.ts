/**
 * The verify core on chains built here with the real object encoder and a folder store: the cases
 * the command-line tests do not reach (a chain cut at its end, a published key that is not a key),
 * the event a run publishes, and the verify function's configuration.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { FolderEvidenceStore } from '../../lambdas/adapters/local/folder-evidence-store';
import { recordHash } from '../../lambdas/core/evidence/canonical';
import { objectKey, publicKeyKey } from '../../lambdas/core/evidence/layout';
import { encodeEvidenceObject } from '../../lambdas/core/evidence/object-format';
import type { EvidenceSigner } from '../../lambdas/core/evidence/ports';
import { verifyArchive } from '../../lambdas/core/evidence/verify';
import type { ArchivedRecord, IntegrityFinding, VerifyReport } from '../../lambdas/core/evidence/verify-findings';
import { archiveIntegrityViolationDetailSchema } from '../../lambdas/core/events/detail-schemas';
import { integrityViolationEvent, MAX_LISTED_VIOLATIONS } from '../../lambdas/core/events/integrity-violation';
import type { SessionRecord } from '../../lambdas/core/session/session';
import { readVerifyConfig } from '../../lambdas/verify/config';

const TARGET = 'ssm#123456789012#eu-west-1';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer: EvidenceSigner = {
  keyId: 'unit-key',
  sign: async (bytes) => sign('sha256', bytes, privateKey),
  publicKeyPem: async () => publicKey.export({ type: 'spki', format: 'pem' }).toString(),
};

const record = (sessionId: string, status = 'Terminated'): SessionRecord => ({
  sessionId,
  target: 'i-0123456789abcdef0',
  status,
  startDate: '2026-11-01T10:00:00.000Z',
  source: 'ssm',
  accountId: '123456789012',
  region: 'eu-west-1',
  firstArchivedAt: '2026-11-01T10:01:00.000Z',
  lastSeenAt: '2026-11-01T10:01:00.000Z',
});

let folder: string | undefined;
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

/** A chain of one object per batch, signed and linked as the writer does; returns the store. */
async function chain(batches: SessionRecord[][]): Promise<FolderEvidenceStore> {
  folder = mkdtempSync(join(tmpdir(), 'verify-core-'));
  const store = new FolderEvidenceStore(folder);
  await store.putObject(publicKeyKey('', signer.keyId), Buffer.from(await signer.publicKeyPem()));
  let previousHash: string | null = null;
  for (const [index, records] of batches.entries()) {
    const encoded = await encodeEvidenceObject({ target: TARGET, sequence: index + 1, previousHash, createdAt: '2026-11-01T10:02:00.000Z', records }, signer);
    await store.putObject(objectKey('', TARGET, index + 1), encoded.bytes);
    previousHash = encoded.objectHash;
  }
  return store;
}

const served = (state: SessionRecord, sequence: number): ArchivedRecord => ({ ...state, evidenceHash: recordHash(state), evidenceSequence: sequence });

async function verify(store: FolderEvidenceStore, archive: ArchivedRecord[]): Promise<VerifyReport> {
  return verifyArchive({ store, prefix: '', filter: {}, now: () => '2026-11-02T00:00:00.000Z', records: async function* () { yield archive; } });
}

const brief = (findings: IntegrityFinding[]) => findings.map(({ kind, sessionId, sequence }) => ({ kind, ...(sessionId ? { sessionId } : {}), ...(sequence ? { sequence } : {}) }));

describe('verifyArchive', () => {
  it('holds for an archive whose records are the latest evidenced states', async () => {
    const open = record('s-1', 'Connected');
    const ended = { ...record('s-1'), lastSeenAt: '2026-11-01T11:00:00.000Z' };
    const store = await chain([[open, record('s-2')], [ended]]);
    const report = await verify(store, [served(ended, 2), served(record('s-2'), 1)]);
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ ok: true, records: 2, evidenceStates: 3, evidenceObjects: 2, chains: [{ target: TARGET, objects: 2, lastSequence: 2, keyIds: ['unit-key'] }] });
  });

  it('names a record rolled back to an older evidenced state as changed', async () => {
    const open = record('s-1', 'Connected');
    const ended = { ...record('s-1'), lastSeenAt: '2026-11-01T11:00:00.000Z' };
    const store = await chain([[open], [ended]]);
    expect(brief((await verify(store, [served(open, 1)])).findings)).toEqual([{ kind: 'changed', sessionId: 's-1' }]);
  });

  it('names a record no evidence holds as inserted, and says when it claims to predate the chain', async () => {
    // The chain began at 10:02 (its first object's createdAt).
    const store = await chain([[record('s-1')]]);
    const before = { ...record('s-0'), firstArchivedAt: '2026-10-01T09:00:00.000Z' };
    const after = { ...record('s-9'), firstArchivedAt: '2026-11-01T12:00:00.000Z' };
    const report = await verify(store, [served(record('s-1'), 1), before, after]);
    expect(brief(report.findings)).toEqual([{ kind: 'inserted', sessionId: 's-0' }, { kind: 'inserted', sessionId: 's-9' }]);
    expect(report.findings[0]?.message).toBe("the archive holds this record, but no evidence object holds any state of it; it says it was first archived at 2026-10-01T09:00:00.000Z, before this target's evidence began (2026-11-01T10:02:00.000Z): if so, it predates evidence and is evidenced once a sweep stores a new state of it");
    expect(report.findings[1]?.message).toBe('the archive holds this record, but no evidence object holds any state of it');
  });

  it('names the objects cut from the end of a chain that records still name, and not the records', async () => {
    const store = await chain([[record('s-1')], [record('s-2')]]);
    rmSync(join(folder as string, TARGET, '000000000002.jsonl.gz'));
    const report = await verify(store, [served(record('s-1'), 1), served(record('s-2'), 3)]);
    expect(brief(report.findings)).toEqual([
      { kind: 'missing', sequence: 2 },
      { kind: 'missing', sequence: 3 },
    ]);
  });

  it('treats a published key file that is not a public key as no key', async () => {
    const store = await chain([[record('s-1')]]);
    writeFileSync(join(folder as string, 'keys', 'unit-key.pem'), 'not a key');
    expect(brief((await verify(store, [served(record('s-1'), 1)])).findings)).toEqual([{ kind: 'unknown-key', sequence: 1 }]);
  });
});

describe('Archive Integrity Violation', () => {
  it('lists the first violations, counts the rest, and matches its documented schema', () => {
    const findings: IntegrityFinding[] = Array.from({ length: MAX_LISTED_VIOLATIONS + 7 }, (_, i) => ({ kind: 'changed', target: TARGET, sessionId: `s-${i}`, message: 'differs' }));
    const report: VerifyReport = { ok: false, checkedAt: '2026-11-02T03:00:00.000Z', filter: {}, chains: [], evidenceObjects: 3, evidenceStates: 70, records: 70, counts: { changed: findings.length }, findings };
    const event = integrityViolationEvent(report);
    expect(event).toMatchObject({ id: 'verify@2026-11-02T03:00:00.000Z', detailType: 'Archive Integrity Violation', time: '2026-11-02T03:00:00.000Z' });
    expect(z.safeParse(archiveIntegrityViolationDetailSchema, event.detail).error?.issues ?? []).toEqual([]);
    expect(event.detail).toMatchObject({ omitted: 7, counts: { changed: 57 } });
    expect((event.detail.violations as unknown[]).length).toBe(MAX_LISTED_VIOLATIONS);
  });
});

describe('verify function configuration', () => {
  it('names every problem at once', () => {
    expect(() => readVerifyConfig({ AWS_REGION: 'eu-west-1', EVIDENCE_PREFIX: '../x', S3_ENDPOINT: 'ftp://x' })).toThrow(
      /TABLE_NAME is required.*EVIDENCE_BUCKET is required.*EVIDENCE_PREFIX "\.\.\/x" is not a folder name.*EVENT_BUS_NAME is required.*S3_ENDPOINT must be an http\(s\) URL/,
    );
  });

  it('reads a complete configuration, with the evidence prefix by default', () => {
    expect(readVerifyConfig({ TABLE_NAME: 'archive', EVIDENCE_BUCKET: 'my-evidence', EVENT_BUS_NAME: 'session-archive', AWS_REGION: 'eu-west-1' })).toEqual({
      tableName: 'archive',
      bucket: 'my-evidence',
      prefix: 'evidence',
      eventBusName: 'session-archive',
      region: 'eu-west-1',
      serviceName: 'session-archive-verify',
    });
  });
});
