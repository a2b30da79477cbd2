import { describe, expect, it } from 'vitest';
import type { RoomList, RoomSummary } from '../schemas/room';
import { createRoomsStore } from './rooms-store';
import { roomSummary } from '../testing/room-fixtures';

const mine = (id: string, name = `Room ${id}`): RoomSummary =>
  roomSummary(id, { name, memberCount: 2, isMember: true, role: 'member', lastSeq: 0, lastReadSeq: 0 });

describe('rooms store', () => {
  it('holds the rooms I am in: leaving drops one, a deletion is remembered against stale refetches', async () => {
    let served: RoomList = { mine: [mine('a'), mine('b'), mine('c')] };
    const store = createRoomsStore({ mine: [mine('b', 'Beta'), mine('a', 'Alpha'), mine('c', 'Gamma')] }, { fetchList: async () => served });
    expect(store.getState().mine.map((r) => r.name)).toEqual(['Alpha', 'Beta', 'Gamma']);

    store.getState().left('a');
    store.getState().remove('c');
    expect(store.getState().mine.map((r) => r.id)).toEqual(['b']);
    expect(store.getState().deleted).toEqual({ c: true });

    // A refetch answered before the deletion reached the server still lists `c`: it stays gone. A room
    // joined elsewhere (membership:changed, then a refetch) appears.
    served = { mine: [mine('b'), mine('c'), mine('d')] };
    await store.getState().refresh();
    expect(store.getState().mine.map((r) => r.id)).toEqual(['b', 'd']);
    store.getState().upsert(mine('c'));
    expect(store.getState().mine.map((r) => r.id)).toEqual(['b', 'd']);
  });
});

describe('rooms store: mention badges', () => {
  const room = (id: string, o: Partial<RoomSummary>): RoomSummary =>
    roomSummary(id, { memberCount: 2, isMember: true, role: 'member', lastSeq: 0, lastReadSeq: 0, unreadMentions: 0, notify: 'mentions', ...o });

  /** A fetchList the test answers by hand: it resolves when the test says. */
  function manualFetch() {
    const pending: ((list: RoomList) => void)[] = [];
    let calls = 0;
    return {
      fetchList: () => {
        calls += 1;
        return new Promise<RoomList>((resolve) => pending.push(resolve));
      },
      get calls() {
        return calls;
      },
      answer(list: RoomList) {
        pending.shift()!(list);
      },
    };
  }
  const mentions = (store: ReturnType<typeof createRoomsStore>, id: string) => store.getState().mine.find((r) => r.id === id)?.unreadMentions;

  it('starts from the server count (after a reload), counts room:activity mentions once, clears on reading', () => {
    const store = createRoomsStore({ mine: [room('a', { lastSeq: 10, lastReadSeq: 5, unreadMentions: 2 })] }, manualFetch());
    expect(mentions(store, 'a')).toBe(2);
    store.getState().activity('a', 11, { mentionsMe: true });
    store.getState().activity('a', 11, { mentionsMe: true }); // the same message again
    store.getState().activity('a', 12);
    expect(mentions(store, 'a')).toBe(3);
    store.getState().read('a', 12); // read everything (any tab): room:read
    expect(mentions(store, 'a')).toBe(0);
    store.getState().activity('a', 11, { mentionsMe: true }); // a late re-broadcast of a read message
    expect(mentions(store, 'a')).toBe(0);
  });

  it('reading part of what the server counted refetches for the exact count', async () => {
    const server = manualFetch();
    const store = createRoomsStore({ mine: [room('a', { lastSeq: 10, lastReadSeq: 5, unreadMentions: 2 })] }, server);
    store.getState().read('a', 7);
    expect(server.calls).toBe(1);
    expect(mentions(store, 'a')).toBe(2); // until the answer comes
    server.answer({ mine: [room('a', { lastSeq: 10, lastReadSeq: 7, unreadMentions: 1 })] });
    await expect.poll(() => mentions(store, 'a')).toBe(1);
    expect(server.calls).toBe(1);
  });

  it('a read that overtakes a refetch in flight asks again; an older summary does not bring back read mentions', async () => {
    const server = manualFetch();
    const store = createRoomsStore({ mine: [room('a', { lastSeq: 10, lastReadSeq: 5, unreadMentions: 3 })] }, server);
    store.getState().read('a', 6); // stale → refetch #1
    store.getState().read('a', 8); // while #1 is in flight: its answer may predate this read
    server.answer({ mine: [room('a', { lastSeq: 10, lastReadSeq: 6, unreadMentions: 2 })] });
    await expect.poll(() => server.calls).toBe(2);
    server.answer({ mine: [room('a', { lastSeq: 10, lastReadSeq: 8, unreadMentions: 1 })] });
    await expect.poll(() => mentions(store, 'a')).toBe(1);

    // The open room's summary from when it connected (room:ready) arrives late.
    store.getState().upsert(room('a', { lastSeq: 9, lastReadSeq: 5, unreadMentions: 3 }));
    expect(mentions(store, 'a')).toBe(1);
    expect(server.calls).toBe(2);
  });

  it('muted rooms keep their mention count; leaving forgets it; settings move only with their own answer', () => {
    const store = createRoomsStore({ mine: [room('a', { notify: 'none', lastSeq: 3, unreadMentions: 1, lastReadSeq: 1 })] }, manualFetch());
    expect(mentions(store, 'a')).toBe(1);
    store.getState().settings(room('a', { notify: 'all', lastSeq: 3, unreadMentions: 1, lastReadSeq: 1 }));
    expect(store.getState().mine[0]!.notify).toBe('all');
    store.getState().upsert(room('a', { notify: 'none', lastSeq: 3, unreadMentions: 1, lastReadSeq: 1 })); // an older room:ready
    expect(store.getState().mine[0]!.notify).toBe('all');
    store.getState().left('a');
    expect(store.getState().mentionTracks).toEqual({});
    store.getState().upsert(room('a', { lastSeq: 4, lastReadSeq: 4, unreadMentions: 0, notify: 'none' }));
    expect(store.getState().mine[0]).toMatchObject({ unreadMentions: 0, notify: 'none' });
  });
});

describe('rooms store: running a room (§4.13)', () => {
  const settingsOf = (room: RoomSummary, patch: Partial<RoomSummary>) => {
    const r = { ...room, ...patch };
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      topic: r.topic,
      kind: r.kind,
      ownerId: r.ownerId,
      hasPassword: r.hasPassword,
      roomMentions: r.roomMentions,
      archivedAt: r.archivedAt,
    };
  };

  it('room:updated renames a listed room (and sorts it anew), archives it, and is kept for the open view', () => {
    const store = createRoomsStore({ mine: [mine('a', 'Alpha'), mine('b', 'Beta')] }, { fetchList: async () => ({ mine: [] }) });
    const alpha = store.getState().mine[0]!;
    const renamed = settingsOf(alpha, { name: 'Zulu', topic: 'Plans', archivedAt: '2026-11-30T10:00:00.000Z' });
    store.getState().updateSettings(renamed);
    expect(store.getState().mine.map((r) => [r.name, r.topic, r.archivedAt])).toEqual([
      ['Beta', '', null],
      ['Zulu', 'Plans', '2026-11-30T10:00:00.000Z'],
    ]);
    expect(store.getState().roomSettings.a).toEqual(renamed);
    // A room not listed: nothing to merge, but an open view of it still hears it.
    store.getState().updateSettings(settingsOf(roomSummary('x'), { name: 'Elsewhere' }));
    expect(store.getState().mine).toHaveLength(2);
    expect(store.getState().roomSettings.x?.name).toBe('Elsewhere');
  });

  it('a removal by a moderator drops the room and remembers why, until I am back in it', () => {
    const store = createRoomsStore({ mine: [mine('a'), mine('b')] }, { fetchList: async () => ({ mine: [] }) });
    store.getState().removedFrom('a', 'kicked');
    expect(store.getState().mine.map((r) => r.id)).toEqual(['b']);
    expect(store.getState().removed).toEqual({ a: 'kicked' });
    store.getState().upsert(mine('a'));
    expect(store.getState().removed).toEqual({});
    expect(store.getState().mine.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('names groups by their other members', () => {
    const group = roomSummary('g', {
      kind: 'group',
      name: '',
      isMember: true,
      role: 'member',
      lastSeq: 0,
      lastReadSeq: 0,
      participants: [
        { id: '1', username: 'al', displayName: 'Al' },
        { id: '2', username: 'bo', displayName: 'Bo' },
      ],
    });
    const store = createRoomsStore({ mine: [mine('a', 'Cheese'), group] }, { fetchList: async () => ({ mine: [] }) });
    expect(store.getState().mine.map((r) => r.id)).toEqual(['g', 'a']); // "Al and Bo" sorts before "Cheese"
  });
});
