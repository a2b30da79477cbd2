'use client';
import { useEffect, useState } from 'react';
import { roomsApi, usersApi } from '@/lib/api-client';
import type { RoomSummary } from '@/lib/schemas/room';
import type { PublicUser } from '@/lib/schemas/user';

const DEBOUNCE_MS = 250;
/** People and rooms to join shown above the messages: a few, the messages are what was asked for. */
export const QUICK_LIMIT = 3;

interface QuickMatches {
  words: string;
  people: PublicUser[];
  roomsToJoin: RoomSummary[];
}

/**
 * People and rooms to join whose names match plain search words (null: the search has filters, so
 * none are looked up). Best effort: a failure shows none, the message search says what went wrong.
 */
export function useQuickMatches(words: string | null): { people: PublicUser[]; roomsToJoin: RoomSummary[] } {
  const [found, setFound] = useState<QuickMatches | null>(null);
  useEffect(() => {
    if (words === null) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const q = words.slice(0, 64);
      const people = usersApi.search(q, controller.signal, QUICK_LIMIT + 1).then((r) => r.users, () => []);
      const rooms = roomsApi.directory({ q, limit: QUICK_LIMIT }, controller.signal).then((r) => r.rooms, () => []);
      void Promise.all([people, rooms]).then(([p, r]) => {
        if (!controller.signal.aborted) setFound({ words, people: p, roomsToJoin: r });
      });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [words]);
  // Like the messages, the previous words' matches stay until the new ones come (no flashing while typing).
  if (words === null || found === null) return { people: [], roomsToJoin: [] };
  return found;
}
