/**
 * Calendar days in the searcher's time zone as instants: `on:2026-11-15` in Europe/Paris is
 * [2026-11-14T23:00Z, 2026-11-15T23:00Z). Uses Intl's zone data (the runtime's tz database), so daylight
 * saving changes and odd offsets come out right without a library.
 */
import type { DayRef } from './query';

interface YearMonthDay {
  year: number;
  month: number;
  day: number;
}

/** The wall-clock fields of an instant in a zone. */
function wallClock(instant: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(instant);
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value);
  return { year: field('year'), month: field('month'), day: field('day'), hour: field('hour'), minute: field('minute'), second: field('second') };
}

/** The zone's offset from UTC at an instant, in milliseconds (east positive). */
function offsetAt(instant: number, timeZone: string): number {
  const wall = wallClock(instant, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant the day begins in the zone (the first moment that exists on it, across a DST gap). */
export function startOfDay(day: YearMonthDay, timeZone: string): Date {
  const midnightUtc = Date.UTC(day.year, day.month - 1, day.day);
  let instant = midnightUtc - offsetAt(midnightUtc, timeZone);
  // A second pass settles days whose offset differs from the guess's (DST changes near midnight).
  instant = midnightUtc - offsetAt(instant, timeZone);
  return new Date(instant);
}

function addDays(day: YearMonthDay, days: number): YearMonthDay {
  const date = new Date(Date.UTC(day.year, day.month - 1, day.day + days));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export function resolveDay(ref: DayRef, timeZone: string, now = Date.now()): YearMonthDay {
  if (ref === 'today' || ref === 'yesterday') {
    const wall = wallClock(now, timeZone);
    const today = { year: wall.year, month: wall.month, day: wall.day };
    return ref === 'today' ? today : addDays(today, -1);
  }
  const [year, month, day] = ref.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

/** [from, to) bounds on created_at for before:/after:/on: (null = unbounded on that side). */
export function dayBounds(
  filters: { before: DayRef | null; after: DayRef | null; on: DayRef | null },
  timeZone: string,
  now = Date.now(),
): { from: Date | null; to: Date | null } {
  if (filters.on !== null) {
    const day = resolveDay(filters.on, timeZone, now);
    return { from: startOfDay(day, timeZone), to: startOfDay(addDays(day, 1), timeZone) };
  }
  return {
    from: filters.after === null ? null : startOfDay(addDays(resolveDay(filters.after, timeZone, now), 1), timeZone),
    to: filters.before === null ? null : startOfDay(resolveDay(filters.before, timeZone, now), timeZone),
  };
}
