'use client';
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { RoomsActions, RoomsState, RoomsStore } from '@/lib/stores/rooms-store';

export const RoomsContext = createContext<RoomsStore | null>(null);

export function useRoomsStore(): RoomsStore {
  const store = useContext(RoomsContext);
  if (!store) throw new Error('useRooms must be used inside <ChatShell>.');
  return store;
}

/** Selects from the sidebar's rooms store. */
export function useRooms<T>(selector: (state: RoomsState & RoomsActions) => T): T {
  return useStore(useRoomsStore(), selector);
}
