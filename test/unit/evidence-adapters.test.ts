/**
 * The KMS signer and the S3 evidence store, over the real SDK clients with aws-sdk-client-mock
 * answering (no KMS or S3 emulator is at hand). Behind the KMS mock sits a real P-256 key: it signs
 * only when KMS would, i.e. when the digest it receives is SHA-256 of the bytes, so what the
 * adapter returns verifies with node:crypto against the published PEM, as auditors check it.
 */
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { KmsEvidenceSigner, kmsKeyIdOf } from '../../lambdas/adapters/aws/kms-evidence-signer';
import { S3EvidenceStore } from '../../lambdas/adapters/aws/s3-evidence-store';
import { EvidenceObjectExistsError } from '../../lambdas/core/evidence/ports';

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const kms = mockClient(KMSClient);
const s3 = mockClient(S3Client);

afterEach(() => {
  kms.reset();
  s3.reset();
});

describe('KmsEvidenceSigner', () => {
  /** KMS with MessageType DIGEST signs the digest as given; the real key signs the bytes whose digest it is. */
  const kmsWithKey = (bytes: Buffer) =>
    kms.on(SignCommand).callsFake((input: { KeyId: string; Message: Uint8Array; MessageType: string; SigningAlgorithm: string }) => {
      expect(input).toMatchObject({ KeyId: KEY_ARN, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
      expect(Buffer.from(input.Message).toString('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
      return { KeyId: KEY_ARN, Signature: sign('sha256', bytes, privateKey), SigningAlgorithm: 'ECDSA_SHA_256' };
    });

  it('signs the SHA-256 digest with ECDSA_SHA_256: the signature verifies over the bytes with the published PEM', async () => {
    const bytes = Buffer.from('{"type":"header"}\n{"type":"state"}\n');
    kmsWithKey(bytes);
    kms.on(GetPublicKeyCommand).resolves({ KeyId: KEY_ARN, KeySpec: 'ECC_NIST_P256', SigningAlgorithms: ['ECDSA_SHA_256'], PublicKey: publicKey.export({ format: 'der', type: 'spki' }) });
    const signer = new KmsEvidenceSigner({ client: new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), keyId: KEY_ARN });
    const signature = await signer.sign(bytes);
    const pem = await signer.publicKeyPem();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(verify('sha256', bytes, pem, signature)).toBe(true);
    expect(verify('sha256', Buffer.from('other bytes'), pem, signature)).toBe(false);
  });

  it('names the key by its id (safe in a file name), and asks KMS for the public key once', async () => {
    kms.on(GetPublicKeyCommand).resolves({ KeySpec: 'ECC_NIST_P256', SigningAlgorithms: ['ECDSA_SHA_256'], PublicKey: publicKey.export({ format: 'der', type: 'spki' }) });
    const signer = new KmsEvidenceSigner({ client: new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), keyId: KEY_ARN });
    expect(signer.keyId).toBe('1234abcd-12ab-34cd-56ef-1234567890ab');
    await signer.publicKeyPem();
    await signer.publicKeyPem();
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    expect(() => kmsKeyIdOf('alias/../x')).toThrow(/not a KMS key id/);
  });

  it('refuses a key that is not ECC_NIST_P256', async () => {
    kms.on(GetPublicKeyCommand).resolves({ KeySpec: 'RSA_2048', PublicKey: publicKey.export({ format: 'der', type: 'spki' }) });
    const signer = new KmsEvidenceSigner({ client: new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), keyId: KEY_ARN });
    await expect(signer.publicKeyPem()).rejects.toThrow(/RSA_2048, not ECC_NIST_P256/);
  });
});

describe('S3EvidenceStore', () => {
  const store = () => new S3EvidenceStore({ client: new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), bucket: 'evidence-bucket' });

  it('puts with If-None-Match: * and a checksum, so it never overwrites and Object Lock accepts it', async () => {
    s3.on(PutObjectCommand).resolves({});
    await store().putObject('evidence/ssm#1#r/000000000001.jsonl.gz', new Uint8Array([1, 2]));
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'evidence-bucket',
      Key: 'evidence/ssm#1#r/000000000001.jsonl.gz',
      IfNoneMatch: '*',
      ChecksumAlgorithm: 'SHA256',
      ContentType: 'application/gzip',
    });
  });

  it('turns 412 Precondition Failed into EvidenceObjectExistsError', async () => {
    s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 }, message: 'At least one of the pre-conditions you specified did not hold' }));
    await expect(store().putObject('evidence/k', new Uint8Array([1]))).rejects.toBeInstanceOf(EvidenceObjectExistsError);
  });

  it('reads an object, and undefined for a key that is not there', async () => {
    s3.on(GetObjectCommand, { Key: 'evidence/a' }).resolves({ Body: { transformToByteArray: async () => new Uint8Array(Buffer.from('abc')) } as never });
    s3.on(GetObjectCommand, { Key: 'evidence/none' }).rejects(new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' }));
    expect(Buffer.from((await store().getObject('evidence/a')) ?? []).toString()).toBe('abc');
    expect(await store().getObject('evidence/none')).toBeUndefined();
  });

  it('lists every key, following each continuation token', async () => {
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({ IsTruncated: true, NextContinuationToken: 't1', Contents: [{ Key: 'evidence/a' }, { Key: 'evidence/b' }] });
    s3.on(ListObjectsV2Command, { ContinuationToken: 't1' }).resolves({ IsTruncated: true, NextContinuationToken: 't2', Contents: [{ Key: 'evidence/c' }] });
    s3.on(ListObjectsV2Command, { ContinuationToken: 't2' }).resolves({ IsTruncated: false, Contents: [{ Key: 'evidence/d' }] });
    const keys: string[] = [];
    for await (const key of store().listKeys('evidence/')) keys.push(key);
    expect(keys).toEqual(['evidence/a', 'evidence/b', 'evidence/c', 'evidence/d']);
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'evidence-bucket', Prefix: 'evidence/', ContinuationToken: undefined },
      { Bucket: 'evidence-bucket', Prefix: 'evidence/', ContinuationToken: 't1' },
      { Bucket: 'evidence-bucket', Prefix: 'evidence/', ContinuationToken: 't2' },
    ]);
  });
});
