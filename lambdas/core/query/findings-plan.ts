/**
 * Findings live in the sparse `eventsAndFindings` index, partitioned by the month their session
 * started and sorted by <startDate>#<sessionId>: a time range is a walk over month buckets, as for
 * sessions. Rule, target and owner are filters (findings are few next to sessions); the work of
 * each request is bounded the same way.
 */
import type { SortOrder } from './parameters';
import type { FindingsQuery } from './findings-query';
import { timeWalk, type PartitionWalk, type ResolvedRange, type TimeWalkOptions } from './plan';
import { toIso } from '../shared/time';
import { TARGET_FILTER_FIELDS } from './target-filters';

export interface FindingFilter {
  field: 'rule' | 'target' | 'owner' | (typeof TARGET_FILTER_FIELDS)[number];
  value: string;
}

export interface FindingsPlan {
  /** Month buckets (`2026-11`) in walk order. */
  partitions: PartitionWalk;
  keyRange: { lowest: string; highest: string };
  conditions: FindingFilter[];
  order: SortOrder;
  range: ResolvedRange;
}

export function planFindingsQuery(query: FindingsQuery, range: ResolvedRange, bounds?: TimeWalkOptions['bounds']): FindingsPlan {
  const conditions: FindingFilter[] = [];
  if (query.rule !== undefined) conditions.push({ field: 'rule', value: query.rule });
  if (query.target !== undefined) conditions.push({ field: 'target', value: query.target });
  if (query.owner !== undefined) conditions.push({ field: 'owner', value: query.owner });
  for (const field of TARGET_FILTER_FIELDS) {
    const value = query[field];
    if (value !== undefined) conditions.push({ field, value });
  }
  return {
    partitions: timeWalk(range, query.order, range.to <= range.from, bounds === undefined ? { buckets: 'month' } : { buckets: 'month', bounds }),
    keyRange: { lowest: toIso(range.from), highest: toIso(range.to) },
    conditions,
    order: query.order,
    range,
  };
}
