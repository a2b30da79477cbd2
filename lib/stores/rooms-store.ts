/**
 * The sidebar's rooms — every room I am in: seeded with the server-rendered list, kept current by
 * main-namespace events (`room:joined`, `room:deleted`, `membership:changed`, `room:activity`,
 * `room:read`), REST answers, and a refetch after every reconnect.
 *
 * `unreadMentions` of each listed room is what the sidebar shows: the server's count kept live by
 * mentions.ts (mentions learned from room:activity, cleared by my read position, a refetch when the read
 * position moved into what only the server can count).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RoomList, RoomSettings, RoomSummary } from '../schemas/room';
import { addMention, mentionsStale, mergeTrack, readMentions, trackFromSummary, withMentionCounts, type MentionTrack } from './mentions';
import { advanceRoom, applySettings, findRoom, normalizeRoomList, removeRoom, upsertRoom } from './room-list';

/** Why I am no longer in a room, when someone else decided it (docs/protocol.md §4.13). */
export type RemovalReason = 'kicked' | 'banned';

export interface RoomsState extends RoomList {
  /** Rooms deleted while this tab was open; an open room view watches this. */
  deleted: Record<string, true>;
  /** Per room I am in: the server's mention count and mentions learned since (mentions.ts). */
  mentionTracks: Record<string, MentionTrack>;
  /** Rooms a moderator removed me from while this tab was open, and how; an open room view watches this. */
  removed: Record<string, RemovalReason>;
  /** The newest shared settings heard per room (`room:updated`); an open room view takes them too. */
  roomSettings: Record<string, RoomSettings>;
}

export interface RoomsActions {
  replace(list: RoomList): void;
  /**
   * Authoritative data about a room (REST answer, room:ready); a room I am not in leaves the list. A room
   * already listed keeps its settings (`notify`, `roomMentions`): use `settings` for the answer to changing them.
   */
  upsert(room: RoomSummary): void;
  /** The answer to changing my notification level or the room's settings: taken as is. */
  settings(room: RoomSummary): void;
  /** The room was deleted. */
  remove(roomId: string): void;
  /** I left the room (or was refused it): it leaves the list. */
  left(roomId: string): void;
  /** A moderator removed me (`membership:changed` with a reason): it leaves the list, and the room view says why. */
  removedFrom(roomId: string, reason: RemovalReason): void;
  /** A room's shared settings changed (`room:updated`): name, topic, kind, owner, archived… */
  updateSettings(settings: RoomSettings): void;
  /**
   * Messages up to `lastSeq` exist in a room of mine (`room:activity`, or seen in the open room);
   * `mentionsMe`: message `lastSeq` mentions me (idempotent per seq).
   */
  activity(roomId: string, lastSeq: number, options?: { mentionsMe?: boolean }): void;
  /** I have read up to `lastReadSeq` (`room:read`, or a `read:mark` ack). */
  read(roomId: string, lastReadSeq: number): void;
  /**
   * Refetches the list (after a reconnect, or when a membership change needs fresh counts). A call while
   * one is in flight fetches once more after it (its answer may predate what asked).
   */
  refresh(): Promise<void>;
}

export type RoomsStore = StoreApi<RoomsState & RoomsActions>;

type Tracks = Record<string, MentionTrack>;

/** Tracks for the rooms of a fresh list (the server's own numbers, before progress held is merged in). */
function mergeTracks(held: Tracks, fresh: readonly RoomSummary[], keep: readonly RoomSummary[]): Tracks {
  const next: Tracks = {};
  const byId = new Map(fresh.map((r) => [r.id, r]));
  for (const room of keep) {
    const served = byId.get(room.id);
    const track = served ? trackFromSummary(served) : null;
    const merged = track ? mergeTrack(held[room.id], track) : held[room.id];
    if (merged) next[room.id] = readMentions(merged, room.lastReadSeq ?? 0);
  }
  return next;
}

export function createRoomsStore(initial: RoomList, deps: { fetchList(): Promise<RoomList> }): RoomsStore {
  let refreshing: Promise<void> | null = null;
  let again = false;

  const initialList = normalizeRoomList(initial);
  const initialTracks = mergeTracks({}, initial.mine, initialList.mine);

  return createStore<RoomsState & RoomsActions>()((set, get) => {
    /** Applies a new list and tracks, counting mentions; refetches when a count went stale. */
    function commit(mine: RoomSummary[], mentionTracks: Tracks, options: { recount?: string } = {}): void {
      set({ mine: withMentionCounts(mine, mentionTracks), mentionTracks });
      if (options.recount === undefined) return;
      const room = findRoom(get(), options.recount);
      const track = get().mentionTracks[options.recount];
      if (room && track && mentionsStale(track, room.lastReadSeq)) void get().refresh();
    }

    function upsertWith(room: RoomSummary, settings: 'keep' | 'take'): void {
      if (get().deleted[room.id]) return;
      const { mine } = upsertRoom(get(), room, { settings });
      const tracks = { ...get().mentionTracks };
      const fresh = trackFromSummary(room);
      const listed = mine.find((r) => r.id === room.id);
      if (fresh && listed) tracks[room.id] = readMentions(mergeTrack(tracks[room.id], fresh), listed.lastReadSeq ?? 0);
      else delete tracks[room.id];
      // Back in a room I was removed from (a kick is not forever): it is an ordinary room again.
      if (room.isMember && get().removed[room.id]) {
        const { [room.id]: _, ...removed } = get().removed;
        set({ removed });
      }
      commit(mine, tracks, { recount: room.id });
    }

    function dropTrack(roomId: string): Tracks {
      const { [roomId]: _, ...rest } = get().mentionTracks;
      return rest;
    }

    return {
      mine: withMentionCounts(initialList.mine, initialTracks),
      mentionTracks: initialTracks,
      deleted: {},
      removed: {},
      roomSettings: {},
      replace(list) {
        const next = normalizeRoomList(list, new Set(Object.keys(get().deleted)), get());
        commit(next.mine, mergeTracks(get().mentionTracks, list.mine, next.mine));
      },
      upsert(room) {
        upsertWith(room, 'keep');
      },
      settings(room) {
        upsertWith(room, 'take');
      },
      remove(roomId) {
        const tracks = dropTrack(roomId);
        set({ ...removeRoom(get(), roomId), mentionTracks: tracks, deleted: { ...get().deleted, [roomId]: true } });
      },
      left(roomId) {
        set({ ...removeRoom(get(), roomId), mentionTracks: dropTrack(roomId) });
      },
      removedFrom(roomId, reason) {
        set({ ...removeRoom(get(), roomId), mentionTracks: dropTrack(roomId), removed: { ...get().removed, [roomId]: reason } });
      },
      updateSettings(settings) {
        const next = applySettings(get(), settings);
        set({ ...(next.mine === get().mine ? {} : { mine: next.mine }), roomSettings: { ...get().roomSettings, [settings.id]: settings } });
      },
      activity(roomId, lastSeq, options = {}) {
        const next = advanceRoom(get(), roomId, { lastSeq });
        const track = get().mentionTracks[roomId];
        const tracked = options.mentionsMe && track ? addMention(track, lastSeq) : track;
        if (next.mine === get().mine && tracked === track) return;
        commit(next.mine, tracked === track ? get().mentionTracks : { ...get().mentionTracks, [roomId]: tracked! });
      },
      read(roomId, lastReadSeq) {
        const next = advanceRoom(get(), roomId, { lastReadSeq });
        if (next.mine === get().mine) return;
        const track = get().mentionTracks[roomId];
        const read = findRoom(next, roomId)?.lastReadSeq ?? lastReadSeq;
        commit(next.mine, track ? { ...get().mentionTracks, [roomId]: readMentions(track, read) } : get().mentionTracks, { recount: roomId });
      },
      refresh() {
        if (refreshing) {
          again = true;
          return refreshing;
        }
        const current = (async () => {
          do {
            again = false;
            try {
              get().replace(await deps.fetchList());
            } catch {
              // keep what we have; the next event or reconnect tries again
            }
          } while (again);
        })();
        refreshing = current;
        void current.finally(() => {
          refreshing = null;
          if (again) void get().refresh();
        });
        return current;
      },
    };
  });
}
