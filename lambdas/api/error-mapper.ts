/**
 * The one place errors become responses (middy's http-error-handler rule): a `ClientError` (4xx)
 * is shown to the caller as `{"error":{"code","message"}}`; a throttled archive is a 503 the
 * caller may retry; anything else is logged with its stack and answered with a generic 500 that
 * reveals nothing.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ClientError } from '../core/query/errors';
import { clientErrorResponse, internalErrorResponse, throttledResponse } from './http';

/** DynamoDB's answers when a table, index or account is over its throughput (after the SDK's own retries). */
const THROTTLING_ERRORS: ReadonlySet<string> = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING_ERRORS.has(error.name);
}

export function jsonErrorResponses(logger: Logger, metrics: Metrics): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const error: unknown = request.error;
      if (error instanceof ClientError) {
        logger.info('request refused', { statusCode: error.statusCode, code: error.code, reason: error.message });
        metrics.addMetric('ClientErrors', MetricUnit.Count, 1);
        request.response = clientErrorResponse(error);
        return;
      }
      if (isThrottling(error)) {
        // The archive is busy, not broken: the caller may retry the same request (its token too).
        logger.warn('archive throttled', { errorName: (error as Error).name });
        metrics.addMetric('Throttled', MetricUnit.Count, 1);
        request.response = throttledResponse();
        return;
      }
      logger.error('request failed', error instanceof Error ? error : new Error(String(error)));
      metrics.addMetric('ServerErrors', MetricUnit.Count, 1);
      request.response = internalErrorResponse(request.context?.awsRequestId);
    },
  };
}
