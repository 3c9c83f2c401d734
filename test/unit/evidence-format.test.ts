import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { canonicalJson, recordHash } from '../../lambdas/core/evidence/canonical';
import { decodeEvidenceObject, EvidenceFormatError, objectProblems } from '../../lambdas/core/evidence/decode';
import { objectKey, parseObjectKey, publicKeyKey, targetFolder } from '../../lambdas/core/evidence/layout';
import { encodeEvidenceObject } from '../../lambdas/core/evidence/object-format';
import type { EvidenceSigner } from '../../lambdas/core/evidence/ports';
import type { SessionRecord } from '../../lambdas/core/session/session';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer: EvidenceSigner = {
  keyId: 'test-key',
  sign: async (bytes) => sign('sha256', bytes, privateKey),
  publicKeyPem: async () => publicKey.export({ type: 'spki', format: 'pem' }).toString(),
};

const record = (sessionId: string, lastSeenAt: string, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  sessionId,
  target: 'i-0123456789abcdef0',
  status: 'Terminated',
  startDate: '2026-11-01T10:00:00.000Z',
  endDate: '2026-11-01T10:05:00.000Z',
  owner: 'arn:aws:iam::123456789012:user/ana',
  outputUrl: { s3OutputUrl: 's3://logs/ana', cloudWatchOutputUrl: '' },
  source: 'ssm',
  accountId: '123456789012',
  region: 'eu-west-1',
  firstArchivedAt: '2026-11-01T10:01:00.000Z',
  lastSeenAt,
  ...extra,
});

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

describe('canonical JSON', () => {
  it('sorts keys at every depth, drops undefined members, keeps arrays in order, adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: 'x', c: undefined, B: [3, 1, { z: true, y: null }] } })).toBe('{"a":{"B":[3,1,{"y":null,"z":true}],"d":"x"},"b":1}');
  });

  it('escapes strings as JSON.stringify does and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ s: 'é"\\\n\u0001' })).toBe('{"s":"é\\"\\\\\\n\\u0001"}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/number NaN/);
  });
});

describe('record hash', () => {
  it('is SHA-256 of the sorted, compact record, written out by hand', () => {
    const state = { sessionId: 's-1', target: 'i-1', status: 'Connected', startDate: '2026-11-01T10:00:00.000Z', source: 'ssm', accountId: '123456789012', region: 'eu-west-1', firstArchivedAt: '2026-11-01T10:01:00.000Z', lastSeenAt: '2026-11-01T10:01:00.000Z', outputUrl: { s3OutputUrl: 's3://b', cloudWatchOutputUrl: 'cw' } };
    const byHand =
      '{"accountId":"123456789012","firstArchivedAt":"2026-11-01T10:01:00.000Z","lastSeenAt":"2026-11-01T10:01:00.000Z",' +
      '"outputUrl":{"cloudWatchOutputUrl":"cw","s3OutputUrl":"s3://b"},"region":"eu-west-1","sessionId":"s-1","source":"ssm",' +
      '"startDate":"2026-11-01T10:00:00.000Z","status":"Connected","target":"i-1"}';
    expect(recordHash(state)).toBe(sha256(byHand));
  });

  it('leaves out the evidence fields and absent fields', () => {
    const plain = record('s-1', '2026-11-01T10:06:00.000Z');
    const served = { ...plain, evidenceHash: 'ab'.repeat(32), evidenceSequence: 7, reason: undefined } as SessionRecord;
    expect(recordHash(served)).toBe(recordHash(plain));
    expect(recordHash({ ...plain, status: 'Failed' })).not.toBe(recordHash(plain));
  });
});

describe('evidence object', () => {
  const input = {
    target: 'ssm#123456789012#eu-west-1',
    sequence: 2,
    previousHash: 'cd'.repeat(32),
    createdAt: '2026-11-01T11:00:00.000Z',
    records: [record('s-2', '2026-11-01T10:30:00.000Z'), record('s-1', '2026-11-01T10:06:00.000Z', { reason: 'patch "db"\nnow' })],
  };

  it('is gzip JSON Lines: header, states with their hashes, trailer signing the bytes above', async () => {
    const encoded = await encodeEvidenceObject(input, signer);
    const text = gunzipSync(encoded.bytes).toString('utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[0])).toEqual({ type: 'header', formatVersion: 1, target: input.target, sequence: 2, previousHash: input.previousHash, keyId: 'test-key', from: '2026-11-01T10:06:00.000Z', to: '2026-11-01T10:30:00.000Z', count: 2, createdAt: input.createdAt });
    const states = lines.slice(1, 3).map((entry) => JSON.parse(entry) as { type: string; hash: string; record: SessionRecord });
    expect(states.map((state) => state.record)).toEqual(input.records);
    for (const state of states) expect(state.hash).toBe(recordHash(state.record));
    const body = Buffer.from(`${lines.slice(0, 3).join('\n')}\n`, 'utf8');
    const trailer = JSON.parse(lines[3]) as { objectHash: string; signature: string; signatureAlgorithm: string };
    expect(trailer.objectHash).toBe(sha256(body));
    expect(encoded.objectHash).toBe(trailer.objectHash);
    expect(trailer.signatureAlgorithm).toBe('ECDSA_SHA_256');
    expect(verify('sha256', body, publicKey, Buffer.from(trailer.signature, 'base64'))).toBe(true);
  });

  it('decodes what it encodes, with no problems', async () => {
    const decoded = decodeEvidenceObject((await encodeEvidenceObject(input, signer)).bytes);
    expect(decoded.header.sequence).toBe(2);
    expect(decoded.states.map((state) => state.record)).toEqual(input.records);
    expect(objectProblems(decoded)).toEqual([]);
    expect(verify('sha256', decoded.signedBytes, publicKey, Buffer.from(decoded.trailer.signature, 'base64'))).toBe(true);
  });

  it('names a state whose record was changed after hashing, and a body that no longer matches its hash', async () => {
    const text = gunzipSync((await encodeEvidenceObject(input, signer)).bytes).toString('utf8').replace('"status":"Terminated","target":"i-0123456789abcdef0"}}\n{"type":"state"', '"status":"Connected","target":"i-0123456789abcdef0"}}\n{"type":"state"');
    const problems = objectProblems(decodeEvidenceObject(gzipSync(text)));
    expect(problems.map((problem) => problem.kind)).toEqual(['object-hash', 'state-hash']);
    expect(problems[1]).toMatchObject({ line: 2, sessionId: 's-2' });
  });

  it('refuses bytes that are not an object of this format, naming the problem', async () => {
    const lines = gunzipSync((await encodeEvidenceObject(input, signer)).bytes).toString('utf8').split('\n');
    const cases: [string, RegExp][] = [
      ['plain text', /not gzip/],
      [lines.slice(0, 4).join('\n'), /line 4: does not end with a newline/],
      [`${[lines[0], lines[1], lines[3]].join('\n')}\n`, /count is 2 but the object holds 1/],
      [`${[lines[0], lines[1], lines[2], lines[1]].join('\n')}\n`, /line 4: is not a trailer/],
      [`${lines.join('\n').replace('"formatVersion":1', '"formatVersion":2')}`, /format version 2/],
      [`${lines.join('\n').replace('"sessionId":"s-1",', '')}`, /line 3: record.sessionId is missing/],
    ];
    for (const [text, message] of cases) {
      const bytes = text === 'plain text' ? Buffer.from(text) : gzipSync(text);
      expect(() => decodeEvidenceObject(bytes)).toThrow(EvidenceFormatError);
      expect(() => decodeEvidenceObject(bytes)).toThrow(message);
    }
  });

  it('refuses to write an empty object', async () => {
    await expect(encodeEvidenceObject({ ...input, records: [] }, signer)).rejects.toThrow(/at least one state/);
  });
});

describe('layout', () => {
  it('places objects by target and 12-digit sequence, keys beside them', () => {
    expect(objectKey('evidence', 'ssm#123456789012#eu-west-1', 42)).toBe('evidence/ssm#123456789012#eu-west-1/000000000042.jsonl.gz');
    expect(objectKey('', 'ssm#1#r', 1)).toBe('ssm#1#r/000000000001.jsonl.gz');
    expect(targetFolder('a/b/', 'ssm#1#r')).toBe('a/b/ssm#1#r/');
    expect(publicKeyKey('evidence', 'local-0a1b')).toBe('evidence/keys/local-0a1b.pem');
    expect(() => publicKeyKey('evidence', 'arn:aws:kms:eu-west-1:1:key/x')).toThrow(/not safe/);
    expect(() => objectKey('', 'ssm#1#r', 0)).toThrow(RangeError);
  });

  it('reads target and sequence back from object keys only', () => {
    expect(parseObjectKey('evidence', 'evidence/ssm#1#r/000000000042.jsonl.gz')).toEqual({ targetKey: 'ssm#1#r', sequence: 42 });
    expect(parseObjectKey('evidence', 'evidence/keys/local-0a1b.pem')).toBeUndefined();
    expect(parseObjectKey('evidence', 'other/ssm#1#r/000000000042.jsonl.gz')).toBeUndefined();
    expect(parseObjectKey('', 'ssm#1#r/000000000000.jsonl.gz')).toBeUndefined();
  });
});
