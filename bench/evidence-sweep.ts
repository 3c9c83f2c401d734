/**
 * What evidence adds to a sweep: the wall time of a sweep of N new sessions (default 2,000) with
 * and without evidence, in the same run, alternating, each on a fresh table. The SSM emulator and
 * dynalite run in processes of their own; this process sweeps (through `sweepTarget`, as the
 * sweeper does) and, with evidence, signs with a P-256 key file and writes to a folder.
 *
 * `npx tsx bench/evidence-sweep.ts [--sessions 2000] [--pairs 5]`: prints one JSON line.
 * A first sweep warms up and is not counted. Measures and reports; asserts nothing (the limit is +10 %).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoArchiveStore } from '../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { DynamoEvidenceLedger } from '../lambdas/adapters/dynamodb/dynamodb-evidence-ledger';
import { ensureArchiveTable } from '../lambdas/adapters/dynamodb/ensure-table';
import { FolderEvidenceStore } from '../lambdas/adapters/local/folder-evidence-store';
import { KeyFileSigner } from '../lambdas/adapters/local/key-file-signer';
import { SsmSessionSource } from '../lambdas/adapters/aws/ssm-session-source';
import { classifyTargetFailure } from '../lambdas/adapters/aws/target-failures';
import { EvidenceWriter } from '../lambdas/core/evidence/writer';
import { sweepTarget } from '../lambdas/core/sweep/target-sweep';
import type { EmulatorReady } from './sweep-backfill';
import { BACKFILL_NOW_MS } from './sweep-backfill';
import { BENCH_ACCOUNT_ID, BENCH_CREDENTIALS, BENCH_REGION, errorText, median, progress, startJsonLineChild } from './support';

export interface EvidenceSweepBench {
  sessions: number;
  /** Wall time of each sweep (ms), in the order run: without, with, without, with… */
  withoutMs: number[];
  withMs: number[];
  medianWithoutMs: number;
  medianWithMs: number;
  /** medianWith / medianWithout − 1: the limit is 0.10. */
  overhead: number;
  /** Each pair's with / without − 1, in order: how much the machine's load moved the two. */
  pairOverheads: number[];
  /**
   * Time the sweeps with evidence spent waiting on evidence calls (chain head, journal, signing, the
   * object put), median per sweep: the evidence's own share, apart from the machine's noise.
   */
  medianEvidenceCallMs: number;
  /** medianEvidenceCallMs / medianWithoutMs. */
  evidenceCallShare: number;
  /** Per sweep with evidence: objects written and the states in them (one object of N states expected). */
  evidence: { objects: number; states: number };
  /** Extra DynamoDB requests per sweep with evidence: chain head and journal writes, reads. */
  ledgerRequests: { headWrites: number; journalWrites: number; reads: number };
}

export async function runEvidenceSweepBench(options: { sessions: number; pairs: number; seed?: number }): Promise<EvidenceSweepBench> {
  const emulator = await startJsonLineChild<EmulatorReady>('bench/emulator-process.ts', ['--now', String(BACKFILL_NOW_MS), '--sessions', String(options.sessions), '--seed', String(options.seed ?? 3)]);
  const dynalite = await startJsonLineChild<{ endpoint: string }>('bench/dynalite-process.ts', []);
  const folder = mkdtempSync(join(tmpdir(), 'evidence-bench-'));
  const dynamo = new DynamoDBClient({ region: BENCH_REGION, endpoint: dynalite.ready.endpoint, credentials: BENCH_CREDENTIALS });
  const documents = DynamoDBDocumentClient.from(dynamo);
  const ssm = new SSMClient({ region: BENCH_REGION, endpoint: emulator.ready.endpoint, credentials: BENCH_CREDENTIALS });
  const signer = KeyFileSigner.open(join(folder, 'evidence-key.pem'));
  const result: EvidenceSweepBench = {
    sessions: emulator.ready.open + emulator.ready.ended,
    withoutMs: [],
    withMs: [],
    medianWithoutMs: 0,
    medianWithMs: 0,
    overhead: 0,
    pairOverheads: [],
    medianEvidenceCallMs: 0,
    evidenceCallShare: 0,
    evidence: { objects: 0, states: 0 },
    ledgerRequests: { headWrites: 0, journalWrites: 0, reads: 0 },
  };
  const callMs: number[] = [];
  try {
    // Run 0 warms up (JIT, dynalite's first table) and is not counted.
    for (let run = -1; run < options.pairs * 2; run++) {
      const withEvidence = run % 2 === 1;
      const tableName = `evidence-bench-${run + 1}`;
      await ensureArchiveTable(dynamo, tableName);
      const ledger = new DynamoEvidenceLedger(documents, tableName);
      const waited = { ms: 0 };
      const evidence = withEvidence
        ? new EvidenceWriter({ signer: timed(signer, waited), store: timed(new FolderEvidenceStore(join(folder, String(run + 1))), waited), prefix: '', ledger: timed(ledger, waited) })
        : undefined;
      const source = new SsmSessionSource({ client: ssm, accountId: BENCH_ACCOUNT_ID, region: BENCH_REGION });
      const store = new DynamoArchiveStore({ client: documents, tableName });
      const started = performance.now();
      const outcome = await sweepTarget(source.scope, {
        store,
        clock: { now: () => Date.now() },
        openSource: async () => source,
        classify: classifyTargetFailure,
        ...(evidence ? { evidence } : {}),
      });
      const elapsed = performance.now() - started;
      if (outcome.status !== 'swept' || outcome.summary.written !== result.sessions) throw new Error(`sweep ${run} did not store all ${result.sessions} sessions`);
      if (run < 0) continue;
      (withEvidence ? result.withMs : result.withoutMs).push(elapsed);
      if (withEvidence) {
        callMs.push(waited.ms);
        result.evidence = { objects: outcome.summary.evidence?.objects ?? 0, states: outcome.summary.evidence?.states ?? 0 };
        result.ledgerRequests = { ...ledger.stats };
      }
      progress(`evidence bench: sweep ${run + 1} of ${options.pairs * 2} ${withEvidence ? 'with' : 'without'} evidence: ${elapsed.toFixed(0)} ms`);
    }
  } finally {
    ssm.destroy();
    dynamo.destroy();
    await Promise.all([emulator.stop(), dynalite.stop()]);
    rmSync(folder, { recursive: true, force: true });
  }
  result.medianWithoutMs = median(result.withoutMs);
  result.medianWithMs = median(result.withMs);
  result.overhead = result.medianWithMs / result.medianWithoutMs - 1;
  result.pairOverheads = result.withMs.map((ms, i) => ms / result.withoutMs[i] - 1);
  result.medianEvidenceCallMs = median(callMs);
  result.evidenceCallShare = result.medianEvidenceCallMs / result.medianWithoutMs;
  return result;
}

/** The object with every method that returns a promise timed into `waited` (the sign, put and ledger calls). */
function timed<T extends object>(target: T, waited: { ms: number }): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        const returned = (value as (...a: unknown[]) => unknown).apply(object, args);
        if (!(returned instanceof Promise)) return returned;
        return returned.finally(() => {
          waited.ms += performance.now() - started;
        });
      };
    },
  });
}

if (require.main === module) {
  const { values } = parseArgs({ options: { sessions: { type: 'string', default: '2000' }, pairs: { type: 'string', default: '5' } } });
  runEvidenceSweepBench({ sessions: Number(values.sessions), pairs: Number(values.pairs) })
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`evidence bench failed: ${errorText(error)}\n`);
      process.exitCode = 1;
    });
}
