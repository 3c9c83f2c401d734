/**
 * docs/evidence.md's "Verify without our code" works as written: its Python and openssl snippets,
 * taken from the page, run with python3, openssl and a shell on objects the product signed, pass
 * on an untouched chain and fail on an altered one; the page's canonical example is what both the
 * product and Python produce.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderEvidenceStore } from '../../lambdas/adapters/local/folder-evidence-store';
import { KeyFileSigner } from '../../lambdas/adapters/local/key-file-signer';
import { canonicalJson } from '../../lambdas/core/evidence/canonical';
import { objectKey, publicKeyKey } from '../../lambdas/core/evidence/layout';
import { encodeEvidenceObject } from '../../lambdas/core/evidence/object-format';
import type { SessionRecord } from '../../lambdas/core/session/session';

const page = readFileSync(join(__dirname, '..', '..', 'docs', 'evidence.md'), 'utf8');
const snippet = (name: string): string => {
  const match = new RegExp(`<!-- snippet: ${name} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(page);
  if (!match) throw new Error(`docs/evidence.md has no snippet ${name}`);
  return match[1];
};

const target = 'ssm#123456789012#eu-west-1';
const root = mkdtempSync(join(tmpdir(), 'evidence-docs-'));
const folder = join(root, 'evidence');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const record = (n: number, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  sessionId: `ana-${n}`,
  target: 'i-0123456789abcdef0',
  status: 'Terminated',
  startDate: `2026-11-0${n}T10:00:00.000Z`,
  endDate: `2026-11-0${n}T11:00:00.000Z`,
  owner: 'arn:aws:iam::123456789012:user/ana',
  reason: 'fix "prod"\n\ttab, ümlaut, 日本',
  outputUrl: { s3OutputUrl: 's3://logs/ana', cloudWatchOutputUrl: '' },
  source: 'ssm',
  accountId: '123456789012',
  region: 'eu-west-1',
  firstArchivedAt: `2026-11-0${n}T10:01:00.000Z`,
  lastSeenAt: `2026-11-0${n}T11:01:00.000Z`,
  ...extra,
});

async function writeChain(): Promise<string[]> {
  const signer = KeyFileSigner.open(join(root, 'key.pem'));
  const store = new FolderEvidenceStore(folder);
  await store.putObject(publicKeyKey('', signer.keyId), Buffer.from(await signer.publicKeyPem()));
  const hashes: string[] = [];
  let previousHash: string | null = null;
  for (let sequence = 1; sequence <= 3; sequence++) {
    const records = [record(sequence), record(sequence + 3, { status: 'Connected', endDate: undefined })];
    const encoded = await encodeEvidenceObject({ target, sequence, previousHash, createdAt: '2026-11-09T00:00:00.000Z', records }, signer);
    await store.putObject(objectKey('', target, sequence), encoded.bytes);
    previousHash = encoded.objectHash;
    hashes.push(encoded.objectHash);
  }
  return hashes;
}

const runPython = (evidence: string) => spawnSync('python3', ['-c', snippet('verify-python'), evidence], { encoding: 'utf8' });

describe('verifying evidence as docs/evidence.md shows', () => {
  let hashes: string[] = [];
  beforeAll(async () => {
    hashes = await writeChain();
  });

  it('the Python snippet passes an untouched chain and names an altered object', () => {
    const ok = runPython(folder);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(`${target}: 3 objects OK\n`);

    // Object 2 altered: a state's status changed after signing.
    const path = join(folder, target, '000000000002.jsonl.gz');
    const original = readFileSync(path);
    writeFileSync(path, gzipSync(gunzipSync(original).toString('utf8').replace('"status":"Terminated"', '"status":"Failed"')));
    const altered = runPython(folder);
    expect(altered.status).not.toBe(0);
    expect(altered.stderr).toContain('000000000002.jsonl.gz: altered');
    writeFileSync(path, original);

    // Object 2 removed: object 3 no longer links.
    rmSync(path);
    const removed = runPython(folder);
    expect(removed.status).not.toBe(0);
    expect(removed.stderr).toMatch(/000000000003\.jsonl\.gz: sequence/);
    writeFileSync(path, original);
  });

  it('the openssl commands check one object: its hash and its signature', () => {
    const work = join(root, 'openssl');
    execFileSync('mkdir', ['-p', work]);
    copyFileSync(join(folder, target, '000000000001.jsonl.gz'), join(work, '000000000001.jsonl.gz'));
    const keyId = JSON.parse(gunzipSync(readFileSync(join(work, '000000000001.jsonl.gz'))).toString('utf8').split('\n')[0]) as { keyId: string };
    copyFileSync(join(folder, 'keys', `${keyId.keyId}.pem`), join(work, 'key.pem'));
    const result = spawnSync('bash', ['-e', '-c', snippet('verify-openssl')], { cwd: work, encoding: 'utf8' });
    expect(result.status).toBe(0);
    const trailer = JSON.parse(readFileSync(join(work, 'object.jsonl'), 'utf8').trim().split('\n').pop() ?? '{}') as { objectHash: string };
    expect(result.stdout).toContain(`${trailer.objectHash}  body.jsonl`);
    expect(result.stdout).toContain('Verified OK');
    expect(trailer.objectHash).toBe(hashes[0]);
  });

  it('the canonical example on the page is what the product and Python write', () => {
    const [example, canonical] = [...page.matchAll(/```json\n(.*)\n```/g)].map((match) => match[1]);
    const parsed = JSON.parse(example) as Record<string, string>;
    expect(canonicalJson(parsed)).toBe(canonical);
    const python = spawnSync('python3', ['-c', 'import json,sys; sys.stdout.write(json.dumps(json.load(sys.stdin), sort_keys=True, separators=(",", ":"), ensure_ascii=False))'], {
      input: example,
      encoding: 'utf8',
    });
    expect(python.stdout).toBe(canonical);
    // And for the awkward strings of the chain's records (quotes, newline, tab, non-ASCII).
    const awkward = record(1) as unknown as Record<string, string>;
    const fromPython = spawnSync('python3', ['-c', 'import json,sys; sys.stdout.write(json.dumps(json.load(sys.stdin), sort_keys=True, separators=(",", ":"), ensure_ascii=False))'], {
      input: JSON.stringify(awkward),
      encoding: 'utf8',
    });
    expect(fromPython.stdout).toBe(canonicalJson(awkward));
  });
});
