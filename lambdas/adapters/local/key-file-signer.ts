/**
 * The evidence signer on one machine: an ECDSA P-256 private key in a PEM file (PKCS#8), created on
 * first use readable by its owner only. Its key id is a fingerprint of the public key, so a new
 * key file simply starts signing the next objects under a new id.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { EvidenceSigner } from '../../core/evidence/ports';

/** The file is not an ECDSA P-256 private key. */
export class EvidenceKeyFileError extends Error {
  override readonly name = 'EvidenceKeyFileError';
}

export class KeyFileSigner implements EvidenceSigner {
  readonly keyId: string;
  private readonly publicPem: string;

  private constructor(private readonly privateKey: KeyObject) {
    const publicKey = createPublicKey(privateKey);
    const der = publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = `local-${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
    this.publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** Opens the key at `path`, creating it (mode 0600) when there is none. */
  static open(path: string): KeyFileSigner {
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error: unknown) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      pem = createKeyFile(path);
    }
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch {
      throw new EvidenceKeyFileError(`${path} is not a PEM private key`);
    }
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new EvidenceKeyFileError(`${path} is not an ECDSA P-256 key`);
    }
    return new KeyFileSigner(key);
  }

  async sign(bytes: Uint8Array): Promise<Uint8Array> {
    // node:crypto hashes with SHA-256 and returns the DER signature (dsaEncoding 'der').
    return sign('sha256', bytes, this.privateKey);
  }

  async publicKeyPem(): Promise<string> {
    return this.publicPem;
  }
}

function createKeyFile(path: string): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // 'wx': two processes starting at once never overwrite each other's key.
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, pem);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o600);
  return readFileSync(path, 'utf8');
}
