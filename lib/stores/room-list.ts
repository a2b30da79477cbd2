/** Sidebar list operations, pure: the rooms store applies them to initial server data and main-namespace events. */
import { groupName } from '../community/describe';
import { isConversation } from '../schemas/limits';
import type { RoomList, RoomSettings, RoomSummary } from '../schemas/room';

/**
 * What to call a room: its name; for a direct conversation the other person's; for a group its other
 * members' ("Alice, Bob and 2 others").
 */
export function roomTitle(room: Pick<RoomSummary, 'kind' | 'name' | 'peer'> & { participants?: RoomSummary['participants'] }): string {
  if (room.kind === 'direct') return room.peer?.displayName ?? 'Direct message';
  if (room.kind === 'group') return groupName(room.participants ?? []);
  return room.name;
}

/** The part of my summary that is the same for every member (what `room:updated` carries). */
export function settingsOf(room: RoomSummary): RoomSettings {
  const { id, name, description, topic, kind, ownerId, hasPassword, roomMentions, archivedAt } = room;
  return { id, name, description, topic, kind, ownerId, hasPassword, roomMentions, archivedAt };
}

/** A room's shared settings (`room:updated`, §4.13) merged into my summary of it. */
export function withSettings(room: RoomSummary, settings: RoomSettings): RoomSummary {
  const { id: _, ...shared } = settings;
  const merged = { ...room, ...shared };
  // Making a room public removes its password; the summary says so through hasPassword, already merged.
  return (Object.keys(shared) as (keyof typeof shared)[]).every((k) => room[k] === merged[k]) ? room : merged;
}

/** `room:updated` for a listed room: its summary takes the new settings (and may sort elsewhere by a new name). */
export function applySettings(list: RoomList, settings: RoomSettings): RoomList {
  const held = findRoom(list, settings.id);
  if (!held) return list;
  const next = withSettings(held, settings);
  if (next === held) return list;
  return { mine: sortRooms(list.mine.map((r) => (r.id === settings.id ? next : r))) };
}

const byTitle = (a: RoomSummary, b: RoomSummary) =>
  roomTitle(a).localeCompare(roomTitle(b), undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id);

export function sortRooms(rooms: readonly RoomSummary[]): RoomSummary[] {
  return [...rooms].sort(byTitle);
}

const maxOrNull = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * Fresh data about a room I am still in keeps the newer read and activity positions: both only move
 * forward, and an event may have overtaken the answer that carries the older one.
 */
function keepProgress(held: RoomSummary | undefined, room: RoomSummary): RoomSummary {
  if (!held?.isMember || !room.isMember) return room;
  const lastSeq = maxOrNull(held.lastSeq, room.lastSeq);
  const lastReadSeq = maxOrNull(held.lastReadSeq, room.lastReadSeq);
  if (lastSeq === room.lastSeq && lastReadSeq === room.lastReadSeq) return room;
  return { ...room, lastSeq, lastReadSeq };
}

/** The list as shown: rooms I am in, sorted, minus deleted ones, keeping progress already held. */
export function normalizeRoomList(list: RoomList, deleted: ReadonlySet<string> = new Set(), held?: RoomList): RoomList {
  const mine = list.mine.filter((r) => !deleted.has(r.id));
  return { mine: sortRooms(held ? mine.map((r) => keepProgress(held.mine.find((h) => h.id === r.id), r)) : mine) };
}

export function findRoom(list: RoomList, roomId: string): RoomSummary | undefined {
  return list.mine.find((r) => r.id === roomId);
}

/**
 * My settings in a room held: a room view's summary (room:ready when it connected) may be older than a
 * change made since, so only list refetches and the settings' own REST answers move them.
 */
function keepSettings(held: RoomSummary | undefined, room: RoomSummary): RoomSummary {
  if (!held?.isMember || !room.isMember) return room;
  if (held.notify === room.notify && held.roomMentions === room.roomMentions) return room;
  return { ...room, notify: held.notify, roomMentions: held.roomMentions };
}

/**
 * Adds or replaces a room I am in; a room I am not in (any more) leaves the list. A room already listed
 * keeps its settings (`notify`, `roomMentions`) unless `settings: 'take'` (the answer to changing them).
 */
export function upsertRoom(list: RoomList, room: RoomSummary, options: { settings?: 'keep' | 'take' } = {}): RoomList {
  const held = findRoom(list, room.id);
  const mine = list.mine.filter((r) => r.id !== room.id);
  if (room.isMember) mine.push(keepProgress(held, options.settings === 'take' ? room : keepSettings(held, room)));
  else if (!held) return list;
  return { mine: sortRooms(mine) };
}

export function removeRoom(list: RoomList, roomId: string): RoomList {
  if (!findRoom(list, roomId)) return list;
  return { mine: list.mine.filter((r) => r.id !== roomId) };
}

/** Moves a room of mine forward: newer messages exist (`lastSeq`) and/or I have read further (`lastReadSeq`). */
export function advanceRoom(list: RoomList, roomId: string, progress: { lastSeq?: number; lastReadSeq?: number }): RoomList {
  const index = list.mine.findIndex((r) => r.id === roomId);
  if (index < 0) return list;
  const room = list.mine[index]!;
  const lastReadSeq = progress.lastReadSeq === undefined ? room.lastReadSeq : maxOrNull(room.lastReadSeq, progress.lastReadSeq);
  // What I have read exists: lastSeq is at least that.
  const lastSeq = maxOrNull(maxOrNull(room.lastSeq, progress.lastSeq ?? null), lastReadSeq);
  if (lastSeq === room.lastSeq && lastReadSeq === room.lastReadSeq) return list;
  const mine = [...list.mine];
  mine[index] = { ...room, lastSeq, lastReadSeq };
  return { ...list, mine };
}

/** Lower case without accents, so a filter for "zoe" finds "Zoë" and "ZOE". */
export function foldForMatch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

/**
 * The sidebar filter: rooms whose title (for conversations, also the other person's username) contains
 * every word of `query`, accents and case ignored. An empty query keeps everything.
 */
export function filterRooms<R extends RoomSummary>(rooms: readonly R[], query: string): R[] {
  const words = foldForMatch(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rooms];
  return rooms.filter((room) => {
    const haystack = foldForMatch([roomTitle(room), room.peer?.username ?? ''].join(' '));
    return words.every((word) => haystack.includes(word));
  });
}

/** The sidebar's two sections, in the order they are shown: rooms first, then conversations (§4.14). */
export function sidebarSections<R extends RoomSummary>(mine: readonly R[]): { rooms: R[]; direct: R[] } {
  return { rooms: mine.filter((r) => !isConversation(r.kind)), direct: mine.filter((r) => isConversation(r.kind)) };
}

/** Every room in sidebar order (what Alt+↑/↓ walks through). */
export function sidebarOrder<R extends RoomSummary>(mine: readonly R[]): R[] {
  const { rooms, direct } = sidebarSections(mine);
  return [...rooms, ...direct];
}

/**
 * The room `step` places after (1) or before (−1) `currentId` in `order`, wrapping around, skipping rooms
 * `eligible` refuses (Alt+Shift+↑/↓: unread only). With no current room (home), ↓ starts at the top and
 * ↑ at the bottom. Null when no other room qualifies.
 */
export function adjacentRoomId<R extends { id: string }>(
  order: readonly R[],
  currentId: string | undefined,
  step: 1 | -1,
  eligible: (room: R) => boolean = () => true,
): string | null {
  const n = order.length;
  if (n === 0) return null;
  const at = currentId === undefined ? -1 : order.findIndex((r) => r.id === currentId);
  const start = at < 0 ? (step === 1 ? -1 : n) : at;
  for (let i = 1; i <= n; i += 1) {
    const candidate = order[(((start + step * i) % n) + n) % n]!;
    if (candidate.id !== currentId && eligible(candidate)) return candidate.id;
  }
  return null;
}
