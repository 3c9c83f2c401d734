/**
 * The Lambda entry point of an API whose token secrets come from a remote store: the read starts
 * at cold start (module load), the first request waits for it, every later one reuses it. If it
 * fails, the request gets the generic 500 (the cause goes to the log) and the next request tries
 * again: a fixed secret or permission heals the function without a redeploy.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { TokenSecrets } from '../core/query/page-token';
import type { TokenSecretSource } from '../core/query/ports';
import type { ApiHandler } from './app';
import { internalErrorResponse } from './http';

export interface DeferredApiOptions {
  secrets: TokenSecretSource;
  build: (secrets: TokenSecrets) => ApiHandler;
  logger: Pick<Logger, 'error'>;
}

export function createDeferredApiHandler(options: DeferredApiOptions): ApiHandler {
  const start = (): Promise<ApiHandler> => {
    const loading = options.secrets.load().then(options.build);
    // Reported by the request that awaits it, not as an unhandled rejection.
    loading.catch(() => undefined);
    return loading;
  };
  let ready = start();
  return async (event, context) => {
    let handler: ApiHandler;
    try {
      handler = await ready;
    } catch (error: unknown) {
      options.logger.error('the pagination-token secret could not be loaded; requests fail until it can be', error instanceof Error ? error : new Error(String(error)));
      ready = start();
      return internalErrorResponse(context.awsRequestId);
    }
    return handler(event, context);
  };
}
