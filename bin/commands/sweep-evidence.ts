/**
 * `--evidence` and `--evidence-key` of `session-archive sweep`: the one-off sweep keeps evidence as
 * the archive's own sweeper does (docs/evidence.md), chained through the heads in the archive
 * table, so its records verify like the others. A sweep without them into a table that keeps
 * evidence for the target is refused: what it stored would carry no evidence, and verify would
 * name each such record inserted.
 */
import { existsSync } from 'node:fs';
import { KMSClient } from '@aws-sdk/client-kms';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { DynamoEvidenceLedger } from '../../lambdas/adapters/dynamodb/dynamodb-evidence-ledger';
import { KeyFileSigner } from '../../lambdas/adapters/local/key-file-signer';
import { KmsEvidenceSigner } from '../../lambdas/adapters/aws/kms-evidence-signer';
import type { EvidenceSigner } from '../../lambdas/core/evidence/ports';
import { withEvidence } from '../../lambdas/core/evidence/with-evidence';
import { EvidenceWriter } from '../../lambdas/core/evidence/writer';
import { systemClock } from '../../lambdas/core/sweep/ports';
import { scopeKey, type SourceScope } from '../../lambdas/core/session/session';
import type { SweepPorts, SweepSummary } from '../../lambdas/core/sweep/sweep';
import { CliUsageError } from './cli-support';
import { openEvidence } from './evidence-source';

export const SWEEP_EVIDENCE_OPTIONS = `  --evidence <where>              keep signed evidence of what the sweep stores, as the archive's
                                  sweeper does: s3://bucket/prefix (stack output EvidenceLocation)
                                  or a folder (the local stack: <data-dir>/evidence)
  --evidence-key <key>            what signs it: a KMS key ARN, or a PEM file with an ECDSA P-256
                                  private key (the local stack: <data-dir>/evidence-key.pem;
                                  created, readable by you only, when the file does not exist)`;

export interface SweepEvidenceFlags {
  evidence: string | undefined;
  evidenceKey: string | undefined;
}

/** Checks the flags before anything runs: both or neither. */
export function checkSweepEvidenceFlags(flags: SweepEvidenceFlags): void {
  if (flags.evidence !== undefined && !flags.evidenceKey) throw new CliUsageError('--evidence needs --evidence-key: a KMS key ARN or the PEM private key file that signs this archive\'s evidence (the local stack: <data-dir>/evidence-key.pem)');
  if (flags.evidence === undefined && flags.evidenceKey !== undefined) throw new CliUsageError('--evidence-key goes with --evidence <s3://bucket/prefix | folder>');
}

export interface SweepEvidenceContext {
  documents: DynamoDBDocumentClient;
  table: string;
  scope: SourceScope;
}

/** What the command tells on stderr besides failures: a key file it created, evidence warnings. */
const note = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * Runs `sweepWith` on the archive table, under evidence when the flags ask for it; without them,
 * first makes sure the table keeps no evidence for the target.
 */
export async function sweepWithEvidence(flags: SweepEvidenceFlags, context: SweepEvidenceContext, sweepWith: (ports: Pick<SweepPorts, 'store' | 'evidence'>) => Promise<SweepSummary>): Promise<SweepSummary> {
  const store = new DynamoArchiveStore({ client: context.documents, tableName: context.table });
  const ledger = new DynamoEvidenceLedger(context.documents, context.table);
  if (flags.evidence === undefined || flags.evidenceKey === undefined) {
    const head = await ledger.loadChainHead(context.scope);
    if (head !== undefined) {
      throw new CliUsageError(
        `the table ${context.table} keeps evidence for ${scopeKey(context.scope)} (its chain is at object ${head.reservedSequence ?? head.lastSequence}): pass --evidence and --evidence-key (those its sweeper uses), or the records this sweep stores would carry no evidence and verify would name each one inserted`,
      );
    }
    return sweepWith({ store });
  }
  const where = openEvidence(flags.evidence, {});
  const writer = new EvidenceWriter({ signer: openSigner(flags.evidenceKey), store: where.store, prefix: where.prefix, ledger });
  const logger = { info: () => undefined, warn: (message: string) => note(`evidence: ${message}`) };
  return withEvidence(writer, { scope: context.scope, store, clock: systemClock, logger }, (under) => sweepWith({ store: under.store, ...(under.evidence ? { evidence: under.evidence } : {}) }));
}

function openSigner(key: string): EvidenceSigner {
  if (key.startsWith('arn:')) {
    const match = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/.exec(key);
    if (!match) throw new CliUsageError(`--evidence-key must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or a PEM file, got '${key}'`);
    return new KmsEvidenceSigner({ client: new KMSClient({ region: match[1] as string }), keyId: key });
  }
  const created = !existsSync(key);
  try {
    const signer = KeyFileSigner.open(key);
    if (created) note(`created the evidence key ${key} (key id ${signer.keyId}); keep it: it signs this archive's evidence from now on`);
    return signer;
  } catch (error: unknown) {
    throw new CliUsageError(`--evidence-key ${key}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
