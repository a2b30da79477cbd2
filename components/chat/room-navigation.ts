'use client';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect } from 'react';
import { roomIdFromPath } from '@/lib/room-links';
import type { RoomsStore } from '@/lib/stores/rooms-store';
import { useRoomsStore } from './rooms-context';

/**
 * Switching between my rooms without a server render.
 *
 * A Next.js navigation to `/rooms/<id>` renders the room page on the server every time (the session, the room,
 * every member, the newest history, the RSC payload): three quarters of a busy server's time went there (issue 16).
 * While a room page is on screen, its host (room-host.tsx) can show any room I am in by itself, from one read on the
 * tab's socket (`room:load`): so a link to such a room only moves the URL (history.pushState, which Next's router follows:
 * usePathname, useSearchParams, back and forward) and the host does the rest. Anything else — a room I am not
 * in (its join page), any other page, no host mounted — stays a normal navigation.
 */

let mountedHosts = 0;

/** Mounted by the room host: while it is there, links to my rooms open in place. */
export function useRoomHostMounted(): void {
  useEffect(() => {
    mountedHosts += 1;
    return () => {
      mountedHosts -= 1;
    };
  }, []);
}

/** The path and query a link would open in place, or null when it needs the router. */
export function inPlaceTarget(href: string, rooms: RoomsStore): string | null {
  if (mountedHosts === 0 || typeof window === 'undefined') return null;
  const url = new URL(href, window.location.href);
  if (url.origin !== window.location.origin) return null;
  const roomId = roomIdFromPath(url.pathname);
  if (!roomId || !rooms.getState().mine.some((room) => room.id === roomId)) return null;
  return `${url.pathname}${url.search}`;
}

/** Opens `href` in place when it can (see above); false when the caller should navigate as usual. */
export function openInPlace(href: string, rooms: RoomsStore): boolean {
  const target = inPlaceTarget(href, rooms);
  if (target === null) return false;
  if (target !== `${window.location.pathname}${window.location.search}`) window.history.pushState(null, '', target);
  return true;
}

/** Opens `href` in place when it can (see above), else with the router. */
export function openRoomHref(href: string, rooms: RoomsStore, router: { push(href: string): void }): void {
  if (!openInPlace(href, rooms)) router.push(href);
}

/** `openRoomHref` for components inside the chat shell. */
export function useOpenRoomHref(): (href: string) => void {
  const rooms = useRoomsStore();
  const router = useRouter();
  return useCallback((href: string) => openRoomHref(href, rooms, router), [rooms, router]);
}
