/**
 * What the virtualised timeline shows, as pure functions: the store's items with day separators between
 * local days and a "New messages" divider above the first message that was unread when the room opened.
 */
import type { TimelineItem } from './timeline';

export type TimelineRow =
  | TimelineItem
  | { type: 'day'; key: string; label: string; iso: string }
  | { type: 'unread'; key: 'unread-divider' };

const DAY_MS = 24 * 60 * 60 * 1000;

/** The local calendar day of an instant, as "YYYY-MM-DD" (a stable key). */
export function dayKey(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/** Whole local days between two instants' calendar days (DST-safe: counts midnights, not 24 h spans). */
function daysBetween(earlier: Date, later: Date): number {
  const a = Date.UTC(earlier.getFullYear(), earlier.getMonth(), earlier.getDate());
  const b = Date.UTC(later.getFullYear(), later.getMonth(), later.getDate());
  return Math.round((b - a) / DAY_MS);
}

const withoutYear = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long' });
const withYear = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

/**
 * "Today", "Yesterday", "Monday 28 November", or "Friday 28 November 2025" outside this year — in the
 * local time zone. Built from parts so no locale's commas creep in ("Monday, 28 November").
 */
export function dayLabel(date: Date, now: Date = new Date()): string {
  const ago = daysBetween(date, now);
  if (ago === 0) return 'Today';
  if (ago === 1) return 'Yesterday';
  const format = date.getFullYear() === now.getFullYear() ? withoutYear : withYear;
  const parts = format.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return [part('weekday'), part('day'), part('month'), part('year')].filter(Boolean).join(' ');
}

function itemTime(item: TimelineItem): string {
  if (item.type === 'system') return item.line.at;
  return item.message.createdAt;
}

/**
 * The rows: a day separator before the first item of each local day, and the unread divider before the
 * first message with seq ≥ `firstUnread` (when it is held). Outgoing rows belong to the day they were written.
 */
export function timelineRows(items: readonly TimelineItem[], firstUnread: number | null, now: Date = new Date()): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let day: string | null = null;
  let dividerPlaced = false;
  for (const item of items) {
    const at = new Date(itemTime(item));
    const key: string | null = Number.isNaN(at.getTime()) ? day : dayKey(at);
    if (key !== null && key !== day) {
      rows.push({ type: 'day', key: `day-${key}`, label: dayLabel(at, now), iso: at.toISOString() });
      day = key;
    }
    if (!dividerPlaced && firstUnread !== null && item.type === 'message' && item.message.seq >= firstUnread) {
      rows.push({ type: 'unread', key: 'unread-divider' });
      dividerPlaced = true;
    }
    rows.push(item);
  }
  return rows;
}

/**
 * The first message that was unread when the room opened: after my read position, not mine. Null when
 * nothing was unread. Messages not held yet (further back than the first page) count as unread too: the
 * answer is then just past my read position.
 */
export function firstUnreadSeq(
  messages: readonly { seq: number; author: { id: string } }[],
  lastReadSeq: number | null,
  lastSeq: number | null,
  meId: string,
): number | null {
  const read = lastReadSeq ?? 0;
  if (lastSeq === null || lastSeq <= read) return null;
  const oldestHeld = messages[0]?.seq;
  if (oldestHeld !== undefined && oldestHeld > read + 1) return read + 1;
  const first = messages.find((m) => m.seq > read && m.author.id !== meId);
  return first ? first.seq : null;
}

/** How far `firstItemIndex` moves when rows are prepended: the shift of the first message both lists hold. */
export function prependShift(previous: readonly { key: string }[], next: readonly { key: string }[]): number | null {
  const anchor = previous.find((row) => row.key.startsWith('seq-'));
  if (!anchor) return null;
  const before = previous.indexOf(anchor);
  const after = next.findIndex((row) => row.key === anchor.key);
  return after < 0 ? null : after - before;
}
