/**
 * EventBridge schedule expressions, checked the way EventBridge checks them (so a bad one fails the
 * synth, not the deploy), and the longest gap between two runs they produce: the sweep must run
 * often enough that SSM's 30-day window never passes between sweeps.
 *
 * `rate(value unit)`: a whole value of at least 1; the unit singular for 1 (`rate(1 minute)`) and
 * plural otherwise (`rate(5 minutes)`). `cron(min hour day-of-month month day-of-week year)`, in UTC,
 * with exactly one of day-of-month and day-of-week `?`.
 */

export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
}

const MINUTES_PER_UNIT: Record<string, number> = { minute: 1, hour: 60, day: 1440 };
/** Five years: every day-of-week/day-of-month combination, leap years included, recurs within it. */
const HORIZON_DAYS = 5 * 366;
const HORIZON_START = Date.UTC(2028, 0, 1);
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The longest time between two runs of `expression`, in minutes (Infinity if it may stop running). */
export function maxScheduleIntervalMinutes(expression: string): number {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] as string;
    if (value < 1) throw new ScheduleExpressionError('a rate needs a value of at least 1');
    if (value === 1 && unit.endsWith('s')) throw new ScheduleExpressionError(`a rate of 1 takes the singular unit: rate(1 ${unit.slice(0, -1)})`);
    if (value > 1 && !unit.endsWith('s')) throw new ScheduleExpressionError(`a rate above 1 takes the plural unit: rate(${value} ${unit}s)`);
    return value * (MINUTES_PER_UNIT[unit.replace(/s$/, '')] ?? Number.NaN);
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) throw new ScheduleExpressionError('expected rate(<value> <unit>) or cron(<6 fields>)');
  return cronMaxIntervalMinutes((cron[1] ?? '').trim().split(/\s+/));
}

function cronMaxIntervalMinutes(fields: string[]): number {
  if (fields.length !== 6) throw new ScheduleExpressionError(`a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`);
  const [minuteField, hourField, domField, monthField, dowField, yearField] = fields as [string, string, string, string, string, string];
  if ((domField === '?') === (dowField === '?')) throw new ScheduleExpressionError('exactly one of day-of-month and day-of-week must be ?');
  const minutes = valueSet(minuteField, 'minutes', 0, 59);
  const hours = valueSet(hourField, 'hours', 0, 23);
  const months = valueSet(monthField, 'month', 1, 12, MONTHS);
  if (yearField !== '*') {
    valueSet(yearField, 'year', 1970, 2199);
    throw new ScheduleExpressionError('a year other than * stops the sweeps after that year');
  }
  const dayMatches = domField === '?' ? dayOfWeekMatcher(dowField) : dayOfMonthMatcher(domField);
  const times = [...hours].sort((a, b) => a - b).flatMap((hour) => [...minutes].sort((a, b) => a - b).map((minute) => hour * 60 + minute));
  let longest = 0;
  for (let i = 1; i < times.length; i += 1) longest = Math.max(longest, (times[i] as number) - (times[i - 1] as number));
  let lastRun: number | undefined;
  for (let day = 0; day < HORIZON_DAYS; day += 1) {
    const date = new Date(HORIZON_START + day * 86_400_000);
    if (!months.has(date.getUTCMonth() + 1) || !dayMatches(date)) continue;
    const first = day * 1440 + (times[0] as number);
    if (lastRun !== undefined) longest = Math.max(longest, first - lastRun);
    lastRun = day * 1440 + (times[times.length - 1] as number);
  }
  return lastRun === undefined || longest === 0 ? Number.POSITIVE_INFINITY : longest;
}

/** `*`, `5`, `1-5`, `0/15`, `1-30/2`, `MON-FRI`, and comma lists of those. */
function valueSet(field: string, name: string, min: number, max: number, names: readonly string[] = []): Set<number> {
  const values = new Set<number>();
  const value = (text: string): number => {
    const byName = names.indexOf(text.toUpperCase());
    const parsed = byName >= 0 ? byName + 1 : /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(parsed >= min && parsed <= max)) throw new ScheduleExpressionError(`${name}: ${JSON.stringify(text)} is not ${min}-${max}${names.length ? ` or ${names[0]}-${names[names.length - 1]}` : ''}`);
    return parsed;
  };
  for (const item of field.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!match) throw new ScheduleExpressionError(`${name}: cannot read ${JSON.stringify(item)}`);
    const [from, to] = match[1] === '*' ? [min, max] : (match[1] as string).split('-').map(value);
    const step = match[2] === undefined ? 1 : Number(match[2]);
    if (step < 1) throw new ScheduleExpressionError(`${name}: a step must be at least 1`);
    const end = match[2] !== undefined && !(match[1] as string).includes('-') && match[1] !== '*' ? max : (to ?? from) as number;
    if ((from as number) > end) throw new ScheduleExpressionError(`${name}: range ${item} runs backwards`);
    for (let v = from as number; v <= end; v += step) values.add(v);
  }
  return values;
}

function daysInMonth(date: Date): number {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
}

function isWeekday(year: number, month: number, day: number): boolean {
  const weekday = new Date(Date.UTC(year, month, day)).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The weekday nearest to `day` in its month (EventBridge's `W`). */
function nearestWeekday(date: Date, day: number): number {
  const [year, month, last] = [date.getUTCFullYear(), date.getUTCMonth(), daysInMonth(date)];
  const target = Math.min(day, last);
  if (isWeekday(year, month, target)) return target;
  for (const candidate of [target - 1, target + 1, target - 2, target + 2]) {
    if (candidate >= 1 && candidate <= last && isWeekday(year, month, candidate)) return candidate;
  }
  return target;
}

function dayOfMonthMatcher(field: string): (date: Date) => boolean {
  if (field === 'L') return (date) => date.getUTCDate() === daysInMonth(date);
  if (field === 'LW') return (date) => date.getUTCDate() === nearestWeekday(date, daysInMonth(date));
  const weekday = /^(\d+)W$/.exec(field);
  if (weekday) {
    const day = Number(weekday[1]);
    if (day < 1 || day > 31) throw new ScheduleExpressionError(`day-of-month: ${field} is not 1W-31W`);
    return (date) => date.getUTCDate() === nearestWeekday(date, day);
  }
  const days = valueSet(field, 'day-of-month', 1, 31);
  return (date) => days.has(date.getUTCDate());
}

function dayOfWeekMatcher(field: string): (date: Date) => boolean {
  const weekdayOf = (text: string): number => [...valueSet(text, 'day-of-week', 1, 7, WEEKDAYS)][0] as number;
  const last = /^([A-Za-z0-9]+)L$/.exec(field);
  if (last) {
    const weekday = weekdayOf(last[1] as string);
    return (date) => date.getUTCDay() + 1 === weekday && date.getUTCDate() + 7 > daysInMonth(date);
  }
  const nth = /^([A-Za-z0-9]+)#([1-5])$/.exec(field);
  if (nth) {
    const weekday = weekdayOf(nth[1] as string);
    const occurrence = Number(nth[2]);
    return (date) => date.getUTCDay() + 1 === weekday && Math.ceil(date.getUTCDate() / 7) === occurrence;
  }
  const weekdays = valueSet(field, 'day-of-week', 1, 7, WEEKDAYS);
  return (date) => weekdays.has(date.getUTCDay() + 1);
}

/**
 * The longest gap allowed between two sweeps. SSM keeps 30 days of history; sweeping at least
 * weekly leaves three weeks to notice and fix a failing sweeper before anything is lost.
 */
export const MAX_SWEEP_INTERVAL_DAYS = 7;

/**
 * Why `expression` cannot be the sweeper's schedule, or undefined when it can: it must be a valid
 * EventBridge expression, sweep at least every MAX_SWEEP_INTERVAL_DAYS, and leave at least one
 * hour with a sweep in every `noSweepAlarmHours` window (else that alarm fires between sweeps).
 */
export function sweepScheduleProblem(expression: string, noSweepAlarmHours: number): string | undefined {
  let interval: number;
  try {
    interval = maxScheduleIntervalMinutes(expression);
  } catch (error: unknown) {
    if (!(error instanceof ScheduleExpressionError)) throw error;
    return `schedule must be an EventBridge expression, rate(<n> minutes|hours|days) with n ≥ 1 (rate(1 minute|hour|day) for 1) or cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>) in UTC; ${error.message}; got ${JSON.stringify(expression)}`;
  }
  const describe = Number.isFinite(interval) ? `${formatMinutes(interval)} apart` : 'only a few times';
  if (interval > MAX_SWEEP_INTERVAL_DAYS * 1440) {
    return `schedule must sweep at least every ${MAX_SWEEP_INTERVAL_DAYS} days, leaving time inside SSM's 30-day history to fix a failing sweeper (e.g. rate(15 minutes)); ${JSON.stringify(expression)} runs sweeps up to ${describe}`;
  }
  if (interval > (noSweepAlarmHours - 1) * 60) {
    return `schedule and noSweepAlarmHours disagree: sweeps up to ${describe} (${JSON.stringify(expression)}) leave ${noSweepAlarmHours}-hour windows without a sweep, so the no-successful-sweep alarm would fire between sweeps; sweep at least every ${noSweepAlarmHours - 1} hours or raise noSweepAlarmHours (1-168) above ${Math.ceil(interval / 60)}`;
  }
  return undefined;
}

function formatMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} day${minutes === 1440 ? '' : 's'}`;
  if (minutes > 2 * 1440) return `${(minutes / 1440).toFixed(1)} days`;
  if (minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? '' : 's'}`;
  if (minutes > 120) return `${(minutes / 60).toFixed(1)} hours`;
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
