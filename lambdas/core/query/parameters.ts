/**
 * The query parameters of `GET /sessions`, written once as zod schemas: the handler validates
 * requests with them and the OpenAPI document is generated from them (descriptions included), so
 * the two cannot drift. API Gateway hands every value over as a string; the schemas take strings.
 */
import * as z from 'zod/mini';
import { ACCESS_TYPES, SESSION_STATUSES } from '../session/session';
import { BadRequestError } from './errors';
import { targetFilterShape, type TargetFilters } from './target-filters';
import { isWellFormedUnicode } from './unicode';

/** The earliest and latest instants `from`/`to` accept: four-digit years keep ISO keys sortable. */
export const EARLIEST_INSTANT = '1970-01-01T00:00:00.000Z';
export const LATEST_INSTANT = '9999-12-31T23:59:59.999Z';
export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;
/** Longer than any token this API issues; bounds the work of rejecting a forged one. */
export const MAX_NEXT_TOKEN_LENGTH = 1024;

export const SORT_ORDERS = ['desc', 'asc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];
export const OUTPUT_FORMATS = ['json', 'jsonl', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A non-empty string of well-formed Unicode (a lone surrogate cannot be stored or matched). */
export function text(maxLength: number, description: string, example: string) {
  return z.string().check(
    z.minLength(1, { error: 'must not be empty' }),
    z.maxLength(maxLength, { error: `must be at most ${maxLength} characters` }),
    z.refine((value) => isWellFormedUnicode(value), { error: 'must be well-formed Unicode' }),
    z.meta({ description, example }),
  );
}

export function instant(description: string, example: string) {
  return z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: 'must be an ISO-8601 date (2026-05-01) or date-time with a zone (2026-05-01T10:00:00Z), and a real one',
  }).check(
    z.refine((value) => isWithinSupportedRange(value), { error: `must lie between ${EARLIEST_INSTANT} and ${LATEST_INSTANT}` }),
    z.meta({ description, example }),
  );
}

function isWithinSupportedRange(value: string): boolean {
  const ms = parseInstant(value);
  return Number.isFinite(ms) && ms >= Date.parse(EARLIEST_INSTANT) && ms <= Date.parse(LATEST_INSTANT);
}

const FRACTION = /\.([0-9]+)/;

/**
 * Epoch milliseconds of an instant, rounded up when it has a fraction finer than a millisecond.
 * Starts are stored to the millisecond, and both bounds round the same way: `to=…T10:00:00.0005Z`
 * (exclusive) includes a session at `…T10:00:00.000Z` and `from=…T10:00:00.0005Z` (inclusive)
 * excludes it, exactly as comparing the instants themselves would. Date.parse truncates instead.
 */
export function parseInstant(value: string): number {
  const ms = Date.parse(value);
  const digits = FRACTION.exec(value)?.[1] ?? '';
  return /[1-9]/.test(digits.slice(3)) ? ms + 1 : ms;
}

/** `limit`: a page size of 1–1000 items (`noun` names them in the description). */
export function pageLimit(noun: string) {
  return z.pipe(
    z.pipe(z.string().check(z.regex(/^[0-9]{1,7}$/, { error: `must be a whole number between 1 and ${MAX_LIMIT}` })), z.transform((value: string) => Number(value))),
    z.int().check(
      z.minimum(1, { error: `must be between 1 and ${MAX_LIMIT}` }),
      z.maximum(MAX_LIMIT, { error: `must be between 1 and ${MAX_LIMIT}` }),
      z.meta({ description: `${noun} per page, 1–${MAX_LIMIT}.`, example: 100 }),
    ),
  );
}

const limit = pageLimit('Sessions');

/** A pagination token parameter. */
export function nextTokenParameter(description: string) {
  return z.string().check(
    z.minLength(1, { error: 'must not be empty' }),
    z.maxLength(MAX_NEXT_TOKEN_LENGTH, { error: 'is not a token this API issued' }),
    z.meta({ description }),
  );
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` }).check(z.meta({ description }));
}

/** `GET /sessions`. Unknown parameters are rejected, so a typo never silently widens a query. */
export const sessionQuerySchema = z.strictObject({
  from: z.optional(instant('Sessions that started at or after this instant (inclusive). Default: 2018-09-01T00:00:00Z.', '2026-01-01T00:00:00Z')),
  to: z.optional(instant('Sessions that started before this instant (exclusive). Default: one day after the first page was requested.', '2026-02-01T00:00:00Z')),
  target: z.optional(text(400, 'Exact target (instance or managed node id).', 'i-0123456789abcdef0')),
  owner: z.optional(text(256, 'Exact owner ARN.', 'arn:aws:sts::123456789012:assumed-role/OnCallResponder/alice')),
  status: z.optional(oneOf(SESSION_STATUSES, 'Exact session status as last archived.')),
  document: z.optional(text(400, 'Exact Session Manager document name.', 'AWS-StartPortForwardingSession')),
  accessType: z.optional(oneOf(ACCESS_TYPES, 'Exact access type.')),
  reason: z.optional(text(256, 'Substring of the reason, case-sensitive.', 'INC-20931')),
  ...targetFilterShape,
  order: z._default(oneOf(SORT_ORDERS, 'By start date: newest first (desc) or oldest first (asc).'), 'desc'),
  limit: z._default(limit, DEFAULT_LIMIT),
  nextToken: z.optional(nextTokenParameter('The nextToken of the previous page, with the same filters and order; limit and format may change.')),
  format: z._default(
    oneOf(OUTPUT_FORMATS, 'json: {"sessions":[...],"nextToken"}; jsonl: one session per line; csv: RFC 4180 with a header row. jsonl and csv carry the token in the x-next-token header.'),
    'json',
  ),
});

/** The validated request, times as epoch milliseconds. */
export interface SessionQuery extends TargetFilters {
  from?: number;
  to?: number;
  target?: string;
  owner?: string;
  status?: string;
  document?: string;
  accessType?: string;
  reason?: string;
  order: SortOrder;
  limit: number;
  nextToken?: string;
  format: OutputFormat;
}

/** Every value a query string gave, by parameter name (API Gateway's multiValueQueryStringParameters). */
export type RawParameters = Readonly<Record<string, readonly string[]>>;

/** For routes that take no parameters: anything given is unknown. */
export function rejectAnyParameters(raw: RawParameters): void {
  assertKnownAndSingle(raw, []);
}

export function parseSessionQuery(raw: RawParameters): SessionQuery {
  const allowed = Object.keys(sessionQuerySchema.shape);
  const single = assertKnownAndSingle(raw, allowed);
  const result = z.safeParse(sessionQuerySchema, single);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => describeIssue(issue, single));
    throw new BadRequestError('InvalidParameter', problems.join('; '));
  }
  const { from, to, ...rest } = result.data;
  const query: SessionQuery = { ...rest };
  if (from !== undefined) query.from = parseInstant(from);
  if (to !== undefined) query.to = parseInstant(to);
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
    throw new BadRequestError('InvalidParameter', `parameter 'from' (${from}) is later than 'to' (${to})`);
  }
  for (const key of Object.keys(query) as (keyof SessionQuery)[]) if (query[key] === undefined) delete query[key];
  return query;
}

/** The parameters given once each, by name; an unknown or repeated one is a 400 naming it. */
export function assertKnownAndSingle(raw: RawParameters, allowed: readonly string[]): Record<string, string> {
  const names = Object.keys(raw);
  const unknown = names.filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    const accepted = allowed.length > 0 ? `accepted: ${allowed.join(', ')}` : 'this route takes none';
    throw new BadRequestError('UnknownParameter', `unknown parameter${unknown.length > 1 ? 's' : ''} ${listed(unknown)}; ${accepted}`);
  }
  const repeated = names.filter((name) => (raw[name]?.length ?? 0) > 1);
  if (repeated.length > 0) {
    throw new BadRequestError('RepeatedParameter', `parameter${repeated.length > 1 ? 's' : ''} ${listed(repeated)} given more than once; give each at most once`);
  }
  const single: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of names) {
    const value = raw[name]?.[0];
    if (value !== undefined) single[name] = value;
  }
  return single;
}

export function describeIssue(issue: z.core.$ZodIssue, given: Record<string, string>): string {
  const name = String(issue.path[0] ?? '');
  const value = given[name];
  const shown = value === undefined ? '' : ` (got ${quote(value)})`;
  return `parameter ${quote(name)} ${issue.message}${shown}`;
}

/** Names from the request, quoted; a flood of them is cut short. */
function listed(names: readonly string[]): string {
  const shown = names.slice(0, 10).map(quote).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}

/** Quotes user input for a message: JSON escapes control characters, long values are cut. */
function quote(value: string): string {
  const cut = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return JSON.stringify(cut).replace(/^"|"$/g, "'");
}
