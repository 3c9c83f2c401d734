/**
 * What the query function logs of each request: the caller and the normalised filters, so every
 * read of the archive is on record. Never page contents: those are the archive itself.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { FindingsQuery } from '../core/query/findings-query';
import type { SessionQuery } from '../core/query/parameters';

export interface RequestRecord {
  route: string;
  /** The IAM principal API Gateway authenticated (absent locally). */
  caller?: string;
  filters?: Record<string, string>;
  order?: string;
  limit?: number;
  format?: string;
  /** A later page of an earlier query (its filters are the same, by the token's binding). */
  resumed?: boolean;
  sessionId?: string;
}

export function callerOf(event: Pick<APIGatewayProxyEvent, 'requestContext'>): string | undefined {
  return event.requestContext?.identity?.userArn ?? undefined;
}

export function sessionQueryRecord(query: SessionQuery): Omit<RequestRecord, 'route' | 'caller'> {
  const { from, to, target, owner, status, document, accessType, reason } = query;
  return pageQueryRecord(query, { from: iso(from), to: iso(to), target, owner, status, document, accessType, reason });
}

export function findingsQueryRecord(query: FindingsQuery): Omit<RequestRecord, 'route' | 'caller'> {
  const { from, to, rule, target, owner } = query;
  return pageQueryRecord(query, { from: iso(from), to: iso(to), rule, target, owner });
}

function pageQueryRecord(
  query: { order: string; limit: number; format: string; nextToken?: string },
  filters: Record<string, string | undefined>,
): Omit<RequestRecord, 'route' | 'caller'> {
  const given: Record<string, string> = {};
  for (const [name, value] of Object.entries(filters)) if (value !== undefined) given[name] = value;
  return { filters: given, order: query.order, limit: query.limit, format: query.format, resumed: query.nextToken !== undefined };
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
