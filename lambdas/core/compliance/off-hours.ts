/**
 * Whether an instant falls in an off-hours window, read on the wall clock of the window's time
 * zone with Intl (no time-zone tables of our own): daylight-saving changes are the runtime's ICU
 * data's business, and 20:00 in Berlin is 20:00 in Berlin in winter and in summer.
 */
const WEEKEND_DAYS: ReadonlySet<string> = new Set(['Sat', 'Sun']);

export interface WallClock {
  /** `Mon` … `Sun`. */
  weekday: string;
  /** Minutes since local midnight, 0–1439. */
  minuteOfDay: number;
  /** `2026-11-22 21:15 (Europe/Berlin)`, for messages. */
  text: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function wallClock(instantMs: number, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) parts[part.type] = part.value;
  const hour = Number(parts.hour) % 24;
  const minute = Number(parts.minute);
  return {
    weekday: parts.weekday ?? '',
    minuteOfDay: hour * 60 + minute,
    text: `${parts.year}-${parts.month}-${parts.day} ${String(hour).padStart(2, '0')}:${parts.minute} (${timeZone})`,
  };
}

export interface OffHoursSpec {
  startMinute: number;
  endMinute: number;
  timeZone: string;
  weekends: boolean;
}

/** [start, end) on the local clock; a window whose end is earlier than its start runs past midnight. */
export function isOffHours(instantMs: number, window: OffHoursSpec): boolean {
  const local = wallClock(instantMs, window.timeZone);
  if (window.weekends && WEEKEND_DAYS.has(local.weekday)) return true;
  const minute = local.minuteOfDay;
  return window.startMinute < window.endMinute
    ? minute >= window.startMinute && minute < window.endMinute
    : minute >= window.startMinute || minute < window.endMinute;
}
