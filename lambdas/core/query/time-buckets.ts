/**
 * The time index partitions sessions by a bucket of their StartDate: the month (`2026-11`,
 * index `byStartMonth`) or, once an archive has been migrated, the day (`2026-11-30`, index
 * `byStartDay`). A time range is a walk over buckets; arithmetic on the text form keeps it exact.
 */
import { DAY_MS, toIso } from '../shared/time';
import { addMonths, isMonth } from './month-buckets';

export type BucketKind = 'month' | 'day';

const DAY_PATTERN = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

export function bucketOf(kind: BucketKind, ms: number): string {
  return toIso(ms).slice(0, kind === 'month' ? 7 : 10);
}

export function isBucket(kind: BucketKind, value: string): boolean {
  return kind === 'month' ? isMonth(value) : DAY_PATTERN.test(value) && toIso(Date.parse(`${value}T00:00:00.000Z`)).startsWith(value);
}

/** What kind of bucket a partition named in a token is, if any. */
export function bucketKindOf(value: string): BucketKind | undefined {
  if (isMonth(value)) return 'month';
  return isBucket('day', value) ? 'day' : undefined;
}

/** The bucket after (`step` 1) or before (`step` -1) the given one. */
export function stepBucket(kind: BucketKind, bucket: string, step: 1 | -1): string {
  if (kind === 'month') return addMonths(bucket, step);
  return toIso(Date.parse(`${bucket}T00:00:00.000Z`) + step * DAY_MS).slice(0, 10);
}
