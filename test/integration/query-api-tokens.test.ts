/**
 * Pagination tokens through the handler the Lambda runs, over a real archive (SSM emulator →
 * sweeper → dynalite): an expired token, a token of a rotated-out key and a token whose query
 * fingerprint was tampered with each get a 400 that says what to do; a token signed before a
 * rotation still works after it. Each request's normalised filters are logged, never its page.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { DynamoSessionReader } from '../../lambdas/adapters/dynamodb/dynamodb-session-reader';
import { createApiHandler, type ApiDependencies } from '../../lambdas/api/app';
import { errorBodySchema, sessionsPageSchema } from '../../lambdas/core/query/response-schemas';
import { DAY_MS } from '../../lambdas/core/shared/time';
import { localLambdaContext, toProxyEvent } from '../../local/api-server';
import { startSweepRig, type SweepRig } from '../support/sweep-harness';

const T0 = Date.UTC(2026, 2, 1);
const OLD_SECRET = 'token-secret-before-rotation-0123456789';
const NEW_SECRET = 'token-secret-after-the-rotation-012345';
const NEWEST_SECRET = 'token-secret-after-two-rotations-0123456';
const QUERY = '/sessions?from=2026-02-01&to=2026-03-02&limit=5';

let rig: SweepRig;
let reader: DynamoSessionReader;
let now = T0;
beforeAll(async () => {
  rig = await startSweepRig({ startMs: T0 });
  rig.emulator.generateSessions({ count: 60, seed: 3, fromMs: T0 - 20 * DAY_MS, toMs: T0 });
  await rig.sweep();
  reader = new DynamoSessionReader({ client: DynamoDBDocumentClient.from(rig.dynamo), tableName: rig.tableName });
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
}, 60_000);
afterAll(async () => rig?.close());

function api(secrets: Pick<ApiDependencies, 'tokenSecret' | 'previousTokenSecret' | 'tokenTtlSeconds'>, logger = new Logger({ logLevel: 'SILENT' })) {
  const handler = createApiHandler({ reader, ...secrets, logger, metrics: new Metrics({ namespace: 'SessionArchiveTest' }), clock: { now: () => now } });
  let requests = 0;
  return async (url: string, userArn?: string) => {
    const id = `r${++requests}`;
    const event = toProxyEvent({ method: 'GET', url }, id);
    if (userArn !== undefined) event.requestContext.identity.userArn = userArn;
    const response = await handler(event, localLambdaContext(id));
    return { status: response.statusCode, body: JSON.parse(response.body) as unknown };
  };
}

async function firstToken(call: ReturnType<typeof api>): Promise<string> {
  const first = await call(QUERY);
  expect(first.status).toBe(200);
  const page = z.parse(sessionsPageSchema, first.body);
  expect(page.sessions).toHaveLength(5);
  if (page.nextToken === undefined) throw new Error('expected a second page');
  return page.nextToken;
}

function errorOf(response: { status: number; body: unknown }): { code: string; message: string } {
  expect(response.status).toBe(400);
  return z.parse(errorBodySchema, response.body).error;
}

describe('pagination tokens at the API', () => {
  it('an expired token is a 400 that says it expired and what to do', async () => {
    now = T0;
    const call = api({ tokenSecret: NEW_SECRET, tokenTtlSeconds: 3600 });
    const token = await firstToken(call);
    now = T0 + 3_599_000;
    expect((await call(`${QUERY}&nextToken=${token}`)).status).toBe(200);
    now = T0 + 3_600_000;
    expect(errorOf(await call(`${QUERY}&nextToken=${token}`))).toEqual({
      code: 'ExpiredNextToken',
      message: `nextToken expired at ${new Date(T0 + 3_600_000).toISOString()} (tokens are valid for 1 hour after they are issued): start the query again without it`,
    });
  });

  it('a token survives one rotation and is a 400 once its key is rotated out', async () => {
    now = T0;
    const oldToken = await firstToken(api({ tokenSecret: OLD_SECRET }));
    const afterRotation = api({ tokenSecret: NEW_SECRET, previousTokenSecret: OLD_SECRET });
    expect((await afterRotation(`${QUERY}&nextToken=${oldToken}`)).status).toBe(200);
    const afterTwo = api({ tokenSecret: NEWEST_SECRET, previousTokenSecret: NEW_SECRET });
    const error = errorOf(await afterTwo(`${QUERY}&nextToken=${oldToken}`));
    expect(error.code).toBe('InvalidNextToken');
    expect(error.message).toMatch(/key this API no longer accepts \(the token key was rotated\).*start the query again without it/);
  });

  it('a token whose query fingerprint was changed is a 400', async () => {
    now = T0;
    const call = api({ tokenSecret: NEW_SECRET });
    const [keyId, body, signature] = (await firstToken(call)).split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { q: string };
    payload.q = `${payload.q.slice(0, 21)}${payload.q.endsWith('A') ? 'B' : 'A'}`;
    const tampered = `${keyId}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    expect(errorOf(await call(`${QUERY}&nextToken=${tampered}`))).toEqual({ code: 'InvalidNextToken', message: 'nextToken was not issued by this API or was altered' });
  });

  it('logs who asked for which normalised filters, and nothing of the page', async () => {
    now = T0;
    const logger = new Logger({ logLevel: 'SILENT' });
    const info = vi.spyOn(logger, 'info');
    const call = api({ tokenSecret: NEW_SECRET }, logger);
    const caller = 'arn:aws:sts::123456789012:assumed-role/Auditor/alice';
    const response = await call('/sessions?from=2026-02-01T01:00:00%2B01:00&status=Terminated&reason=INC&limit=3', caller);
    expect(response.status).toBe(200);
    const page = z.parse(sessionsPageSchema, response.body);
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0]).toEqual([
      'request',
      {
        route: 'listSessions',
        caller,
        filters: { from: '2026-02-01T00:00:00.000Z', status: 'Terminated', reason: 'INC' },
        order: 'desc',
        limit: 3,
        format: 'json',
        resumed: false,
      },
    ]);
    const logged = JSON.stringify(info.mock.calls);
    for (const session of page.sessions) expect(logged).not.toContain(session.sessionId);
  });
});
