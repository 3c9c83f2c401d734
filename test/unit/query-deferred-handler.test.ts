/**
 * The query Lambda's entry point waits for its token secrets: read once at cold start, reused by
 * every request; while they cannot be read, each request gets the generic 500 and the next one
 * tries again.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { ApiHandler } from '../../lambdas/api/app';
import { createDeferredApiHandler } from '../../lambdas/api/deferred-handler';
import type { TokenSecrets } from '../../lambdas/core/query/page-token';
import { localLambdaContext, toProxyEvent } from '../../local/api-server';

const ok: APIGatewayProxyResult = { statusCode: 200, body: '{}' };

function rig(outcomes: Array<TokenSecrets | Error>) {
  let loads = 0;
  const built: TokenSecrets[] = [];
  const logged: string[] = [];
  const handler = createDeferredApiHandler({
    secrets: {
      load: async () => {
        const outcome = outcomes[Math.min(loads++, outcomes.length - 1)];
        if (outcome instanceof Error || outcome === undefined) throw outcome ?? new Error('no outcome');
        return outcome;
      },
    },
    logger: { error: (message: string) => void logged.push(message) },
    build: (secrets): ApiHandler => {
      built.push(secrets);
      return async () => ok;
    },
  });
  const call = (id: string) => handler(toProxyEvent({ method: 'GET', url: '/coverage' }, id), localLambdaContext(id));
  return { call, built, logged, loads: () => loads };
}

describe('the deferred query handler', () => {
  it('loads the secrets once, before the first request, and reuses them', async () => {
    const secrets = { current: 'c'.repeat(32), previous: 'p'.repeat(32) };
    const { call, built, loads } = rig([secrets]);
    expect(loads()).toBe(1);
    expect(await call('a')).toBe(ok);
    expect(await call('b')).toBe(ok);
    expect(loads()).toBe(1);
    expect(built).toEqual([secrets]);
  });

  it('answers a generic 500 while loading fails, logs why, and retries on the next request', async () => {
    const { call, logged, loads } = rig([new Error('AccessDeniedException: not allowed'), { current: 'c'.repeat(32) }]);
    const failed = await call('req-1');
    expect(failed.statusCode).toBe(500);
    expect(JSON.parse(failed.body)).toEqual({ error: { code: 'InternalError', message: 'the request could not be completed (request id req-1); it has been logged' } });
    expect(logged).toEqual(['the pagination-token secret could not be loaded; requests fail until it can be']);
    expect(await call('req-2')).toBe(ok);
    expect(loads()).toBe(2);
  });
});
