import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FolderEvidenceStore } from '../../lambdas/adapters/local/folder-evidence-store';
import { EvidenceKeyFileError, KeyFileSigner } from '../../lambdas/adapters/local/key-file-signer';
import { EvidenceObjectExistsError } from '../../lambdas/core/evidence/ports';

const root = mkdtempSync(join(tmpdir(), 'evidence-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('key file signer', () => {
  it('creates a P-256 key readable by its owner only, and opens the same key again', async () => {
    const path = join(root, 'key.pem');
    const signer = KeyFileSigner.open(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(signer.keyId).toMatch(/^local-[0-9a-f]{16}$/);
    expect(KeyFileSigner.open(path).keyId).toBe(signer.keyId);
    const message = Buffer.from('header and states\n');
    const signature = await signer.sign(message);
    expect(verify('sha256', message, createPublicKey(await signer.publicKeyPem()), signature)).toBe(true);
    expect(verify('sha256', Buffer.from('other\n'), createPublicKey(await signer.publicKeyPem()), signature)).toBe(false);
  });

  it('refuses a file that is not an ECDSA P-256 private key, naming it', () => {
    const path = join(root, 'not-a-key.pem');
    writeFileSync(path, 'hello');
    expect(() => KeyFileSigner.open(path)).toThrow(EvidenceKeyFileError);
    expect(() => KeyFileSigner.open(path)).toThrow(/not-a-key.pem is not a PEM private key/);
  });
});

describe('folder evidence store', () => {
  const store = new FolderEvidenceStore(join(root, 'evidence'));

  it('stores, reads back, and never overwrites', async () => {
    await store.putObject('ssm#1#r/000000000001.jsonl.gz', Buffer.from('one'));
    await expect(store.putObject('ssm#1#r/000000000001.jsonl.gz', Buffer.from('two'))).rejects.toThrow(EvidenceObjectExistsError);
    expect(Buffer.from((await store.getObject('ssm#1#r/000000000001.jsonl.gz')) ?? []).toString()).toBe('one');
    expect(readFileSync(join(root, 'evidence', 'ssm#1#r', '000000000001.jsonl.gz'), 'utf8')).toBe('one');
    expect(await store.getObject('ssm#1#r/000000000002.jsonl.gz')).toBeUndefined();
  });

  it('lists keys under a prefix in ascending order, without temporary files', async () => {
    await store.putObject('ssm#1#r/000000000010.jsonl.gz', Buffer.from('ten'));
    await store.putObject('ssm#1#r/000000000002.jsonl.gz', Buffer.from('two'));
    await store.putObject('keys/local-0a.pem', Buffer.from('key'));
    writeFileSync(join(root, 'evidence', 'ssm#1#r', '.tmp-left-by-a-crash'), 'x');
    const keys: string[] = [];
    for await (const key of store.listKeys('ssm#1#r/')) keys.push(key);
    expect(keys).toEqual(['ssm#1#r/000000000001.jsonl.gz', 'ssm#1#r/000000000002.jsonl.gz', 'ssm#1#r/000000000010.jsonl.gz']);
  });

  it('refuses keys that would leave its folder', async () => {
    for (const key of ['../outside', '/etc/passwd', 'a//b', 'ssm#1#r/../../x']) {
      await expect(store.putObject(key, Buffer.from('x'))).rejects.toThrow(/not a safe path/);
    }
  });
});
