/**
 * Verify and restore throughput (issue 15), measured in one run on one archive:
 *
 *   verify  records/s of `verifyArchive` reading every record through the local API and every
 *           evidence object from the folder, against a plain export of the same archive through
 *           the same API (the query command's page fetcher, rendered as JSON Lines). Target ≥ 0.5.
 *   restore sessions/s rebuilding a new table from the evidence alone, against the backfill that
 *           made the archive (the sweep, with evidence, of the same sessions). Target ≥ 0.5.
 *
 * The SSM emulator, dynalite and the API each run in a process of their own; the sweep, export,
 * verify and restore run here. Export and verify alternate, three runs each, medians compared.
 * `npx tsx bench/evidence-verify.ts [--sessions 20000] [--write-docs]` prints one JSON line and a
 * summary; --write-docs puts the result in docs/benchmarks.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fetchSessionPages, rendererFor } from '../bin/commands/query';
import { ApiClient } from '../bin/commands/signed-fetch';
import { DynamoArchiveStore } from '../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { DynamoEvidenceLedger } from '../lambdas/adapters/dynamodb/dynamodb-evidence-ledger';
import { DynamoRestoreWriter } from '../lambdas/adapters/dynamodb/dynamodb-restore-writer';
import { ensureArchiveTable } from '../lambdas/adapters/dynamodb/ensure-table';
import { FolderEvidenceStore } from '../lambdas/adapters/local/folder-evidence-store';
import { KeyFileSigner } from '../lambdas/adapters/local/key-file-signer';
import { SsmSessionSource } from '../lambdas/adapters/aws/ssm-session-source';
import { classifyTargetFailure } from '../lambdas/adapters/aws/target-failures';
import { restoreArchive } from '../lambdas/core/evidence/restore';
import { verifyArchive } from '../lambdas/core/evidence/verify';
import type { ArchivedRecord } from '../lambdas/core/evidence/verify-findings';
import { EvidenceWriter } from '../lambdas/core/evidence/writer';
import type { Clock } from '../lambdas/core/sweep/ports';
import { sweepTarget } from '../lambdas/core/sweep/target-sweep';
import { writeEvidenceVerifySection } from './evidence-verify-section';
import { BACKFILL_NOW_MS, type EmulatorReady } from './sweep-backfill';
import { BENCH_ACCOUNT_ID, BENCH_CREDENTIALS, BENCH_REGION, describeMachine, median, progress, startJsonLineChild } from './support';

const RUNS = 3;

interface Measured {
  records: number;
  ms: number;
  perSecond: number;
}

const rate = (records: number, ms: number): Measured => ({ records, ms: Math.round(ms), perSecond: Math.round(records / Math.max(ms / 1000, 0.001)) });

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sessions: { type: 'string', default: '20000' }, seed: { type: 'string', default: '15' }, 'write-docs': { type: 'boolean' } } });
  const sessions = Number(values.sessions);
  const emulator = await startJsonLineChild<EmulatorReady>('bench/emulator-process.ts', ['--now', String(BACKFILL_NOW_MS), '--sessions', String(sessions), '--seed', String(values.seed)]);
  const dynalite = await startJsonLineChild<{ endpoint: string }>('bench/dynalite-process.ts', []);
  const folder = mkdtempSync(join(tmpdir(), 'bench-evidence-'));
  const dynamo = new DynamoDBClient({ region: BENCH_REGION, endpoint: dynalite.ready.endpoint, credentials: BENCH_CREDENTIALS, maxAttempts: 8 });
  const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  let api: Awaited<ReturnType<typeof startJsonLineChild<{ url: string }>>> | undefined;
  try {
    const table = 'evidence-bench';
    await ensureArchiveTable(dynamo, table);
    const evidenceStore = new FolderEvidenceStore(join(folder, 'evidence'));
    const writer = new EvidenceWriter({ signer: KeyFileSigner.open(join(folder, 'evidence-key.pem')), store: evidenceStore, prefix: '', ledger: new DynamoEvidenceLedger(documents, table) });
    const ssm = new SSMClient({ region: BENCH_REGION, endpoint: emulator.ready.endpoint, credentials: BENCH_CREDENTIALS });
    const source = new SsmSessionSource({ client: ssm, accountId: BENCH_ACCOUNT_ID, region: BENCH_REGION });
    const clock: Clock = { now: () => BACKFILL_NOW_MS };
    const store = new DynamoArchiveStore({ client: documents, tableName: table });

    progress(`backfill of ${sessions.toLocaleString('en')} sessions with evidence`);
    const backfill = await timed(async () => {
      const result = await sweepTarget(source.scope, { store, clock, evidence: writer, openSource: async () => source, classify: classifyTargetFailure }, { remainingTimeMs: () => Number.POSITIVE_INFINITY });
      if (result.status !== 'swept') throw new Error('target busy');
      return result.summary;
    });
    const backfillRate = rate(backfill.value.written, backfill.ms);
    progress(`  ${backfill.value.written} states in ${(backfill.ms / 1000).toFixed(1)} s`);

    api = await startJsonLineChild<{ url: string }>('bench/api-process.ts', [dynalite.ready.endpoint, table]);
    const client = new ApiClient(new URL(api.ready.url), { sign: false });
    const apiRecords = async function* (): AsyncIterable<readonly ArchivedRecord[]> {
      for await (const page of fetchSessionPages(client, { filters: [['order', 'asc']], pageSize: 1000 })) yield page.sessions as ArchivedRecord[];
    };
    const exportOnce = async () => {
      const jsonl = rendererFor('jsonl');
      let count = 0;
      let bytes = 0;
      for await (const page of apiRecords()) {
        bytes += jsonl.page(page as ArchivedRecord[]).length;
        count += page.length;
      }
      return { count, bytes };
    };
    const verifyOnce = async () => {
      const report = await verifyArchive({ store: evidenceStore, prefix: '', records: apiRecords, filter: {}, now: () => new Date().toISOString() });
      if (!report.ok) throw new Error(`verify found ${report.findings.length} violations on an untouched archive: ${JSON.stringify(report.findings.slice(0, 3))}`);
      return report.records;
    };
    const exports: Measured[] = [];
    const verifies: Measured[] = [];
    for (let run = 0; run < RUNS; run++) {
      const exported = await timed(exportOnce);
      exports.push(rate(exported.value.count, exported.ms));
      const verified = await timed(verifyOnce);
      verifies.push(rate(verified.value, verified.ms));
      progress(`  run ${run + 1}: export ${exports.at(-1)?.perSecond}/s, verify ${verifies.at(-1)?.perSecond}/s`);
    }

    progress('restore into a new table');
    const restoredTable = 'evidence-bench-restored';
    await ensureArchiveTable(dynamo, restoredTable);
    const restored = await timed(() => restoreArchive({ store: evidenceStore, prefix: '', sink: new DynamoRestoreWriter(documents, restoredTable) }));
    const restoreRate = rate(restored.value.sessions, restored.ms);

    const exportPerSecond = median(exports.map((m) => m.perSecond));
    const verifyPerSecond = median(verifies.map((m) => m.perSecond));
    const result = {
      sessions,
      machine: describeMachine(),
      backfill: backfillRate,
      restore: restoreRate,
      restoreOverBackfill: Number((restoreRate.perSecond / backfillRate.perSecond).toFixed(2)),
      exports,
      verifies,
      verifyOverExport: Number((verifyPerSecond / exportPerSecond).toFixed(2)),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (values['write-docs']) writeEvidenceVerifySection([result]);
    progress(`verify ${verifyPerSecond}/s vs export ${exportPerSecond}/s: ${result.verifyOverExport} (target >= 0.5)`);
    progress(`restore ${restoreRate.perSecond}/s vs backfill ${backfillRate.perSecond}/s: ${result.restoreOverBackfill} (target >= 0.5)`);
  } finally {
    dynamo.destroy();
    await Promise.all([emulator.stop(), dynalite.stop(), api?.stop()]);
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`evidence bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
