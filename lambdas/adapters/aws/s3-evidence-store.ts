/**
 * The evidence store of a deployed archive: the Object Lock bucket, keyed as layout.ts says (the
 * keys carry the evidence prefix, e.g. `evidence/ssm#…/000000000001.jsonl.gz`). An object
 * is put only if its key is new (If-None-Match: *), so a retried or racing write can never
 * replace evidence; Object Lock keeps every version anyway. Listing follows every continuation
 * token; S3 lists keys in ascending UTF-8 order.
 */
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { EvidenceObjectExistsError, type EvidenceStore } from '../../core/evidence/ports';

export interface S3EvidenceStoreOptions {
  client: S3Client;
  bucket: string;
}

export class S3EvidenceStore implements EvidenceStore {
  private readonly client: S3Client;
  readonly bucket: string;

  constructor(options: S3EvidenceStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
  }

  async putObject(key: string, body: Uint8Array): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
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
        throw new EvidenceObjectExistsError(`s3://${this.bucket}/${key}`);
      }
      throw error;
    }
  }

  async getObject(key: string): Promise<Uint8Array | undefined> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return result.Body ? await result.Body.transformToByteArray() : new Uint8Array();
    } catch (error: unknown) {
      if (error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) return undefined;
      throw error;
    }
  }

  async *listKeys(prefix: string): AsyncIterable<string> {
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: continuationToken }));
      for (const object of page.Contents ?? []) if (object.Key !== undefined) yield object.Key;
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }
}
