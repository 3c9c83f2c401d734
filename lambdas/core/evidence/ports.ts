/**
 * Where evidence goes and who signs it. Deployed: an AWS KMS asymmetric key and an S3 bucket under
 * Object Lock; locally: a key file and a folder in the data directory.
 */

/** Signs evidence objects with one ECDSA P-256 key (ECDSA_SHA_256). */
export interface EvidenceSigner {
  /**
   * Names the key in object headers and in `keys/<keyId>.pem`, so it must be safe in a file name
   * and an S3 key: letters, digits, `.`, `_`, `-` (see `isValidKeyId`).
   */
  readonly keyId: string;
  /** A DER-encoded ECDSA signature over SHA-256 of `bytes` (the signer hashes them). */
  sign(bytes: Uint8Array): Promise<Uint8Array>;
  /** The public key as PEM (SubjectPublicKeyInfo), published beside the evidence. */
  publicKeyPem(): Promise<string>;
}

/** An append-only store of evidence objects, keyed as in `layout.ts`. */
export interface EvidenceStore {
  /** Stores a new object; an existing key is never overwritten: it throws `EvidenceObjectExistsError`. */
  putObject(key: string, body: Uint8Array): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  getObject(key: string): Promise<Uint8Array | undefined>;
  /** Every key that starts with `prefix`, sorted ascending. */
  listKeys(prefix: string): AsyncIterable<string>;
}

/** A put found an object already stored under its key. */
export class EvidenceObjectExistsError extends Error {
  override readonly name = 'EvidenceObjectExistsError';
  constructor(readonly key: string) {
    super(`an evidence object already exists at ${key}`);
  }
}

const KEY_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function isValidKeyId(keyId: string): boolean {
  return KEY_ID.test(keyId) && keyId !== '.' && keyId !== '..';
}
