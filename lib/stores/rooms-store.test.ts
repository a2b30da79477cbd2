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
