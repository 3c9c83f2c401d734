/** Building API Gateway proxy responses. Every response is uncacheable and never sniffed as HTML. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { MethodNotAllowedError, type ClientError } from '../core/query/errors';
import type { RawParameters } from '../core/query/parameters';

export const NEXT_TOKEN_HEADER = 'x-next-token';

const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

export function textResponse(statusCode: number, contentType: string, body: string, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...COMMON_HEADERS, 'content-type': contentType, ...headers }, body };
}

export function jsonResponse(statusCode: number, value: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return textResponse(statusCode, 'application/json; charset=utf-8', JSON.stringify(value), headers);
}

export function clientErrorResponse(error: ClientError): APIGatewayProxyResult {
  const headers: Record<string, string> = error instanceof MethodNotAllowedError ? { allow: error.allowed.join(', ') } : {};
  return jsonResponse(error.statusCode, { error: { code: error.code, message: error.message } }, headers);
}

/** The archive table is throttled: try the same request again shortly. */
export function throttledResponse(): APIGatewayProxyResult {
  return jsonResponse(503, { error: { code: 'Throttled', message: 'the archive is busy (DynamoDB throttled the read); retry the same request in a second' } }, { 'retry-after': '1' });
}

export function internalErrorResponse(requestId: string | undefined): APIGatewayProxyResult {
  const reference = requestId ? ` (request id ${requestId})` : '';
  return jsonResponse(500, { error: { code: 'InternalError', message: `the request could not be completed${reference}; it has been logged` } });
}

/**
 * Every value of every query parameter. API Gateway fills both maps; the multi-value one is the
 * only one that shows a parameter given twice.
 */
export function rawParameters(event: Pick<APIGatewayProxyEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'>): RawParameters {
  // No prototype: a parameter named __proto__ or constructor is just an unknown parameter.
  const raw: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (values !== undefined) raw[name] = [...values];
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined && raw[name] === undefined) raw[name] = [value];
  }
  return raw;
}
