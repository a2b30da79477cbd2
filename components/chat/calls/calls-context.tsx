'use client';
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { CallsActions, CallsState, CallsStore } from '@/lib/stores/calls';

export const CallsContext = createContext<{ store: CallsStore; meId: string } | null>(null);

function useCallsContext() {
  const value = useContext(CallsContext);
  if (!value) throw new Error('Calls are used inside <ChatShell>.');
  return value;
}

export function useCallsStore(): CallsStore {
  return useCallsContext().store;
}

/** The signed-in user's id (who "I" am in a call's participants). */
export function useCallsMeId(): string {
  return useCallsContext().meId;
}

/** Selects from the tab's calls store. */
export function useCalls<T>(selector: (state: CallsState & CallsActions) => T): T {
  return useStore(useCallsContext().store, selector);
}
