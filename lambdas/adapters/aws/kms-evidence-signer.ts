/**
 * The evidence signer of a deployed archive: an AWS KMS asymmetric key (ECC_NIST_P256,
 * SIGN_VERIFY). KMS signs the SHA-256 digest of the bytes (MessageType DIGEST, so objects of any
 * size cost one small request), with ECDSA_SHA_256: the DER signature that
 * `openssl dgst -sha256 -verify key.pem -signature sig.der body` checks against the same bytes.
 * The private key never leaves KMS; the public key is read once and published beside the evidence.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { isValidKeyId, type EvidenceSigner } from '../../core/evidence/ports';

export interface KmsEvidenceSignerOptions {
  client: KMSClient;
  /** The key's id or ARN; its id (the last part of an ARN) names it in every evidence header. */
  keyId: string;
}

/** `arn:aws:kms:eu-west-1:123456789012:key/1234abcd-…` → `1234abcd-…`; an id stays as it is. */
export function kmsKeyIdOf(keyIdOrArn: string): string {
  const id = keyIdOrArn.startsWith('arn:') ? keyIdOrArn.slice(keyIdOrArn.lastIndexOf('/') + 1) : keyIdOrArn;
  if (!isValidKeyId(id)) throw new Error(`${JSON.stringify(keyIdOrArn)} is not a KMS key id or key ARN`);
  return id;
}

export const KMS_SIGNING_ALGORITHM = 'ECDSA_SHA_256';

export class KmsEvidenceSigner implements EvidenceSigner {
  readonly keyId: string;
  private readonly client: KMSClient;
  /** What KMS is asked for: the id or ARN as given. */
  private readonly kmsKey: string;
  private publicKey?: Promise<string>;

  constructor(options: KmsEvidenceSignerOptions) {
    this.client = options.client;
    this.kmsKey = options.keyId;
    this.keyId = kmsKeyIdOf(options.keyId);
  }

  async sign(bytes: Uint8Array): Promise<Uint8Array> {
    const digest = createHash('sha256').update(bytes).digest();
    const result = await this.client.send(new SignCommand({ KeyId: this.kmsKey, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: KMS_SIGNING_ALGORITHM }));
    if (!result.Signature || result.Signature.length === 0) throw new Error(`KMS returned no signature for key ${this.keyId}`);
    return result.Signature;
  }

  /** The SubjectPublicKeyInfo KMS returns (DER), as PEM; read once per process. */
  publicKeyPem(): Promise<string> {
    this.publicKey ??= this.readPublicKey().catch((error: unknown) => {
      this.publicKey = undefined;
      throw error;
    });
    return this.publicKey;
  }

  private async readPublicKey(): Promise<string> {
    const result = await this.client.send(new GetPublicKeyCommand({ KeyId: this.kmsKey }));
    if (!result.PublicKey) throw new Error(`KMS returned no public key for key ${this.keyId}`);
    if (result.KeySpec !== undefined && result.KeySpec !== 'ECC_NIST_P256') throw new Error(`key ${this.keyId} is ${result.KeySpec}, not ECC_NIST_P256`);
    if (result.SigningAlgorithms !== undefined && !result.SigningAlgorithms.includes(KMS_SIGNING_ALGORITHM)) {
      throw new Error(`key ${this.keyId} cannot sign with ${KMS_SIGNING_ALGORITHM} (it offers ${result.SigningAlgorithms.join(', ')})`);
    }
    return createPublicKey({ key: Buffer.from(result.PublicKey), format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }).toString();
  }
}
