/**
 * `session-archive verify` and `restore` as processes, the way an auditor runs them, against an
 * archive made by the real sweep (SSM emulator, dynalite over HTTP, evidence signed with a key
 * file into a folder) and served by the local query API. Each tampering is its own case and is
 * undone after it (the evidence is tampered in a copy): verify must exit non-zero and name exactly
 * what the test changed — the ground truth is the change itself, never verify's own rules.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEvidenceLedger } from '../../lambdas/adapters/dynamodb/dynamodb-evidence-ledger';
import { FolderEvidenceStore } from '../../lambdas/adapters/local/folder-evidence-store';
import { KeyFileSigner } from '../../lambdas/adapters/local/key-file-signer';
import { classifyTargetFailure } from '../../lambdas/adapters/aws/target-failures';
import { EvidenceWriter } from '../../lambdas/core/evidence/writer';
import { scopeKey, type SessionRecord } from '../../lambdas/core/session/session';
import { sweepTarget } from '../../lambdas/core/sweep/target-sweep';
import { DAY_MS, HOUR_MS } from '../../lambdas/core/shared/time';
import { startApiService } from '../../local/api-service';
import type { LocalApiServer } from '../../local/api-server';
import { runCli } from '../support/cli-process';
import { REGION, startSweepRig, type SweepRig } from '../support/sweep-harness';

const t0 = Date.UTC(2026, 4, 1);
/** Small objects, so one archive has a chain of many links to tamper with. */
const STATES_PER_OBJECT = 40;

interface Finding {
  kind: string;
  target: string;
  sessionId?: string;
  sequence?: number;
}

let rig: SweepRig;
let folder: string;
let evidence: string;
let target: string;
let api: LocalApiServer;
let documents: DynamoDBDocumentClient;
let keyId: string;
let records: SessionRecord[];

beforeAll(async () => {
  rig = await startSweepRig({ startMs: t0 });
  folder = mkdtempSync(join(tmpdir(), 'evidence-verify-'));
  evidence = join(folder, 'evidence');
  documents = DynamoDBDocumentClient.from(rig.dynamo);
  const signer = KeyFileSigner.open(join(folder, 'evidence-key.pem'));
  keyId = signer.keyId;
  const writer = new EvidenceWriter({ signer, store: new FolderEvidenceStore(evidence), prefix: '', ledger: new DynamoEvidenceLedger(documents, rig.tableName), maxStatesPerObject: STATES_PER_OBJECT });
  const source = rig.source();
  target = scopeKey(source.scope);
  rig.emulator.generateSessions({ count: 300, seed: 15, fromMs: t0 - 10 * DAY_MS, toMs: t0 + 2 * DAY_MS, openFraction: 0.2 });
  // Several sweeps: sessions end between them, so many records have an older state in an earlier object.
  for (let hours = 0; hours <= 48; hours += 12) {
    rig.clock.set(t0 + hours * HOUR_MS);
    const result = await sweepTarget(source.scope, { store: rig.store, clock: rig.clock, evidence: writer, openSource: async () => source, classify: classifyTargetFailure });
    if (result.status !== 'swept') throw new Error('target busy');
  }
  api = await startApiService({ table: rig.tableName, dynamodbEndpoint: rig.storeEndpoint, port: 0, host: '127.0.0.1', region: REGION });
  records = (await rig.archived()) as SessionRecord[];
}, 300_000);

afterAll(async () => {
  await api?.close();
  await rig?.close();
  rmSync(folder, { recursive: true, force: true });
});

const objectFile = (root: string, sequence: number) => join(root, target, `${String(sequence).padStart(12, '0')}.jsonl.gz`);

async function verify(args: string[] = [], evidenceFolder = evidence): Promise<{ code: number | null; findings: Finding[]; stderr: string; report: Record<string, unknown> }> {
  const result = await runCli(['verify', '--api', api.url, '--evidence', evidenceFolder, '--json', ...args]);
  const report = JSON.parse(result.stdout || '{}') as { findings?: Finding[] } & Record<string, unknown>;
  const findings = (report.findings ?? []).map(({ kind, target: t, sessionId, sequence }) => ({ kind, target: t, ...(sessionId ? { sessionId } : {}), ...(sequence ? { sequence } : {}) }));
  return { code: result.code, findings, stderr: result.stderr, report };
}

/** A copy of the evidence folder to tamper with. */
function evidenceCopy(): string {
  const copy = mkdtempSync(join(folder, 'copy-'));
  cpSync(evidence, copy, { recursive: true });
  return copy;
}

/** Rewrites one object's decompressed text. */
function rewriteObject(root: string, sequence: number, change: (text: string) => string): void {
  const file = objectFile(root, sequence);
  writeFileSync(file, gzipSync(Buffer.from(change(gunzipSync(readFileSync(file)).toString('utf8')), 'utf8')));
}

/** Header and state lines re-signed (and hashed) as a forger with another key would. */
function reSign(text: string, privateKey: Parameters<typeof sign>[2], changeHeader: (header: Record<string, unknown>) => void = () => undefined): string {
  const lines = text.split('\n').slice(0, -1);
  const header = JSON.parse(lines[0] as string) as Record<string, unknown>;
  changeHeader(header);
  const body = `${[JSON.stringify(header), ...lines.slice(1, -1)].join('\n')}\n`;
  const trailer = JSON.parse(lines.at(-1) as string) as Record<string, unknown>;
  trailer.objectHash = createHash('sha256').update(body).digest('hex');
  trailer.signature = sign('sha256', Buffer.from(body), privateKey).toString('base64');
  return `${body}${JSON.stringify(trailer)}\n`;
}

/** Runs `tamper` on the table item of `sessionId`, and puts the original back afterwards. */
async function withTableChange(sessionId: string, tamper: (key: Record<string, unknown>) => Promise<void>, run: () => Promise<void>): Promise<void> {
  const key = { pk: `SESSION#${sessionId}`, sk: target };
  const original = (await documents.send(new GetCommand({ TableName: rig.tableName, Key: key }))).Item;
  expect(original).toBeDefined();
  try {
    await tamper(key);
    await run();
  } finally {
    await documents.send(new PutCommand({ TableName: rig.tableName, Item: original }));
  }
}

describe('session-archive verify', () => {
  it('passes on the untouched archive: every record evidenced, every chain whole', async () => {
    const objects = readdirSync(join(evidence, target)).filter((name) => name.endsWith('.jsonl.gz'));
    // The cases below tamper with objects 2 to 6.
    expect(objects.length).toBeGreaterThanOrEqual(6);
    const { code, findings, report, stderr } = await verify();
    expect(findings).toEqual([]);
    expect(code).toBe(0);
    expect(report.records).toBe(records.length);
    expect(report.evidenceObjects).toBe(objects.length);
    expect(stderr).toMatch(/all holds/);
  });

  it('names a record whose field was changed directly in the table', async () => {
    const victim = records[17] as SessionRecord;
    await withTableChange(
      victim.sessionId,
      async (key) => {
        await documents.send(new UpdateCommand({ TableName: rig.tableName, Key: key, UpdateExpression: 'SET #owner = :owner', ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':owner': 'arn:aws:iam::123456789012:user/someone-else' } }));
      },
      async () => {
        const { code, findings } = await verify();
        expect(findings).toEqual([{ kind: 'changed', target, sessionId: victim.sessionId }]);
        expect(code).toBe(3);
      },
    );
  });

  it('names a record deleted from the table', async () => {
    const victim = records[42] as SessionRecord;
    await withTableChange(
      victim.sessionId,
      async (key) => {
        await documents.send(new DeleteCommand({ TableName: rig.tableName, Key: key }));
      },
      async () => {
        const { code, findings } = await verify();
        expect(findings).toEqual([{ kind: 'deleted', target, sessionId: victim.sessionId }]);
        expect(code).toBe(3);
      },
    );
  });

  it('names a forged record inserted into the table', async () => {
    const model = records[5] as SessionRecord;
    const forgedId = 'forged-0123456789abcdef0';
    const original = (await documents.send(new GetCommand({ TableName: rig.tableName, Key: { pk: `SESSION#${model.sessionId}`, sk: target } }))).Item as Record<string, unknown>;
    const forged: Record<string, unknown> = { ...original, pk: `SESSION#${forgedId}`, sessionId: forgedId, startKey: `${model.startDate}#${forgedId}` };
    delete forged.evidenceHash;
    delete forged.evidenceSequence;
    await documents.send(new PutCommand({ TableName: rig.tableName, Item: forged }));
    try {
      const { code, findings } = await verify();
      expect(findings).toEqual([{ kind: 'inserted', target, sessionId: forgedId }]);
      expect(code).toBe(3);
    } finally {
      await documents.send(new DeleteCommand({ TableName: rig.tableName, Key: { pk: `SESSION#${forgedId}`, sk: target } }));
    }
  });

  it('names an evidence object whose bytes were altered', async () => {
    const copy = evidenceCopy();
    rewriteObject(copy, 3, (text) => text.replace('"status":"', '"status":"X'));
    const { code, findings } = await verify([], copy);
    expect(findings).toEqual([{ kind: 'altered', target, sequence: 3 }]);
    expect(code).toBe(3);
  });

  it('names an evidence object that was removed', async () => {
    const copy = evidenceCopy();
    unlinkSync(objectFile(copy, 4));
    const { code, findings } = await verify([], copy);
    expect(findings).toEqual([{ kind: 'missing', target, sequence: 4 }]);
    expect(code).toBe(3);
  });

  it('names both objects of a reordered pair (two objects swapped)', async () => {
    const copy = evidenceCopy();
    renameSync(objectFile(copy, 2), join(copy, 'swap'));
    renameSync(objectFile(copy, 3), objectFile(copy, 2));
    renameSync(join(copy, 'swap'), objectFile(copy, 3));
    const { code, findings } = await verify([], copy);
    expect(findings).toEqual([
      { kind: 'reordered', target, sequence: 2 },
      { kind: 'reordered', target, sequence: 3 },
    ]);
    expect(code).toBe(3);
  });

  it('names an object re-signed with another key under the same key id', async () => {
    const copy = evidenceCopy();
    const forger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    rewriteObject(copy, 5, (text) => reSign(text, forger.privateKey));
    const { code, findings } = await verify([], copy);
    expect(findings).toEqual([{ kind: 'unsigned', target, sequence: 5 }]);
    expect(code).toBe(3);
  });

  it('names an object re-signed by a forger who published their own key, when the auditor pins the real one (--key)', async () => {
    const copy = evidenceCopy();
    const forger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    rewriteObject(copy, 6, (text) => reSign(text, forger.privateKey, (header) => (header.keyId = 'forger')));
    writeFileSync(join(copy, 'keys', 'forger.pem'), forger.publicKey.export({ type: 'spki', format: 'pem' }));
    const pinned = join(folder, `${keyId}.pem`);
    cpSync(join(evidence, 'keys', `${keyId}.pem`), pinned);
    const { code, findings } = await verify(['--key', pinned], copy);
    expect(findings).toEqual([{ kind: 'unknown-key', target, sequence: 6 }]);
    expect(code).toBe(3);
  });

  it('narrows the records compared with --from/--to (by start) and --target', async () => {
    const from = '2026-04-28T00:00:00.000Z';
    const to = '2026-05-01T00:00:00.000Z';
    const inRange = records.filter((record) => record.startDate >= from && record.startDate < to).length;
    const { code, report } = await verify(['--from', from, '--to', to, '--target', target]);
    expect(code).toBe(0);
    expect(report.records).toBe(inRange);
    const other = await verify(['--target', 'ssm#999999999999#eu-west-1']);
    expect(other.code).toBe(0);
    expect(other.report.records).toBe(0);
  });

  it('refuses bad flags with exit 2, and an unreachable API with exit 1, in one line each', async () => {
    const missing = await runCli(['verify', '--api', api.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--evidence is required/);
    const badTarget = await runCli(['verify', '--evidence', evidence, '--target', 'i-0123']);
    expect(badTarget.code).toBe(2);
    expect(badTarget.stderr).toMatch(/--target must be a target key/);
    const unreachable = await runCli(['verify', '--api', 'http://127.0.0.1:9', '--evidence', evidence]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/is the local stack running/);
    expect(unreachable.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('session-archive restore', () => {
  it('rebuilds a table from the evidence alone that answers the API exactly as the original', async () => {
    const table = `restored-${process.pid}`;
    const restore = await runCli(['restore', '--evidence', evidence, '--table', table, '--endpoint', rig.storeEndpoint]);
    expect(restore.stderr).toMatch(/restored \d+ sessions/);
    expect(restore.code).toBe(0);
    const restoredApi = await startApiService({ table, dynamodbEndpoint: rig.storeEndpoint, port: 0, host: '127.0.0.1', region: REGION });
    try {
      const exportOf = async (url: string) => {
        const result = await runCli(['export', '--api', url, '--format', 'jsonl', '--order', 'asc']);
        expect(result.code).toBe(0);
        return result.stdout.trim().split('\n').map((line) => JSON.parse(line) as SessionRecord);
      };
      const original = await exportOf(api.url);
      expect(original).toHaveLength(records.length);
      expect(await exportOf(restoredApi.url)).toEqual(original);
      // And the restored archive verifies against the same evidence.
      const verified = await runCli(['verify', '--api', restoredApi.url, '--evidence', evidence]);
      expect(verified.code).toBe(0);
    } finally {
      await restoredApi.close();
    }
    const again = await runCli(['restore', '--evidence', evidence, '--table', table, '--endpoint', rig.storeEndpoint]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('refuses bad flags with exit 2 and a message naming the flag, before touching any table', async () => {
    const cases: [string[], RegExp][] = [
      [['--evidence', evidence, '--endpoint', rig.storeEndpoint], /--table must be a DynamoDB table name/],
      [['--evidence', evidence, '--table', 'x', '--endpoint', rig.storeEndpoint], /--table must be a DynamoDB table name .* got 'x'/],
      [['--evidence', evidence, '--table', 'restored-bad', '--endpoint', 'ftp://127.0.0.1'], /--endpoint must be an http\(s\) URL/],
      [['--table', 'restored-bad', '--endpoint', rig.storeEndpoint], /--evidence is required/],
      [['--evidence', join(evidence, 'no-such-folder'), '--table', 'restored-bad', '--endpoint', rig.storeEndpoint], /is not a folder/],
      [['--evidence', evidence, '--table', 'restored-bad', '--endpoint', rig.storeEndpoint, '--target', 'i-0123'], /--target must be a target key/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['restore', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
