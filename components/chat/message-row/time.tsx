'use client';
/** A message's time: short on screen ("14:05"), the full date and time in `title` ("Monday 30 November 2026 at 14:05"). */

/** "14:05" (or "2:05 PM"): the browser's locale and time zone, not the server's. */
export function shortTime(date: Date): string {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** "14:05", or "2:05" where clocks have AM/PM: the gutter of a continuation row is narrow and the header says which. */
export function gutterTime(date: Date): string {
  return new Intl.DateTimeFormat([], { hour: 'numeric', minute: '2-digit' })
    .formatToParts(date)
    .filter((p) => p.type !== 'dayPeriod')
    .map((p) => p.value)
    .join('')
    .trim();
}

/** "Monday 30 November 2026 at 14:05", in the browser's locale. */
export function fullDateTime(date: Date): string {
  const day = date.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  return `${day} at ${shortTime(date)}`;
}

export function Time({ iso, className = 'text-xs text-fg-subtle', compact = false }: { iso: string; className?: string; compact?: boolean }) {
  const date = new Date(iso);
  return (
    // The server and the browser may be in different time zones: the browser's wins (hence no hydration warning).
    <time dateTime={iso} title={fullDateTime(date)} suppressHydrationWarning className={`whitespace-nowrap tabular-nums ${className}`}>
      {compact ? gutterTime(date) : shortTime(date)}
    </time>
  );
}
