/**
 * `room:load` (main namespace): a room of mine read to be shown, on the connection the tab already has — how the
 * browser switches rooms without asking the server for a page (components/chat/room-host.tsx). The socket's
 * session was checked at its handshake and is watched since (session-guard.ts); membership is checked here, per
 * call, in the data layer.
 */
import type { BurstyRateLimiter } from 'rate-limiter-flexible';
import { isKeptList } from '../../data/member-list';
import { loadRoom } from '../../data/room-load';
import { consumeOrRefuse, createFloodLimiter } from '../../flood-limits';
import { roomLoadSchema } from '../../schemas/room';
import type { MainEvents } from '../notify';
import { preEncoded } from '../pre-encoded';

/**
 * A room read costs a few milliseconds (a large room's member list more): per user, 5 a second plus a burst of 20
 * per 20 s — above anyone switching rooms by hand — counted before the read. A browser over it (Alt+↓ held down)
 * reads over REST instead (components/chat/room-host.tsx), so nobody is refused a room for it.
 */
export function createRoomLoadRateLimiter(): BurstyRateLimiter {
  return createFloodLimiter({ name: 'room_load', perSecond: 5, burst: 20 });
}

/** Defined once for the main namespace (on-event.ts says why not per socket). */
export function defineRoomLoadHandlers(events: MainEvents, deps: { limiter: BurstyRateLimiter }): void {
  events.on('room:load', roomLoadSchema, async ({ roomId, membersRev }, { socket }) => {
    const userId = socket.data.user.id;
    await consumeOrRefuse(deps.limiter, userId, 'opening rooms');
    const load = await loadRoom({ roomId, userId, membersRev });
    // A large room's list is the instance's kept one: its JSON is written once, not once per answer.
    return load.members && isKeptList(load.members) ? { ...load, members: preEncoded(load.members) } : load;
  });
}
