import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PresenceInfo } from '../schemas/user';
import { lastSeenText, presenceRank, shownPresence } from './presence';
import { createPresenceStore, watchSet } from './presence-store';

describe('presence display', () => {
  it('prefers the server presence, else the room online set', () => {
    const seen = '2026-01-01T10:00:00.000Z';
    expect(shownPresence({ userId: 'a', status: 'offline', lastSeenAt: seen }, true)).toEqual({ status: 'offline', lastSeenAt: seen });
    expect(shownPresence({ userId: 'a', status: 'away', lastSeenAt: null }, false)).toEqual({ status: 'away', lastSeenAt: null });
    expect(shownPresence(undefined, true)).toEqual({ status: 'online', lastSeenAt: null });
    expect(shownPresence(undefined, false)).toEqual({ status: 'offline', lastSeenAt: null });
    expect(presenceRank('online')).toBeLessThan(presenceRank('away'));
    expect(presenceRank('away')).toBeLessThan(presenceRank('offline'));
  });

  it('formats "last seen"', () => {
    const now = Date.parse('2026-03-10T12:00:00.000Z');
    const ago = (ms: number) => new Date(now - ms).toISOString();
    expect(lastSeenText(null, now)).toBeNull();
    expect(lastSeenText(ago(20_000), now)).toBe('last seen just now');
    expect(lastSeenText(ago(5 * 60_000 + 10_000), now)).toBe('last seen 5 min ago');
    expect(lastSeenText(ago(3 * 3_600_000), now)).toBe('last seen 3 h ago');
    expect(lastSeenText(ago(30 * 3_600_000), now)).toBe('last seen yesterday');
    expect(lastSeenText(ago(4 * 86_400_000), now)).toBe('last seen 4 days ago');
    expect(lastSeenText(ago(40 * 86_400_000), now)).toMatch(/^last seen .*2026/);
    expect(lastSeenText(new Date(now + 5_000).toISOString(), now)).toBe('last seen just now'); // clock skew
  });
});

describe('presence store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const info = (userId: string, status: PresenceInfo['status'] = 'online'): PresenceInfo => ({ userId, status, lastSeenAt: null });

  it('watches the union of what every part shows, capped', () => {
    expect(watchSet([['b', 'a'], ['a', 'c']])).toEqual(['a', 'b', 'c']);
    expect(watchSet([['a', 'b', 'c']], 2)).toEqual(['a', 'b']);
    // A long list does not push out a short one, whichever came first.
    expect(watchSet([['a', 'b', 'c', 'd'], ['z']], 3)).toEqual(['a', 'b', 'z']);
  });

  it('sends one watch for parts mounting together, applies the answer and changes, and resyncs', async () => {
    const watch = vi.fn(async (ids: string[]) => ids.map((id) => info(id)));
    const store = createPresenceStore({ debounceMs: 10 });
    store.getState().setWatcher(watch);
    store.getState().want('sidebar', ['b']);
    store.getState().want('room:x', ['a', 'b']);
    await vi.advanceTimersByTimeAsync(10);
    expect(watch.mock.calls).toEqual([[['a', 'b']]]);
    expect(store.getState().byId.a!.status).toBe('online');

    store.getState().apply({ userId: 'a', status: 'offline', lastSeenAt: '2026-01-01T00:00:00.000Z' });
    expect(store.getState().byId.a!.status).toBe('offline');

    // Same set again: nothing sent. Letting go of a part shrinks the set.
    store.getState().want('room:x', ['a', 'b']);
    await vi.advanceTimersByTimeAsync(10);
    expect(watch).toHaveBeenCalledTimes(1);
    store.getState().want('room:x', []);
    await vi.advanceTimersByTimeAsync(10);
    expect(watch.mock.calls[1]).toEqual([['b']]);

    // A reconnect: the server forgot, so the same set goes again.
    store.getState().resync();
    await vi.advanceTimersByTimeAsync(0);
    expect(watch.mock.calls[2]).toEqual([['b']]);
  });

  it('not connected: sent on the next resync; a failure is retried', async () => {
    const watch = vi.fn<(ids: string[]) => Promise<PresenceInfo[] | null>>().mockResolvedValueOnce(null).mockRejectedValueOnce(new Error('timeout'));
    watch.mockResolvedValue([info('a', 'away')]);
    const store = createPresenceStore({ debounceMs: 0, retryMs: 100 });
    store.getState().setWatcher(watch);
    store.getState().want('x', ['a']);
    await vi.advanceTimersByTimeAsync(0);
    expect(watch).toHaveBeenCalledTimes(1);
    store.getState().resync();
    await vi.advanceTimersByTimeAsync(0);
    expect(watch).toHaveBeenCalledTimes(2); // rejected
    await vi.advanceTimersByTimeAsync(100);
    expect(watch).toHaveBeenCalledTimes(3);
    expect(store.getState().byId.a!.status).toBe('away');
  });
});
