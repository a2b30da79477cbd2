'use client';
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { PublicUser } from '@/lib/schemas/user';
import type { RoomActions, RoomState, RoomStore } from '@/lib/stores/room-store';

export const RoomContext = createContext<{ store: RoomStore; me: PublicUser } | null>(null);

function useRoomContext() {
  const value = useContext(RoomContext);
  if (!value) throw new Error('Room components must be used inside <RoomView>.');
  return value;
}

export function useMe(): PublicUser {
  return useRoomContext().me;
}

export function useRoomStoreApi(): RoomStore {
  return useRoomContext().store;
}

/** Selects from the shown room's store. */
export function useRoom<T>(selector: (state: RoomState & RoomActions) => T): T {
  return useStore(useRoomContext().store, selector);
}
