/**
 * A real Alibaba sweep rig: the Alibaba ECS emulator (official SDK over HTTP, V3 signatures) and
 * dynalite, the real adapters, and ground truth from what the emulator's listings showed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { AlibabaTerminalSource } from '../../lambdas/adapters/alibaba/alibaba-terminal-source';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import type { UnfilteredSessionSource } from '../../lambdas/core/sweep/ports';
import type { ObservedSession, SessionRecord } from '../../lambdas/core/session/session';
import { toObservedAlibabaSession } from '../../lambdas/core/sources/alibaba/alibaba-session';
import type { SweepOptions, SweepSummary } from '../../lambdas/core/sweep/sweep';
import { sweepUnfiltered } from '../../lambdas/core/sweep/unfiltered-sweep';
import { startEmbeddedStore, type EmbeddedStore } from '../../local/embedded-store';
import { ManualClock, startAlibabaEmulator, type AlibabaEmulator, type AlibabaEmulatorOptions } from '../../local/emulators/alibaba';
import { countRequests } from '../../local/request-counter';
import { TEST_KEY } from './alibaba';

export const ALIBABA_ACCOUNT = 'prod-cn';
export const ALIBABA_REGION = 'cn-hangzhou';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface AlibabaSweepRig {
  emulator: AlibabaEmulator;
  clock: ManualClock;
  store: DynamoArchiveStore;
  /** The archive table and its client, for tests that add their own adapters (the evidence ledger). */
  documents: DynamoDBDocumentClient;
  tableName: string;
  source: AlibabaTerminalSource;
  dynamoCalls: Record<string, number>;
  sweep(options?: SweepOptions & { source?: UnfilteredSessionSource }): Promise<SweepSummary>;
  archived(): Promise<SessionRecord[]>;
  close(): Promise<void>;
}

let tables = 0;

export async function startAlibabaSweepRig(startMs: number, options: Partial<AlibabaEmulatorOptions> = {}): Promise<AlibabaSweepRig> {
  const clock = new ManualClock(startMs);
  const emulator = await startAlibabaEmulator({ accessKeys: [TEST_KEY], clock, ...options });
  const dynalite: EmbeddedStore = await startEmbeddedStore();
  const dynamo = new DynamoDBClient({ region: 'eu-west-1', endpoint: dynalite.endpoint, credentials });
  const dynamoCalls = countRequests(dynamo);
  const tableName = `alibaba-${process.pid}-${++tables}`;
  await ensureArchiveTable(dynamo, tableName);
  const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const store = new DynamoArchiveStore({ client: documents, tableName });
  // Retries as in production, without spending real seconds waiting.
  const source = new AlibabaTerminalSource({ ...TEST_KEY, accountLabel: ALIBABA_ACCOUNT, region: ALIBABA_REGION, endpoint: emulator.url, clock, retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 8 } });
  return {
    emulator,
    clock,
    store,
    documents,
    tableName,
    source,
    dynamoCalls,
    sweep: ({ source: custom, ...sweepOptions } = {}) => sweepUnfiltered({ source: custom ?? source, store, clock }, sweepOptions),
    archived: async () => {
      const records: SessionRecord[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
        for (const item of page.Items ?? []) if (String(item.pk).startsWith('SESSION#')) records.push(item as SessionRecord);
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return records;
    },
    close: async () => {
      dynamo.destroy();
      await emulator.close();
      await dynalite.close();
    },
  };
}

/** Every session a listing showed, in the last shape shown: the archive must hold each, exactly so. */
export function shownTruth(emulator: AlibabaEmulator): Map<string, ObservedSession> {
  const truth = new Map<string, ObservedSession>();
  for (const [sessionId, summary] of emulator.shown.summaries()) truth.set(sessionId, toObservedAlibabaSession(summary.last));
  return truth;
}

const FIELDS = ['sessionId', 'target', 'status', 'startDate', 'endDate', 'owner', 'username', 'identityType', 'clientIp', 'portNumber', 'targetServer', 'instanceIds', 'connections'] as const;

/** Differences between the archive and what the emulator showed (empty = every shown session archived once, as last shown). */
export async function diffAgainstShown(rig: AlibabaSweepRig): Promise<string[]> {
  const problems: string[] = [];
  const byId = new Map<string, SessionRecord>();
  for (const record of await rig.archived()) {
    if (byId.has(record.sessionId)) problems.push(`duplicate ${record.sessionId}`);
    byId.set(record.sessionId, record);
  }
  for (const [sessionId, shown] of shownTruth(rig.emulator)) {
    const record = byId.get(sessionId);
    if (!record) {
      problems.push(`missing ${sessionId} (created ${shown.startDate})`);
      continue;
    }
    for (const field of FIELDS) {
      if (JSON.stringify(record[field]) !== JSON.stringify(shown[field])) problems.push(`${sessionId} ${field}: ${JSON.stringify(record[field])} != ${JSON.stringify(shown[field])}`);
    }
  }
  for (const sessionId of byId.keys()) if (!rig.emulator.shown.summary(sessionId)) problems.push(`archived but never shown: ${sessionId}`);
  return problems;
}
