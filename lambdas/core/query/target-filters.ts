/**
 * The filters that name a target or part of one: `accountId`, `region`, `source`. Shared by
 * `GET /sessions`, `GET /findings` and `GET /coverage`, so the three validate them alike. A query
 * without them spans every target of the archive.
 */
import * as z from 'zod/mini';
import type { SourceScope } from '../session/session';

/** Where sessions come from (docs: DESIGN "Sources"). */
export const SESSION_SOURCES = ['ssm', 'alibaba'] as const;

/** A 12-digit AWS account id, or an Alibaba Cloud account label (a name starting with a letter, or the 16-digit account id). */
const ACCOUNT_PATTERN = /^(?:\d{12}|\d{16}|[a-z][a-z0-9-]{0,62})$/;
/** AWS regions (`eu-west-1`, `us-gov-west-1`); Alibaba Cloud's (`cn-hangzhou`) lack the number. */
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+){1,3}(-[0-9]{1,2})?$/;

export interface TargetFilters {
  accountId?: string;
  region?: string;
  source?: string;
}

export const TARGET_FILTER_FIELDS = ['accountId', 'region', 'source'] as const;

export const targetFilterShape = {
  accountId: z.optional(
    z.string().check(
      z.regex(ACCOUNT_PATTERN, { error: 'must be a 12-digit AWS account id, or an Alibaba Cloud account label (a letter, then a-z 0-9 -, up to 63; or 16 digits)' }),
      z.meta({ description: 'Only this account: 12 digits (AWS) or the account label (Alibaba Cloud).', example: '123456789012' }),
    ),
  ),
  region: z.optional(
    z.string().check(
      z.maxLength(32, { error: 'must be a region such as eu-west-1' }),
      z.regex(REGION_PATTERN, { error: 'must be a region such as eu-west-1' }),
      z.meta({ description: 'Only this region.', example: 'eu-west-1' }),
    ),
  ),
  source: z.optional(z.enum(SESSION_SOURCES, { error: `must be one of ${SESSION_SOURCES.join(', ')}` }).check(z.meta({ description: 'Only this source.' }))),
};

/** The filters given, and only those. */
export function targetFiltersOf(values: TargetFilters): TargetFilters {
  const filters: TargetFilters = {};
  for (const field of TARGET_FILTER_FIELDS) {
    const value = values[field];
    if (value !== undefined) filters[field] = value;
  }
  return filters;
}

export function matchesTargetFilters(scope: SourceScope, filters: TargetFilters): boolean {
  return TARGET_FILTER_FIELDS.every((field) => filters[field] === undefined || filters[field] === scope[field]);
}

/**
 * What the filters add to a query's token identity: nothing when none is given, so tokens issued
 * before these filters existed still fit the same query.
 */
export function targetFilterIdentity(filters: TargetFilters): unknown[] {
  if (TARGET_FILTER_FIELDS.every((field) => filters[field] === undefined)) return [];
  return [filters.accountId ?? null, filters.region ?? null, filters.source ?? null];
}
