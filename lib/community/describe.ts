/**
 * Words for running a room: room event lines ("Alice renamed the room to Design"), group names ("Alice,
 * Bob and 2 others"), mute and invitation durations. Pure, so the timeline, the sidebar and notifications
 * say the same thing.
 */
import type { RoomEvent } from '../schemas/room-event';

/** "Carol", "Carol and Dan", "Carol, Dan and Erin". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * A group conversation's name from its other members: all of them up to three, else the first two and a
 * count ("Alice, Bob and 2 others").
 */
export function groupName(participants: readonly { displayName: string }[]): string {
  const names = participants.map((p) => p.displayName);
  if (names.length === 0) return 'Only you';
  if (names.length <= 3) return listNames(names);
  const rest = names.length - 2;
  return `${names[0]}, ${names[1]} and ${rest} others`;
}

const UNITS: [seconds: number, one: string, many: string][] = [
  [24 * 60 * 60, 'day', 'days'],
  [60 * 60, 'hour', 'hours'],
  [60, 'minute', 'minutes'],
];

/** "15 minutes", "1 hour", "8 hours", "7 days", "1 day and 2 hours": the two largest whole units. */
export function formatDuration(seconds: number): string {
  let left = Math.max(60, Math.round(seconds / 60) * 60);
  const parts: string[] = [];
  for (const [size, one, many] of UNITS) {
    const n = Math.floor(left / size);
    if (n > 0 && parts.length < 2) {
      parts.push(`${n} ${n === 1 ? one : many}`);
      left -= n * size;
    }
  }
  return listNames(parts);
}

/** The mute lengths offered (docs/protocol.md §4.13: 1 minute to 30 days). */
export const MUTE_PRESETS: { seconds: number; label: string }[] = [
  { seconds: 15 * 60, label: '15 minutes' },
  { seconds: 60 * 60, label: '1 hour' },
  { seconds: 8 * 60 * 60, label: '8 hours' },
  { seconds: 24 * 60 * 60, label: '24 hours' },
  { seconds: 7 * 24 * 60 * 60, label: '7 days' },
];

const ROLE_WORDS = { admin: 'an admin', moderator: 'a moderator', member: 'a member' } as const;

/** " — spam" when a reason was given. */
const because = (reason: string) => (reason.trim() ? ` — ${reason.trim()}` : '');

/**
 * One line for a room event, as a sentence about `actor` (the message's author): who did what to whom.
 * `at` is when it happened (the message's createdAt), for a mute's length. Unknown types (a newer server)
 * read as a neutral line.
 */
export function describeRoomEvent(event: RoomEvent | { type: string }, actor: string, at: string): string {
  const e = event as RoomEvent;
  switch (e.type) {
    case 'renamed':
      return `${actor} renamed the room to ${e.name}`;
    case 'description_changed':
      return `${actor} changed the room description`;
    case 'topic_changed':
      return e.topic ? `${actor} set the topic: ${e.topic}` : `${actor} cleared the topic`;
    case 'visibility_changed':
      return e.kind === 'public' ? `${actor} made the room public` : `${actor} made the room private`;
    case 'password_changed':
      return e.removed ? `${actor} removed the room password` : `${actor} set a new room password`;
    case 'mentions_policy_changed':
      return e.roomMentions === 'anyone' ? `${actor} let everyone use @room` : `${actor} limited @room to the owner and admins`;
    case 'archived':
      return `${actor} archived the room`;
    case 'restored':
      return `${actor} restored the room`;
    case 'ownership_transferred':
      return `${actor} made ${e.to.displayName} the owner`;
    case 'role_changed':
      return `${actor} made ${e.subject.displayName} ${ROLE_WORDS[e.role] ?? e.role}`;
    case 'members_added':
      return `${actor} added ${listNames(e.subjects.map((s) => s.displayName))}`;
    case 'joined_by_invite':
      return `${actor} joined with an invitation`;
    case 'left':
      return `${actor} left the conversation`;
    case 'kicked':
      return `${e.subject.displayName} was removed by ${actor}${because(e.reason)}`;
    case 'banned':
      return `${e.subject.displayName} was banned by ${actor}${because(e.reason)}`;
    case 'unbanned':
      return `${actor} lifted the ban on ${e.subject.displayName}`;
    case 'muted': {
      const seconds = (Date.parse(e.until) - Date.parse(at)) / 1000;
      const length = Number.isFinite(seconds) && seconds > 0 ? ` for ${formatDuration(seconds)}` : '';
      return `${e.subject.displayName} was muted by ${actor}${length}${because(e.reason)}`;
    }
    case 'unmuted':
      return `${actor} unmuted ${e.subject.displayName}`;
    default:
      return `${actor} changed the room`;
  }
}

/** The user ids a room event brings in (added, joined by link) or takes out (left, removed) of the room. */
export function eventMembership(event: RoomEvent | { type: string }, authorId: string): { joined: string[]; left: string[] } {
  const e = event as RoomEvent;
  switch (e.type) {
    case 'members_added':
      return { joined: e.subjects.map((s) => s.id), left: [] };
    case 'joined_by_invite':
      return { joined: [authorId], left: [] };
    case 'left':
      return { joined: [], left: [authorId] };
    case 'kicked':
    case 'banned':
      return { joined: [], left: [e.subject.id] };
    default:
      return { joined: [], left: [] };
  }
}

/** "until 14:05" today, "until Tue 14:05" within a week, else a date. */
export function formatUntil(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (date.toDateString() === now.toDateString()) return time;
  const days = (date.getTime() - now.getTime()) / 86_400_000;
  if (days < 6) return `${date.toLocaleDateString([], { weekday: 'short' })} ${time}`;
  return `${date.toLocaleDateString([], { day: 'numeric', month: 'short', year: date.getFullYear() === now.getFullYear() ? undefined : 'numeric' })} ${time}`;
}
