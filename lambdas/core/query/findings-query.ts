/**
 * The query parameters of `GET /findings`, as zod schemas (validation and OpenAPI from one
 * source), built from the same pieces as `GET /sessions`: the same time forms, page sizes, tokens
 * and formats. Times select findings by the start of the session that broke the rule.
 */
import * as z from 'zod/mini';
import { RULE_IDS } from '../compliance/rules';
import { BadRequestError } from './errors';
import type { QueryIdentity } from './page-token';
import {
  assertKnownAndSingle,
  DEFAULT_LIMIT,
  describeIssue,
  instant,
  nextTokenParameter,
  oneOf,
  OUTPUT_FORMATS,
  pageLimit,
  SORT_ORDERS,
  text,
  type OutputFormat,
  type RawParameters,
  type SortOrder,
} from './parameters';

export const findingsQuerySchema = z.strictObject({
  from: z.optional(instant('Findings of sessions that started at or after this instant (inclusive). Default: 2018-09-01T00:00:00Z.', '2026-01-01T00:00:00Z')),
  to: z.optional(instant('Findings of sessions that started before this instant (exclusive). Default: one day after the first page was requested.', '2026-02-01T00:00:00Z')),
  rule: z.optional(oneOf(RULE_IDS, 'Only findings of this rule.')),
  target: z.optional(text(400, 'Exact target of the session.', 'i-0123456789abcdef0')),
  owner: z.optional(text(256, 'Exact owner ARN of the session.', 'arn:aws:sts::123456789012:assumed-role/OnCallResponder/alice')),
  order: z._default(oneOf(SORT_ORDERS, 'By session start date: newest first (desc) or oldest first (asc).'), 'desc'),
  limit: z._default(pageLimit('Findings'), DEFAULT_LIMIT),
  nextToken: z.optional(nextTokenParameter('The nextToken of the previous page, with the same filters and order; limit and format may change.')),
  format: z._default(
    oneOf(OUTPUT_FORMATS, 'json: {"findings":[...],"nextToken"}; jsonl: one finding per line; csv: RFC 4180 with a header row. jsonl and csv carry the token in the x-next-token header.'),
    'json',
  ),
});

/** The validated request, times as epoch milliseconds. */
export interface FindingsQuery {
  from?: number;
  to?: number;
  rule?: string;
  target?: string;
  owner?: string;
  order: SortOrder;
  limit: number;
  nextToken?: string;
  format: OutputFormat;
}

export function parseFindingsQuery(raw: RawParameters): FindingsQuery {
  const single = assertKnownAndSingle(raw, Object.keys(findingsQuerySchema.shape));
  const result = z.safeParse(findingsQuerySchema, single);
  if (!result.success) {
    throw new BadRequestError('InvalidParameter', result.error.issues.map((issue) => describeIssue(issue, single)).join('; '));
  }
  const { from, to, ...rest } = result.data;
  const query: FindingsQuery = { ...rest };
  if (from !== undefined) query.from = Date.parse(from);
  if (to !== undefined) query.to = Date.parse(to);
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
    throw new BadRequestError('InvalidParameter', `parameter 'from' (${from}) is later than 'to' (${to})`);
  }
  for (const key of Object.keys(query) as (keyof FindingsQuery)[]) if (query[key] === undefined) delete query[key];
  return query;
}

/** Filters and order, and the route, so a /sessions token never passes for a /findings one. */
export function findingsQueryIdentity(query: FindingsQuery): QueryIdentity {
  return ['findings', query.from ?? null, query.to ?? null, query.rule ?? null, query.target ?? null, query.owner ?? null, query.order];
}
