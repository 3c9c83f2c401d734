/**
 * A local stack for the console's tests: dynalite, the SSM emulator on a manual clock, the real
 * sweeper with the in-process compliance check, and the local API (which serves the console at
 * `/`). The sweeper sweeps once, goes dark for 31 days and sweeps again, so coverage holds a gap
 * the test created and knows from the sweep's own report. An Alibaba Cloud account sits next to
 * it (test/support/console-alibaba.ts): one region swept, one whose key is refused.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoArchiveStore } from '../../lambdas/adapters/dynamodb/dynamodb-archive-store';
import { ensureArchiveTable } from '../../lambdas/adapters/dynamodb/ensure-table';
import { SsmSessionSource } from '../../lambdas/adapters/aws/ssm-session-source';
import { sweep, type SweepSummary } from '../../lambdas/core/sweep/sweep';
import { DAY_MS, HOUR_MS } from '../../lambdas/core/shared/time';
import { startApiService } from '../../bin/commands/api';
import { startEmbeddedStore } from '../../local/embedded-store';
import { readComplianceRulesFromCdkJson, wireLocalEvents } from '../../local/in-process-bus';
import { generateSessions, ManualClock, startSsmEmulator, type EmulatedSession } from '../../local/ssm-emulator';
import { addConsoleAlibaba, type ConsoleAlibaba } from './console-alibaba';

export const CONSOLE_ACCOUNT = '123456789012';
export const CONSOLE_REGION = 'eu-west-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface ConsoleStack {
  apiUrl: string;
  /** When the first sweep ran; the second ran 31 days later. */
  t0: number;
  sessions: EmulatedSession[];
  sweeps: SweepSummary[];
  /** Alibaba sessions start from t0 + 25 days, after every SSM search the tests make. */
  alibaba: ConsoleAlibaba;
  dynamodbEndpoint: string;
  tableName: string;
  close(): Promise<void>;
}

export async function startConsoleStack(options: { sessions: number; seed: number }): Promise<ConsoleStack> {
  // Recent enough that the API's default `to` (tomorrow) includes everything.
  const t0 = Math.floor((Date.now() - 50 * DAY_MS) / HOUR_MS) * HOUR_MS;
  const clock = new ManualClock(t0);
  const emulator = await startSsmEmulator({ clock });
  const store = await startEmbeddedStore();
  const tableName = `console-${process.pid}`;
  const dynamo = new DynamoDBClient({ region: CONSOLE_REGION, endpoint: store.endpoint, credentials });
  const documents = DynamoDBDocumentClient.from(dynamo);
  await ensureArchiveTable(dynamo, tableName);
  // Sessions of at most 14 hours: the ones over 12 break the max-duration rule (cdk.json) and give findings.
  const sessions = generateSessions({ count: options.sessions, seed: options.seed, fromMs: t0 - 20 * DAY_MS, toMs: t0 + 30 * DAY_MS, openFraction: 0 }).map((session) => ({
    ...session,
    endMs: Math.min(session.endMs ?? Number.POSITIVE_INFINITY, session.startMs + 14 * HOUR_MS),
  }));
  emulator.addSessions(sessions);
  const ssm = new SSMClient({ region: CONSOLE_REGION, endpoint: emulator.endpoint, credentials });
  const source = new SsmSessionSource({ client: ssm, accountId: CONSOLE_ACCOUNT, region: CONSOLE_REGION, clock });
  const events = wireLocalEvents({ documents, tableName, rules: readComplianceRulesFromCdkJson(), accountId: CONSOLE_ACCOUNT, region: CONSOLE_REGION });
  const archive = new DynamoArchiveStore({ client: documents, tableName });
  const sweeps: SweepSummary[] = [];
  sweeps.push(await sweep({ source, store: archive, clock, events: events.sink }, {}));
  clock.set(t0 + 31 * DAY_MS);
  sweeps.push(await sweep({ source, store: archive, clock, events: events.sink }, {}));
  const alibaba = await addConsoleAlibaba({ store: archive, clock, events: events.sink }, t0 + 25 * DAY_MS, t0 + 30 * DAY_MS, options.seed);
  await events.settled();
  const api = await startApiService({ table: tableName, dynamodbEndpoint: store.endpoint, port: 0, host: '127.0.0.1', region: CONSOLE_REGION });
  return {
    apiUrl: api.url,
    t0,
    sessions,
    sweeps,
    alibaba,
    dynamodbEndpoint: store.endpoint,
    tableName,
    close: async () => {
      await api.close();
      ssm.destroy();
      dynamo.destroy();
      await emulator.close();
      await alibaba.emulator.close();
      await store.close();
    },
  };
}
