/**
 * The evidence store of a deployed archive: the Object Lock bucket, under one prefix. An object
 * is put only if its key is new (If-None-Match: *), so a retried or racing write can never
 * replace evidence; Object Lock keeps every version anyway. Listing follows every continuation
 * token; S3 lists keys in ascending UTF-8 order.
 */
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { EvidenceObjectExistsError, type EvidenceStore } from '../core/evidence/ports';

export interface S3EvidenceStoreOptions {
  client: S3Client;
  bucket: string;
  /** The folder in the bucket, without slashes at either end (e.g. `evidence`); empty for the bucket's root. */
  prefix: string;
}

export class S3EvidenceStore implements EvidenceStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly root: string;

  constructor(options: S3EvidenceStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    const prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.root = prefix === '' ? '' : `${prefix}/`;
  }

  /** Where the store's objects are, for messages: `s3://bucket/prefix/`. */
  get location(): string {
    return `s3://${this.bucket}/${this.root}`;
  }

  async putObject(key: string, body: Uint8Array): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.root + key,
          Body: body,
          IfNoneMatch: '*',
          ContentType: key.endsWith('.pem') ? 'application/x-pem-file' : 'application/gzip',
          // Object Lock requires an integrity checksum on every put.
          ChecksumAlgorithm: 'SHA256',
        }),
      );
    } catch (error: unknown) {
      // 412: the key exists. 409: a concurrent conditional put of the same key is in flight.
      if (error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 412 || error.$metadata.httpStatusCode === 409)) {
        throw new EvidenceObjectExistsError(`${this.location}${key} already exists; evidence is never overwritten`, { cause: error });
      }
      throw error;
    }
  }

  async getObject(key: string): Promise<Uint8Array | undefined> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.root + key }));
      return result.Body ? await result.Body.transformToByteArray() : new Uint8Array();
    } catch (error: unknown) {
      if (error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) return undefined;
      throw error;
    }
  }

  async *listKeys(prefix: string): AsyncIterable<string> {
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.root + prefix, ContinuationToken: continuationToken }));
      for (const object of page.Contents ?? []) if (object.Key !== undefined) yield object.Key.slice(this.root.length);
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }
}
