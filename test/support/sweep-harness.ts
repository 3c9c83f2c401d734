/**
 * A real sweep rig for tests: the SSM emulator and dynalite over HTTP, the real SDK clients,
 * and counters on each client so a test can count requests by operation.
 */
import { countRequests } from '../../local/request-counter';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { SsmSessionSource } from '../../lambdas/adapters/aws/ssm-session-source';
import type { SessionSource } from '../../lambdas/core/sweep/ports';
import type { SessionRecord } from '../../lambdas/core/session/session';
import { sweep, type SweepOptions, type SweepSummary } from '../../lambdas/core/sweep/sweep';
import { toIso } from '../../lambdas/core/shared/time';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { ManualClock, startSsmEmulator, type EmulatedSession, type EmulatorOptions, type SsmEmulator } from '../../local/ssm-emulator';

export const ACCOUNT_ID = '123456789012';
export const REGION = 'eu-west-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface SweepRig {
  emulator: SsmEmulator;
  clock: ManualClock;
  store: DynamoArchiveStore;
  dynamo: DynamoDBClient;
  /** The dynalite endpoint, for code that builds its own clients (the local API). */
  storeEndpoint: string;
  ssm: SSMClient;
  ssmCalls: Record<string, number>;
  dynamoCalls: Record<string, number>;
  tableName: string;
  source(options?: { maxAttempts?: number }): SsmSessionSource;
  sweep(options?: SweepOptions & { source?: SessionSource }): Promise<SweepSummary>;
  /** Every session item in the archive (a Scan: fine for a test's ground-truth check). */
  archived(): Promise<SessionRecord[]>;
  close(): Promise<void>;
}

let tableCounter = 0;

export async function startSweepRig(options: { emulator?: EmulatorOptions; startMs?: number } = {}): Promise<SweepRig> {
  const clock = new ManualClock(options.startMs ?? Date.UTC(2026, 0, 1));
  const emulator = await startSsmEmulator({ clock, ...options.emulator });
  const dynalite: EmbeddedStore = await startEmbeddedStore();
  const dynamo = new DynamoDBClient({ region: REGION, endpoint: dynalite.endpoint, credentials });
  const dynamoCalls = countRequests(dynamo);
  const tableName = `archive-${process.pid}-${++tableCounter}`;
  await ensureArchiveTable(dynamo, tableName);
  const documents = DynamoDBDocumentClient.from(dynamo);
  const store = new DynamoArchiveStore({ client: documents, tableName });
  // The SDK's own retry logic with short back-offs: injected faults are retried as in production,
  // without spending real seconds waiting.
  const makeSsm = (maxAttempts = 8) =>
    new SSMClient({ region: REGION, endpoint: emulator.endpoint, credentials, retryStrategy: new ConfiguredRetryStrategy(maxAttempts, (attempt) => 5 * attempt) });
  const ssm = makeSsm();
  const ssmCalls = countRequests(ssm);
  const source = (sourceOptions: { maxAttempts?: number } = {}) =>
    new SsmSessionSource({
      client: sourceOptions.maxAttempts === undefined ? ssm : makeSsm(sourceOptions.maxAttempts),
      accountId: ACCOUNT_ID,
      region: REGION,
      clock,
    });
  const defaultSource = source();

  return {
    emulator,
    clock,
    store,
    dynamo,
    storeEndpoint: dynalite.endpoint,
    ssm,
    ssmCalls,
    dynamoCalls,
    tableName,
    source,
    sweep: ({ source: custom, ...sweepOptions } = {}) => sweep({ source: custom ?? defaultSource, store, clock }, sweepOptions),
    archived: async () => {
      const records: SessionRecord[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
        for (const item of page.Items ?? []) {
          if (String(item.pk).startsWith('SESSION#')) records.push(item as SessionRecord);
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return records;
    },
    close: async () => {
      ssm.destroy();
      dynamo.destroy();
      await emulator.close();
      await dynalite.close();
    },
  };
}

/** The archived fields a session must have once it ended, straight from the emulator's ground truth. */
export function expectedFinalRecord(session: EmulatedSession): Partial<SessionRecord> {
  const expected: Partial<SessionRecord> = {
    sessionId: session.sessionId,
    target: session.target,
    owner: session.owner,
    status: session.endStatus,
    startDate: toIso(session.startMs),
    accessType: session.accessType,
    accountId: ACCOUNT_ID,
    region: REGION,
    source: 'ssm',
  };
  if (session.endMs !== null) expected.endDate = toIso(session.endMs);
  if (session.documentName !== undefined) expected.documentName = session.documentName;
  if (session.reason !== undefined) expected.reason = session.reason;
  if (session.details !== undefined) expected.details = session.details;
  if (session.maxSessionDuration !== undefined) expected.maxSessionDuration = session.maxSessionDuration;
  if (session.outputUrl !== undefined) expected.outputUrl = session.outputUrl;
  return expected;
}

/** Sessions that were listed in History at some point up to now: the archive must hold every one. */
export function groundTruth(emulator: SsmEmulator): EmulatedSession[] {
  return emulator.allSessions().filter((session) => emulator.everInHistory(session));
}

/**
 * Compares the archive against the ground truth; returns human-readable differences (empty = equal).
 * Every session ever in History must be archived with its final fields, exactly once.
 */
export async function diffArchive(rig: SweepRig): Promise<string[]> {
  const archived = await rig.archived();
  const problems: string[] = [];
  const byId = new Map<string, SessionRecord>();
  for (const record of archived) {
    if (byId.has(record.sessionId)) problems.push(`duplicate ${record.sessionId}`);
    byId.set(record.sessionId, record);
  }
  for (const session of groundTruth(rig.emulator)) {
    const record = byId.get(session.sessionId);
    if (!record) {
      problems.push(`missing ${session.sessionId} (start ${toIso(session.startMs)})`);
      continue;
    }
    const expected = expectedFinalRecord(session);
    for (const [field, value] of Object.entries(expected)) {
      const actual = (record as unknown as Record<string, unknown>)[field];
      if (JSON.stringify(actual) !== JSON.stringify(value)) problems.push(`${session.sessionId} ${field}: ${JSON.stringify(actual)} != ${JSON.stringify(value)}`);
    }
  }
  return problems;
}

export { countRequests };
