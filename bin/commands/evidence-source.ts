/**
 * `--evidence` of verify and restore: `s3://bucket/prefix` (the deployed evidence bucket, read
 * with the default AWS credential chain) or a folder (the local stack's `<data-dir>/evidence`),
 * and `--key <pem>`, public keys the auditor trusts instead of those published beside the evidence.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { localCredentials } from '../../lambdas/adapters/aws/clients';
import { FolderEvidenceStore } from '../../lambdas/adapters/local/folder-evidence-store';
import { S3EvidenceStore } from '../../lambdas/adapters/aws/s3-evidence-store';
import type { EvidenceStore } from '../../lambdas/core/evidence/ports';
import { parsePublicKey, type PublicKeys } from '../../lambdas/core/evidence/verify-chain';
import { CliUsageError } from './cli-support';

export interface EvidenceSource {
  store: EvidenceStore;
  prefix: string;
  /** For messages: the location as given. */
  location: string;
}

export function openEvidence(text: string | undefined, options: { region?: string; profile?: string }): EvidenceSource {
  if (text === undefined || text === '') throw new CliUsageError('--evidence is required: s3://bucket/prefix or a folder (the local stack keeps it in <data-dir>/evidence)');
  if (text.startsWith('s3://')) {
    const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(text);
    if (!match) throw new CliUsageError(`--evidence must be s3://<bucket>/<prefix>, got '${text}'`);
    const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
    // S3_ENDPOINT: an S3-compatible endpoint other than AWS's (tests, a mirror).
    const endpoint = process.env.S3_ENDPOINT?.trim() || undefined;
    const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    const credentials = localCredentials(endpoint) ?? (options.profile ? fromNodeProviderChain({ profile: options.profile }) : undefined);
    const client = new S3Client({ region, endpoint, forcePathStyle: endpoint !== undefined, credentials, followRegionRedirects: true });
    return { store: new S3EvidenceStore({ client, bucket: match[1] as string }), prefix, location: text };
  }
  if (!existsSync(text) || !statSync(text).isDirectory()) throw new CliUsageError(`--evidence ${text} is not a folder (nor s3://bucket/prefix)`);
  return { store: new FolderEvidenceStore(text), prefix: '', location: text };
}

/** `--key file.pem` (repeatable): the key id is the file name without `.pem`, as beside the evidence. */
export function trustedKeys(files: readonly string[]): PublicKeys | undefined {
  if (files.length === 0) return undefined;
  const keys = new Map<string, ReturnType<typeof parsePublicKey>>();
  for (const file of files) {
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (error: unknown) {
      throw new CliUsageError(`--key ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      keys.set(basename(file).replace(/\.pem$/, ''), parsePublicKey(pem));
    } catch {
      throw new CliUsageError(`--key ${file} is not a PEM public key`);
    }
  }
  return keys;
}

/** `2026-01-01` or a full ISO time → the ISO form the archive stores, so ranges compare as text. */
export function isoFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(/T/.test(value) && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value}Z` : value) : Number.NaN;
  if (Number.isNaN(ms)) throw new CliUsageError(`${flag} must be an ISO-8601 date or time (2026-01-01 or 2026-01-01T09:00:00Z), got '${value}'`);
  return new Date(ms).toISOString();
}

/** `ssm#123456789012#eu-west-1`. */
export function targetFlag(value: string | undefined): { key: string; source: string; accountId: string; region: string } | undefined {
  if (value === undefined) return undefined;
  const match = /^([a-z][a-z0-9-]*)#([0-9A-Za-z-]{1,64})#([a-z0-9-]{2,32})$/.exec(value);
  if (!match) throw new CliUsageError(`--target must be a target key <source>#<account>#<region>, e.g. ssm#123456789012#eu-west-1, got '${value}'`);
  return { key: value, source: match[1] as string, accountId: match[2] as string, region: match[3] as string };
}
