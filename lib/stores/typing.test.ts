import { describe, expect, it } from 'vitest';
import { NO_TYPING, TYPING_TTL_MS, applyTyping, expireTyping, nextTypingExpiry, removeTyping, typingFromSnapshot, typingText } from './typing';

const user = (id: string, displayName: string) => ({ id, username: id, displayName });
const alice = user('a', 'Alice');
const bob = user('b', 'Bob');
const carol = user('c', 'Carol');
const me = user('me', 'Me');

describe('typing set', () => {
  it('adds, refreshes and removes entries; never holds me', () => {
    let set = applyTyping(NO_TYPING, alice, true, 1_000, me.id);
    expect(set.a!.expiresAt).toBe(1_000 + TYPING_TTL_MS);
    set = applyTyping(set, alice, true, 3_000, me.id);
    expect(set.a!.expiresAt).toBe(3_000 + TYPING_TTL_MS);
    expect(applyTyping(set, me, true, 3_000, me.id)).toBe(set);
    set = applyTyping(set, alice, false, 4_000, me.id);
    expect(set).toEqual({});
    expect(removeTyping(set, 'a')).toBe(set);
  });

  it('expires entries not refreshed within the TTL', () => {
    let set = applyTyping(NO_TYPING, alice, true, 0, me.id);
    set = applyTyping(set, bob, true, 2_000, me.id);
    expect(nextTypingExpiry(set)).toBe(TYPING_TTL_MS);
    expect(expireTyping(set, TYPING_TTL_MS - 1)).toBe(set);
    set = expireTyping(set, TYPING_TTL_MS);
    expect(Object.keys(set)).toEqual(['b']);
    expect(nextTypingExpiry(set)).toBe(2_000 + TYPING_TTL_MS);
    expect(nextTypingExpiry(NO_TYPING)).toBeNull();
  });

  it('a room:ready snapshot replaces the set, without me', () => {
    expect(Object.keys(typingFromSnapshot([alice, me], 0, me.id))).toEqual(['a']);
  });

  it('says who is typing', () => {
    expect(typingText(NO_TYPING)).toBeNull();
    let set = applyTyping(NO_TYPING, bob, true, 0, me.id);
    expect(typingText(set)).toBe('Bob is typing…');
    set = applyTyping(set, alice, true, 0, me.id);
    expect(typingText(set)).toBe('Alice and Bob are typing…');
    set = applyTyping(set, carol, true, 0, me.id);
    expect(typingText(set)).toBe('Several people are typing…');
  });
});
