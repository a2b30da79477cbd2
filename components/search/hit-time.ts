/**
 * When a search hit was written, as a person scans a result list: "5 minutes ago", "Today 14:05",
 * "Yesterday 09:12", "Nov 3", "Nov 3, 2025"; the full date and time for a tooltip.
 */
export interface HitTimeOptions {
  /** Defaults to the browser's. */
  locale?: string;
  /** Defaults to the browser's. */
  timeZone?: string;
}

const HOUR_MS = 60 * 60 * 1000;

function dayKey(date: Date, timeZone: string | undefined): string {
  // en-CA formats as YYYY-MM-DD: a stable calendar-day key in any time zone.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

export function hitTime(iso: string, now: Date, options: HitTimeOptions = {}): { label: string; title: string } {
  const { locale, timeZone } = options;
  const date = new Date(iso);
  const title = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'full', timeStyle: 'short' }).format(date);
  const ago = now.getTime() - date.getTime();
  if (ago >= 0 && ago < HOUR_MS) {
    const minutes = Math.floor(ago / 60_000);
    const label = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(-minutes, 'minute');
    return { label, title };
  }
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' }).format(date);
  const day = dayKey(date, timeZone);
  if (day === dayKey(now, timeZone)) return { label: `Today ${time}`, title };
  if (day === dayKey(new Date(now.getTime() - 24 * HOUR_MS), timeZone)) return { label: `Yesterday ${time}`, title };
  const sameYear = day.slice(0, 4) === dayKey(now, timeZone).slice(0, 4);
  const label = new Intl.DateTimeFormat(locale, { timeZone, month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) }).format(date);
  return { label, title };
}
