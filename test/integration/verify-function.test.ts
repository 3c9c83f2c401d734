/**
 * The scheduled verify function (lambdas/verify/handler.ts) as Lambda runs it: its table is
 * dynalite over HTTP, its bus the in-process bus behind the PutEvents API, both through the real
 * SDK clients. The bucket is the one part without a local server: aws-sdk-client-mock answers the
 * S3 client's GetObject and ListObjectsV2 (one key a page, so continuation tokens are followed)
 * from a folder the real sweep wrote its evidence to, under the deployed prefix `evidence/`.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { DynamoEvidenceLedger } from '../../lambdas/adapters/dynamodb/dynamodb-evidence-ledger';
import { FolderEvidenceStore } from '../../lambdas/adapters/local/folder-evidence-store';
import { KeyFileSigner } from '../../lambdas/adapters/local/key-file-signer';
import { classifyTargetFailure } from '../../lambdas/adapters/aws/target-failures';
import { EvidenceWriter } from '../../lambdas/core/evidence/writer';
import { archiveIntegrityViolationDetailSchema } from '../../lambdas/core/events/detail-schemas';
import { scopeKey, type SessionRecord } from '../../lambdas/core/session/session';
import { sweepTarget } from '../../lambdas/core/sweep/target-sweep';
import { DAY_MS } from '../../lambdas/core/shared/time';
import { InProcessEventBus, startEventBridgeEndpoint, type EventBridgeEndpoint } from '../../local/in-process-bus';
import { ACCOUNT_ID, REGION, startSweepRig, type SweepRig } from '../support/sweep-harness';

const t0 = Date.UTC(2026, 5, 1);
const s3 = mockClient(S3Client);

let rig: SweepRig;
let folder: string;
let bus: InProcessEventBus;
let endpoint: EventBridgeEndpoint;
let target: string;
let handler: (event: unknown, context: Context) => Promise<{ ok: boolean; records: number; evidenceObjects: number; violations: number }>;

const context = { functionName: 'verify', awsRequestId: 'req-1', invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:verify`, getRemainingTimeInMillis: () => 900_000 } as unknown as Context;

beforeAll(async () => {
  rig = await startSweepRig({ startMs: t0 });
  folder = mkdtempSync(join(tmpdir(), 'verify-function-'));
  const store = new FolderEvidenceStore(join(folder, 'bucket'));
  const writer = new EvidenceWriter({ signer: KeyFileSigner.open(join(folder, 'key.pem')), store, prefix: 'evidence', ledger: new DynamoEvidenceLedger(DynamoDBDocumentClient.from(rig.dynamo), rig.tableName), maxStatesPerObject: 25 });
  const source = rig.source();
  target = scopeKey(source.scope);
  rig.emulator.generateSessions({ count: 80, seed: 3, fromMs: t0 - 5 * DAY_MS, toMs: t0, openFraction: 0.1 });
  const result = await sweepTarget(source.scope, { store: rig.store, clock: rig.clock, evidence: writer, openSource: async () => source, classify: classifyTargetFailure });
  expect(result.status).toBe('swept');

  // The bucket, read from the folder: keys are the same, as layout.ts lays them out in both.
  s3.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
    expect(input.Bucket).toBe('evidence-bucket');
    const bytes = await store.getObject(input.Key);
    if (bytes === undefined) throw new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' });
    return { Body: { transformToByteArray: async () => new Uint8Array(bytes) } };
  });
  s3.on(ListObjectsV2Command).callsFake(async (input: { Prefix?: string; ContinuationToken?: string }) => {
    const keys: string[] = [];
    for await (const key of store.listKeys(input.Prefix ?? '')) keys.push(key);
    const start = Number(input.ContinuationToken ?? 0);
    const page = keys.slice(start, start + 1);
    const more = start + 1 < keys.length;
    return { Contents: page.map((Key) => ({ Key })), IsTruncated: more, ...(more ? { NextContinuationToken: String(start + 1) } : {}) };
  });

  bus = new InProcessEventBus({ account: ACCOUNT_ID, region: REGION });
  endpoint = await startEventBridgeEndpoint(bus);
  Object.assign(process.env, {
    TABLE_NAME: rig.tableName,
    EVIDENCE_BUCKET: 'evidence-bucket',
    EVIDENCE_PREFIX: 'evidence',
    EVENT_BUS_NAME: 'session-archive',
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    DYNAMODB_ENDPOINT: rig.storeEndpoint,
    EVENTS_ENDPOINT: endpoint.endpoint,
    POWERTOOLS_SERVICE_NAME: 'SessionArchive-verify',
  });
  ({ handler } = (await import('../../lambdas/verify/handler')) as unknown as { handler: typeof handler });
}, 120_000);

afterAll(async () => {
  s3.restore();
  await endpoint?.close();
  await rig?.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Runs the handler once; returns its result and the IntegrityViolations value it emitted. */
async function invoke(): Promise<{ result: Awaited<ReturnType<typeof handler>>; violationsMetric: number | undefined }> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const result = await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, context);
    const emf = lines.flatMap((line) => line.split('\n')).filter((line) => line.includes('"IntegrityViolations"'));
    const metric = emf.length === 0 ? undefined : (JSON.parse(emf.at(-1) as string) as { IntegrityViolations: number }).IntegrityViolations;
    return { result, violationsMetric: metric };
  } finally {
    spy.mockRestore();
  }
}

describe('the scheduled verify function', () => {
  it('verifies an untouched archive: no event, IntegrityViolations 0', async () => {
    const records = (await rig.archived()) as SessionRecord[];
    const objects = readdirSync(join(folder, 'bucket', 'evidence', target)).filter((name) => name.endsWith('.jsonl.gz')).length;
    const { result, violationsMetric } = await invoke();
    expect(result).toEqual({ ok: true, records: records.length, evidenceObjects: objects, violations: 0 });
    expect(violationsMetric).toBe(0);
    expect(bus.events).toEqual([]);
    // Every page of the listing was read.
    expect(s3.commandCalls(ListObjectsV2Command).length).toBe(objects + 1);
  });

  it('publishes Archive Integrity Violation naming a record changed in the table, and reports it in the metric', async () => {
    const victim = ((await rig.archived()) as SessionRecord[])[9] as SessionRecord;
    await DynamoDBDocumentClient.from(rig.dynamo).send(
      new UpdateCommand({ TableName: rig.tableName, Key: { pk: `SESSION#${victim.sessionId}`, sk: target }, UpdateExpression: 'SET #reason = :reason', ExpressionAttributeNames: { '#reason': 'reason' }, ExpressionAttributeValues: { ':reason': 'approved by nobody' } }),
    );
    const { result, violationsMetric } = await invoke();
    expect(result).toMatchObject({ ok: false, violations: 1 });
    expect(violationsMetric).toBe(1);
    expect(bus.events.map((event) => event['detail-type'])).toEqual(['Archive Integrity Violation']);
    const detail = bus.events[0]?.detail;
    expect(z.safeParse(archiveIntegrityViolationDetailSchema, detail).error?.issues ?? []).toEqual([]);
    expect(detail).toMatchObject({ counts: { changed: 1 }, omitted: 0, violations: [{ kind: 'changed', target, sessionId: victim.sessionId }] });
  });
});
