/**
 * The query function's token key from Secrets Manager, through the real
 * @aws-sdk/client-secrets-manager against the emulator: each cold start reads AWSCURRENT and
 * AWSPREVIOUS once; a token survives one rotation and is a 400 after the second; a secret that
 * cannot be read fails requests with a generic 500 until it can, then the API works.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { DynamoSessionReader } from '../../lambdas/adapters/dynamodb/dynamodb-session-reader';
import { createSecretsManagerClient, SecretsManagerTokenSecrets, TokenSecretError } from '../../lambdas/adapters/aws/secrets-manager-token-secrets';
import { createApiHandler } from '../../lambdas/api/app';
import { createDeferredApiHandler } from '../../lambdas/api/deferred-handler';
import { errorBodySchema, sessionsPageSchema } from '../../lambdas/core/query/response-schemas';
import { DAY_MS } from '../../lambdas/core/shared/time';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from '../../local/emulators/secrets-manager';
import { localLambdaContext, toProxyEvent } from '../../local/api-server';
import { REGION, startSweepRig, type SweepRig } from '../support/sweep-harness';

const T0 = Date.UTC(2026, 2, 1);
const QUERY = '/sessions?from=2026-02-01&to=2026-03-02&limit=5';

let rig: SweepRig;
let secretsManager: SecretsManagerEmulator;
let reader: DynamoSessionReader;
beforeAll(async () => {
  rig = await startSweepRig({ startMs: T0 });
  rig.emulator.generateSessions({ count: 40, seed: 4, fromMs: T0 - 20 * DAY_MS, toMs: T0 });
  await rig.sweep();
  reader = new DynamoSessionReader({ client: DynamoDBDocumentClient.from(rig.dynamo), tableName: rig.tableName });
  secretsManager = await startSecretsManagerEmulator({ region: REGION });
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
}, 60_000);
afterAll(async () => {
  await secretsManager?.close();
  await rig?.close();
});

/** What one cold start of the query function builds. */
function coldStart(secretId: string) {
  const client = createSecretsManagerClient({ region: REGION, endpoint: secretsManager.endpoint });
  const logger = new Logger({ logLevel: 'SILENT' });
  const handler = createDeferredApiHandler({
    secrets: new SecretsManagerTokenSecrets({ client, secretId }),
    logger,
    build: (secrets) =>
      createApiHandler({
        reader,
        tokenSecret: secrets.current,
        ...(secrets.previous === undefined ? {} : { previousTokenSecret: secrets.previous }),
        logger,
        metrics: new Metrics({ namespace: 'SessionArchiveTest' }),
        clock: { now: () => T0 },
      }),
  });
  let requests = 0;
  return async (url: string) => {
    const id = `r${++requests}`;
    const response = await handler(toProxyEvent({ method: 'GET', url }, id), localLambdaContext(id));
    return { status: response.statusCode, body: JSON.parse(response.body) as unknown };
  };
}

async function tokenFrom(call: ReturnType<typeof coldStart>): Promise<string> {
  const response = await call(QUERY);
  expect(response.status).toBe(200);
  const token = z.parse(sessionsPageSchema, response.body).nextToken;
  if (token === undefined) throw new Error('expected a second page');
  return token;
}

describe('token key from Secrets Manager', () => {
  it('reads both versions once per cold start; a token outlives one rotation, not two', async () => {
    const arn = secretsManager.createSecret('query-token-key', 'k'.repeat(40));
    const before = secretsManager.requests.length;
    const first = coldStart(arn);
    const oldToken = await tokenFrom(first);
    await tokenFrom(first);
    expect(secretsManager.requests.slice(before).map((request) => request.versionStage).sort()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);

    secretsManager.rotateSecret(arn, 'l'.repeat(40));
    const second = coldStart(arn);
    expect((await second(`${QUERY}&nextToken=${oldToken}`)).status).toBe(200);
    const newToken = await tokenFrom(second);

    secretsManager.rotateSecret(arn, 'm'.repeat(40));
    const third = coldStart(arn);
    const refused = await third(`${QUERY}&nextToken=${oldToken}`);
    expect(refused.status).toBe(400);
    expect(z.parse(errorBodySchema, refused.body).error.message).toMatch(/no longer accepts \(the token key was rotated\)/);
    expect((await third(`${QUERY}&nextToken=${newToken}`)).status).toBe(200);
  });

  it('refuses a secret too short to be a key, without revealing it', async () => {
    const arn = secretsManager.createSecret('short-token-key', 'tiny-secret-value');
    const source = new SecretsManagerTokenSecrets({ client: createSecretsManagerClient({ region: REGION, endpoint: secretsManager.endpoint }), secretId: arn });
    const failure = await source.load().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TokenSecretError);
    expect((failure as Error).message).toBe(`secret ${arn} (AWSCURRENT) is shorter than 32 characters`);
  });

  it('answers a generic 500 while the secret cannot be read, and recovers once it can', async () => {
    const call = coldStart('query-token-key-not-yet-created');
    const failed = await call(QUERY);
    expect(failed.status).toBe(500);
    expect(z.parse(errorBodySchema, failed.body).error.code).toBe('InternalError');
    expect(JSON.stringify(failed.body)).not.toMatch(/ResourceNotFound|secret/i);
    secretsManager.createSecret('query-token-key-not-yet-created', 'n'.repeat(40));
    expect((await call(QUERY)).status).toBe(200);
  });
});
