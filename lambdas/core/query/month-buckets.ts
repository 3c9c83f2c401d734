/**
 * The time index partitions sessions by the month of their StartDate ('YYYY-MM'), so a time
 * range is a walk over month buckets. Month arithmetic on the text form keeps it exact.
 */
import { toIso } from '../shared/time';

export type Month = string;

const MONTH_PATTERN = /^([0-9]{4})-(0[1-9]|1[0-2])$/;

export function monthOf(ms: number): Month {
  return toIso(ms).slice(0, 7);
}

export function isMonth(value: string): boolean {
  return MONTH_PATTERN.test(value);
}

/** The month after (`step` 1) or before (`step` -1) the given one. */
export function addMonths(month: Month, step: 1 | -1): Month {
  const match = MONTH_PATTERN.exec(month);
  if (!match) throw new RangeError(`not a month: ${month}`);
  const index = Number(match[1]) * 12 + (Number(match[2]) - 1) + step;
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}
