/**
 * The sidebar's rooms: seeded with the server-rendered list, kept current by main-namespace events
 * (`room:listed`, `room:joined`, `room:deleted`, `membership:changed`, `room:activity`, `room:read`) and a
 * refetch after every reconnect.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { MemberRole, RoomList, RoomSummary } from '../schemas/room';
import { advanceRoom, applyListed, normalizeRoomList, removeRoom, setMembership, upsertRoom } from './room-list';

export interface RoomsState extends RoomList {
  /** Rooms deleted while this tab was open; an open room view watches this. */
  deleted: Record<string, true>;
}

export interface RoomsActions {
  replace(list: RoomList): void;
  /** Authoritative data about a room (REST answer, room:ready). */
  upsert(room: RoomSummary): void;
  /** A `room:listed` broadcast (the listing view). */
  listed(room: RoomSummary): void;
  remove(roomId: string): void;
  setMembership(roomId: string, isMember: boolean, role?: MemberRole | null): void;
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
    listed(room) {
      if (get().deleted[room.id]) return;
      set(applyListed(get(), room));
    },
    remove(roomId) {
      set({ ...removeRoom(get(), roomId), deleted: { ...get().deleted, [roomId]: true } });
    },
    setMembership(roomId, isMember, role) {
      set(setMembership(get(), roomId, isMember, role));
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
