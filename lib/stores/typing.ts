/** Who is typing in a room, as pure functions: entries expire on the client too, in case a stop is lost. */
import type { PublicUser } from '../schemas/user';

/** An entry not refreshed for this long is dropped (the server's own TTL is 5 s; starts repeat every ~3 s). */
export const TYPING_TTL_MS = 6_000;

export interface TypingEntry {
  user: PublicUser;
  /** Epoch ms after which the entry is dropped. */
  expiresAt: number;
}

/** By user id. Never holds me. */
export type TypingSet = Readonly<Record<string, TypingEntry>>;

export const NO_TYPING: TypingSet = Object.freeze({});

/** Applies a `typing:update`; returns the same object when nothing changed. */
export function applyTyping(set: TypingSet, user: PublicUser, typing: boolean, nowMs: number, meId: string): TypingSet {
  if (user.id === meId) return set;
  if (!typing) return removeTyping(set, user.id);
  return { ...set, [user.id]: { user, expiresAt: nowMs + TYPING_TTL_MS } };
}

/** The `room:ready.typing` snapshot replaces what we had. */
export function typingFromSnapshot(users: readonly PublicUser[], nowMs: number, meId: string): TypingSet {
  const set: Record<string, TypingEntry> = {};
  for (const user of users) if (user.id !== meId) set[user.id] = { user, expiresAt: nowMs + TYPING_TTL_MS };
  return set;
}

export function removeTyping(set: TypingSet, userId: string): TypingSet {
  if (!(userId in set)) return set;
  const next = { ...set };
  delete next[userId];
  return next;
}

/** Drops expired entries; the same object when none expired. */
export function expireTyping(set: TypingSet, nowMs: number): TypingSet {
  let next: Record<string, TypingEntry> | null = null;
  for (const [id, entry] of Object.entries(set)) {
    if (entry.expiresAt > nowMs) continue;
    next ??= { ...set };
    delete next[id];
  }
  return next ?? set;
}

/** When the next entry expires (epoch ms), or null if none. */
export function nextTypingExpiry(set: TypingSet): number | null {
  let next: number | null = null;
  for (const entry of Object.values(set)) if (next === null || entry.expiresAt < next) next = entry.expiresAt;
  return next;
}

/** "Alice is typing…", "Alice and Bob are typing…", "Several people are typing…", or null. */
export function typingText(set: TypingSet): string | null {
  const names = Object.values(set)
    .map((e) => e.user.displayName)
    .sort((a, b) => a.localeCompare(b));
  if (names.length === 0) return null;
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}
