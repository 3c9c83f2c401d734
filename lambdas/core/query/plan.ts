/**
 * The query planner: which index serves a query, which key range it reads, which filters narrow
 * it further, and in which order. Every index sorts by startKey = '<ISO startDate>#<sessionId>',
 * so a time range is always a key range and never a scan.
 *
 * Index choice: `target` (its partitions are the smallest: a fleet has more hosts than people),
 * else `owner`, else the month buckets of the time index. The other filters become conditions.
 */
import { DAY_MS, toIso } from '../shared/time';
import { bucketOf, isBucket, stepBucket, type BucketKind } from './time-buckets';
import type { SessionQuery, SortOrder } from './parameters';
import { TARGET_FILTER_FIELDS } from './target-filters';

type TargetFilterField = (typeof TARGET_FILTER_FIELDS)[number];

/** Nothing archived from Session Manager can start before it launched (September 2018). */
export const DEFAULT_FROM_MS = Date.UTC(2018, 8, 1);
/** Without `to`, the range ends this long after the first page was asked for: clock skew room. */
export const DEFAULT_TO_AHEAD_MS = DAY_MS;

export type IndexKind = 'time' | 'target' | 'owner';

export type FilterCondition =
  | { field: 'target' | 'owner' | 'status' | 'documentName' | 'accessType' | TargetFilterField; match: 'equals'; value: string }
  | { field: 'reason'; match: 'contains'; value: string };

/** Start dates in [from, to), epoch ms. */
export interface ResolvedRange {
  from: number;
  to: number;
}

export interface QueryPlan {
  index: IndexKind;
  /** Partitions in walk order: months or days for the time index, the one target/owner otherwise. Empty when the range is. */
  partitions: PartitionWalk;
  /** Inclusive bounds on startKey: no key equals `highest`, so the range is [from, to) on the start date. */
  keyRange: { lowest: string; highest: string };
  conditions: FilterCondition[];
  order: SortOrder;
  range: ResolvedRange;
}

export interface PartitionWalk {
  readonly first: string | undefined;
  next(partition: string): string | undefined;
  includes(partition: string): boolean;
}

/** Fills in the defaults of `from` and `to`; a token carries this so later pages keep the same range. */
export function resolveRange(query: Pick<SessionQuery, 'from' | 'to'>, nowMs: number): ResolvedRange {
  return { from: query.from ?? DEFAULT_FROM_MS, to: query.to ?? nowMs + DEFAULT_TO_AHEAD_MS };
}

export function planQuery(query: SessionQuery, range: ResolvedRange, time: TimeWalkOptions = { buckets: 'month' }): QueryPlan {
  const conditions: FilterCondition[] = [];
  let index: IndexKind = 'time';
  let partitionValue: string | undefined;
  if (query.target !== undefined) {
    index = 'target';
    partitionValue = query.target;
  } else if (query.owner !== undefined) {
    index = 'owner';
    partitionValue = query.owner;
  }
  if (query.owner !== undefined && index !== 'owner') conditions.push({ field: 'owner', match: 'equals', value: query.owner });
  if (query.status !== undefined) conditions.push({ field: 'status', match: 'equals', value: query.status });
  if (query.document !== undefined) conditions.push({ field: 'documentName', match: 'equals', value: query.document });
  if (query.accessType !== undefined) conditions.push({ field: 'accessType', match: 'equals', value: query.accessType });
  if (query.reason !== undefined) conditions.push({ field: 'reason', match: 'contains', value: query.reason });
  // Every target shares the time index: account, region and source narrow it as filters.
  for (const field of TARGET_FILTER_FIELDS) {
    const value = query[field];
    if (value !== undefined) conditions.push({ field, match: 'equals', value });
  }

  const empty = range.to <= range.from;
  const partitions =
    partitionValue === undefined ? timeWalk(range, query.order, empty, time) : singlePartition(partitionValue, empty);
  return {
    index,
    partitions,
    keyRange: { lowest: toIso(range.from), highest: toIso(range.to) },
    conditions,
    order: query.order,
    range,
  };
}

function singlePartition(value: string, empty: boolean): PartitionWalk {
  return { first: empty ? undefined : value, next: () => undefined, includes: (partition) => !empty && partition === value };
}

/**
 * How the time index is walked: by month or by day, and within which start dates. `bounds` are the
 * earliest and latest start the archive holds (inclusive); `null` when it holds nothing. Buckets
 * outside them are never read, so a far `to` or `from` costs nothing; the key range stays the
 * query's own.
 */
export interface TimeWalkOptions {
  buckets: BucketKind;
  bounds?: { earliest: number; latest: number } | null;
}

/** The month buckets of a range, in the requested order; none when the range is empty. */
export function monthWalk(range: ResolvedRange, order: SortOrder, empty: boolean): PartitionWalk {
  return timeWalk(range, order, empty, { buckets: 'month' });
}

/** The buckets of a range that may hold sessions, in the requested order. */
export function timeWalk(range: ResolvedRange, order: SortOrder, empty: boolean, options: TimeWalkOptions): PartitionWalk {
  const kind = options.buckets;
  // `to` is exclusive: a range ending at midnight on the 1st does not touch that month.
  const oldest = bucketOf(kind, range.from);
  const newest = bucketOf(kind, range.to - 1);
  const includes = (partition: string) => !empty && isBucket(kind, partition) && partition >= oldest && partition <= newest;
  const bounds = options.bounds;
  const low = bounds ? Math.max(range.from, bounds.earliest) : range.from;
  const high = bounds ? Math.min(range.to - 1, bounds.latest) : range.to - 1;
  if (empty || bounds === null || high < low) return { first: undefined, next: () => undefined, includes };
  const walkOldest = bucketOf(kind, low);
  const walkNewest = bucketOf(kind, high);
  return {
    first: order === 'asc' ? walkOldest : walkNewest,
    // Compared, not matched: a resumed partition outside the bounds still ends the walk.
    next: (partition) =>
      order === 'asc'
        ? partition >= walkNewest ? undefined : stepBucket(kind, partition, 1)
        : partition <= walkOldest ? undefined : stepBucket(kind, partition, -1),
    includes,
  };
}
