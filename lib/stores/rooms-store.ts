/**
 * The sidebar's rooms — every room I am in: seeded with the server-rendered list, kept current by
 * main-namespace events (`room:joined`, `room:deleted`, `membership:changed`, `room:activity`,
 * `room:read`), REST answers, and a refetch after every reconnect.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RoomList, RoomSummary } from '../schemas/room';
import { advanceRoom, normalizeRoomList, removeRoom, upsertRoom } from './room-list';

export interface RoomsState extends RoomList {
  /** Rooms deleted while this tab was open; an open room view watches this. */
  deleted: Record<string, true>;
}

export interface RoomsActions {
  replace(list: RoomList): void;
  /** Authoritative data about a room (REST answer, room:ready); a room I am not in leaves the list. */
  upsert(room: RoomSummary): void;
  /** The room was deleted. */
  remove(roomId: string): void;
  /** I left the room (or was refused it): it leaves the list. */
  left(roomId: string): void;
  /** Messages up to `lastSeq` exist in a room of mine (`room:activity`, or seen in the open room). */
  activity(roomId: string, lastSeq: number): void;
  /** I have read up to `lastReadSeq` (`room:read`, or a `read:mark` ack). */
  read(roomId: string, lastReadSeq: number): void;
  /** Refetches the list (after a reconnect, or when a membership change needs fresh counts). */
  refresh(): Promise<void>;
}

export type RoomsStore = StoreApi<RoomsState & RoomsActions>;

export function createRoomsStore(initial: RoomList, deps: { fetchList(): Promise<RoomList> }): RoomsStore {
  let refreshing: Promise<void> | null = null;
  return createStore<RoomsState & RoomsActions>()((set, get) => ({
    ...normalizeRoomList(initial),
    deleted: {},
    replace(list) {
      set(normalizeRoomList(list, new Set(Object.keys(get().deleted)), get()));
    },
    upsert(room) {
      if (get().deleted[room.id]) return;
      set(upsertRoom(get(), room));
    },
    remove(roomId) {
      set({ ...removeRoom(get(), roomId), deleted: { ...get().deleted, [roomId]: true } });
    },
    left(roomId) {
      set(removeRoom(get(), roomId));
    },
    activity(roomId, lastSeq) {
      const next = advanceRoom(get(), roomId, { lastSeq });
      if (next.mine !== get().mine) set({ mine: next.mine });
    },
    read(roomId, lastReadSeq) {
      const next = advanceRoom(get(), roomId, { lastReadSeq });
      if (next.mine !== get().mine) set({ mine: next.mine });
    },
    refresh() {
      refreshing ??= deps
        .fetchList()
        .then((list) => get().replace(list))
        .catch(() => undefined) // keep what we have; the next event or reconnect tries again
        .finally(() => {
          refreshing = null;
        });
      return refreshing;
    },
  }));
}
