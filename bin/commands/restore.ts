/**
 * `session-archive restore`: rebuilds an archive table from the evidence alone (docs/evidence.md,
 * "Verify and restore"): the latest evidenced state of every session, `firstArchivedAt` kept,
 * written as the sweep's store writes it, into a new table (dynalite locally, or DynamoDB).
 */
import { parseArgs } from 'node:util';
import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../lambdas/adapters/aws/clients';
import { migrateAddStartDay } from '../../lambdas/adapters/dynamodb/dynamodb-add-start-day';
import { DynamoRestoreWriter } from '../../lambdas/adapters/dynamodb/dynamodb-restore-writer';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { restoreArchive, type RestoreReport } from '../../lambdas/core/evidence/restore';
import { isHttpUrl } from '../../lambdas/core/shared/env';
import { CliFailureError, CliUsageError, runCli } from './cli-support';
import { openEvidence, targetFlag, trustedKeys } from './evidence-source';
import { forStream } from './terminal-text';

export const RESTORE_USAGE = `Usage: session-archive restore --evidence <s3://bucket/prefix | folder> --table <name> [options]

Rebuilds the archive table from the evidence alone: every chain is checked as verify checks it,
and the latest evidenced state of every session (firstArchivedAt kept) is written into a NEW
table, created here. Objects that fail the checks are named and left out (exit 3).

Options:
  --evidence <where>   s3://bucket/prefix or a folder (the local stack's <data-dir>/evidence)
  --table <name>       the table to create and fill; an existing table is refused
  --endpoint <url>     a local DynamoDB-compatible endpoint (dynalite), e.g. http://127.0.0.1:8000;
                       without it, DynamoDB in --region with the default AWS credentials
  --target <key>       only this target: <source>#<account>#<region>
  --key <file.pem>     trust this public key (repeatable) instead of those beside the evidence
  --region <r>         region of the table and the bucket (default $AWS_REGION)
  --profile <p>        AWS profile for the bucket
  --help               show this help

Serve the restored table with: session-archive api --table <name> --dynamodb-endpoint <url>
Exit codes: 0 restored, 3 restored without objects that failed the checks, 2 bad flags, 1 failure.
`;

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

export async function runRestoreCommand(argv: string[]): Promise<void> {
  await runCli('restore', RESTORE_USAGE, async () => {
    const { values } = parseArgs({
      args: argv,
      options: {
        evidence: { type: 'string' }, table: { type: 'string' }, endpoint: { type: 'string' }, target: { type: 'string' },
        key: { type: 'string', multiple: true }, region: { type: 'string' }, profile: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) return RESTORE_USAGE;
    if (values.table === undefined || !TABLE_NAME.test(values.table)) throw new CliUsageError(`--table must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -), got '${values.table ?? ''}'`);
    if (values.endpoint !== undefined && !isHttpUrl(values.endpoint)) throw new CliUsageError(`--endpoint must be an http(s) URL, got '${values.endpoint}'`);
    const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (region === undefined && values.endpoint === undefined) throw new CliUsageError('pass --region (or set AWS_REGION) for the DynamoDB table, or --endpoint for a local one');
    const target = targetFlag(values.target);
    const keys = trustedKeys(values.key ?? []);
    const evidence = openEvidence(values.evidence, { region: values.region, profile: values.profile });
    const documents = createDocumentClient({ region: region ?? 'us-east-1', endpoint: values.endpoint });
    try {
      await refuseExisting(documents, values.table);
      await ensureArchiveTable(documents, values.table);
      const started = Date.now();
      const report = await restoreArchive({
        store: evidence.store,
        prefix: evidence.prefix,
        sink: new DynamoRestoreWriter(documents, values.table),
        ...(target ? { target: target.key } : {}),
        ...(keys ? { trustedKeys: keys } : {}),
        progress: progressLine(),
      });
      // Marks the day index ready and records the archive's bounds, as on any archive this release wrote.
      for (let run = await migrateAddStartDay(documents, values.table); !run.complete; run = await migrateAddStartDay(documents, values.table)) {
        if (run.waitingForIndex) throw new CliFailureError(`${values.table} lacks the byStartDay index`);
      }
      process.stderr.write(`restored ${report.sessions} sessions from ${report.evidenceObjects} evidence objects into ${values.table} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      if (!report.ok) process.exitCode = 3;
      return forStream(process.stdout)(renderRestore(report, values.table));
    } finally {
      documents.destroy();
    }
  });
}

async function refuseExisting(documents: ReturnType<typeof createDocumentClient>, table: string): Promise<void> {
  try {
    await documents.send(new DescribeTableCommand({ TableName: table }));
  } catch (error: unknown) {
    if (error instanceof ResourceNotFoundException) return;
    throw error;
  }
  throw new CliUsageError(`table ${table} already exists: restore writes into a new table only (choose another --table)`);
}

function progressLine(): (event: { phase: 'evidence' | 'write'; count: number }) => void {
  let last = 0;
  return (event) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    process.stderr.write(event.phase === 'evidence' ? `read ${event.count} evidence objects\n` : `wrote ${event.count} sessions\n`);
  };
}

function renderRestore(report: RestoreReport, table: string): string {
  const lines = [`${report.ok ? 'RESTORED' : 'RESTORED WITHOUT UNTRUSTED OBJECTS'}: ${report.sessions} sessions of ${report.targets} targets from ${report.evidenceObjects} evidence objects into ${table}`];
  for (const finding of report.findings) lines.push(`${finding.kind.toUpperCase().padEnd(12)} ${finding.target} object ${finding.key ?? finding.sequence}: ${finding.message} (its states are not restored)`);
  return `${lines.join('\n')}\n`;
}
