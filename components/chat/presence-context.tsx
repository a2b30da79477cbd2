'use client';
import { createContext, useContext, useEffect } from 'react';
import { useStore } from 'zustand';
import type { PresenceStore } from '@/lib/stores/presence-store';
import { lastSeenText, type ShownPresence } from '@/lib/stores/presence';
import type { PresenceInfo } from '@/lib/schemas/user';
import { useNow } from './use-window-active';

export const PresenceContext = createContext<PresenceStore | null>(null);

function usePresenceStore(): PresenceStore {
  const store = useContext(PresenceContext);
  if (!store) throw new Error('Presence is used inside <ChatShell>.');
  return store;
}

/** The server's presence for one user, once known. */
export function usePresence(userId: string | undefined): PresenceInfo | undefined {
  return useStore(usePresenceStore(), (s) => (userId ? s.byId[userId] : undefined));
}

export function usePresenceMap(): Readonly<Record<string, PresenceInfo>> {
  return useStore(usePresenceStore(), (s) => s.byId);
}

/** Follows these users' presence while mounted (`key` names this part of the UI). */
export function useWatchPresence(key: string, userIds: readonly string[]): void {
  const store = usePresenceStore();
  const joined = userIds.join(',');
  useEffect(() => {
    store.getState().want(key, joined ? joined.split(',') : []);
  }, [store, key, joined]);
  useEffect(() => () => store.getState().want(key, []), [store, key]);
}

const DOT: Record<ShownPresence['status'], string> = {
  online: 'bg-emerald-500',
  away: 'bg-amber-400',
  offline: 'bg-line-strong',
};

/** online = green, away = amber, offline = grey. */
export function PresenceDot({ presence, className = '' }: { presence: ShownPresence; className?: string }) {
  return (
    <span
      data-testid="presence-dot"
      data-status={presence.status}
      role="img"
      aria-label={presence.status}
      className={`inline-block h-2.5 w-2.5 shrink-0 rounded-full ${DOT[presence.status]} ${className}`}
    />
  );
}

/** "away", "last seen 5 min ago", or nothing (online, or offline and never seen). */
export function PresenceText({ presence, className = '' }: { presence: ShownPresence; className?: string }) {
  const now = useNow();
  const text = presence.status === 'away' ? 'away' : presence.status === 'offline' ? lastSeenText(presence.lastSeenAt, now) : null;
  if (!text) return null;
  return (
    <span data-testid="presence-text" suppressHydrationWarning className={`text-xs text-fg-subtle ${className}`}>
      {text}
    </span>
  );
}
