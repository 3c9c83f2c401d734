/**
 * Shared set-up of the query API integration tests: an archive filled by real sweeps of the SSM
 * emulator into dynalite, the real DynamoDB reader over HTTP, and the handler the Lambda runs.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { sessionRecordFromItem } from '../../lambdas/adapters/dynamodb/archive-items';
import { migrateAddStartDay } from '../../lambdas/adapters/dynamodb/dynamodb-add-start-day';
import { DynamoSessionReader } from '../../lambdas/adapters/dynamodb/dynamodb-session-reader';
import { createApiHandler, type ApiHandler } from '../../lambdas/api/app';
import type { WorkBudget } from '../../lambdas/core/query/collect-page';
import type { SessionRecord } from '../../lambdas/core/session/session';
import { DAY_MS } from '../../lambdas/core/shared/time';
import { localLambdaContext, toProxyEvent } from '../../local/api-server';
import { startSweepRig, type SweepRig } from '../support/sweep-harness';

export const TOKEN_SECRET = 'integration-test-token-secret-0123456789';

export interface ArchiveSeed {
  count: number;
  seed: number;
  /** First and last session start. */
  fromMs: number;
  toMs: number;
}

export interface QueryApiRig {
  sweepRig: SweepRig;
  reader: DynamoSessionReader;
  handler: ApiHandler;
  /** Everything the archive holds, read back by a Scan: the ground truth of the tests. */
  archived: SessionRecord[];
  /** The (frozen) clock the handler resolves default ranges with. */
  now: number;
  call(url: string, method?: string): Promise<APIGatewayProxyResult>;
  close(): Promise<void>;
}

/**
 * Generates sessions in the emulator and sweeps them in 25-day steps, as a scheduled sweeper
 * would, so the archive spans many months although SSM only shows 30 days at a time.
 */
export async function startQueryApiRig(seed: ArchiveSeed, budget?: WorkBudget, options: { migrate?: boolean } = {}): Promise<QueryApiRig> {
  const sweepRig = await startSweepRig({ startMs: seed.fromMs + 5 * DAY_MS });
  sweepRig.emulator.generateSessions({ count: seed.count, seed: seed.seed, fromMs: seed.fromMs, toMs: seed.toMs });
  while (sweepRig.clock.now() < seed.toMs) {
    await sweepRig.sweep();
    sweepRig.clock.advance(25 * DAY_MS);
  }
  sweepRig.clock.set(seed.toMs + DAY_MS);
  await sweepRig.sweep();

  const documents = DynamoDBDocumentClient.from(sweepRig.dynamo);
  // Migrated: the time index is walked by day, within the archive's bounds (the deployed path).
  while (options.migrate === true && !(await migrateAddStartDay(documents, sweepRig.tableName)).complete);
  const archived = (await sweepRig.archived()).map((item) => sessionRecordFromItem(item as unknown as Record<string, unknown>));
  const reader = new DynamoSessionReader({ client: DynamoDBDocumentClient.from(sweepRig.dynamo), tableName: sweepRig.tableName });
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const now = sweepRig.clock.now();
  const handler = createApiHandler({
    reader,
    tokenSecret: TOKEN_SECRET,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'SessionArchiveTest' }),
    clock: { now: () => now },
    ...(budget ? { budget } : {}),
  });
  let requests = 0;
  return {
    sweepRig,
    reader,
    handler,
    archived,
    now,
    call: (url, method = 'GET') => {
      const requestId = `test-${++requests}`;
      return handler(toProxyEvent({ method, url }, requestId), localLambdaContext(requestId));
    },
    close: () => sweepRig.close(),
  };
}

/** GET /sessions followed through every nextToken; `pages` counts requests. */
export async function fetchAllPages(rig: QueryApiRig, search: URLSearchParams, maxPages = 10_000): Promise<{ sessions: SessionRecord[]; pages: number }> {
  const sessions: SessionRecord[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const params = new URLSearchParams(search);
    if (nextToken !== undefined) params.set('nextToken', nextToken);
    const response = await rig.call(`/sessions?${params.toString()}`);
    if (response.statusCode !== 200) throw new Error(`page ${pages + 1}: ${response.statusCode} ${response.body}`);
    const body = JSON.parse(response.body) as { sessions: SessionRecord[]; nextToken?: string };
    sessions.push(...body.sessions);
    nextToken = body.nextToken;
    pages++;
  } while (nextToken !== undefined && pages < maxPages);
  if (nextToken !== undefined) throw new Error(`still a nextToken after ${maxPages} pages`);
  return { sessions, pages };
}
