/**
 * Typing indicators: ephemeral, volatile broadcasts with a server-side TTL, so an indicator never sticks
 * when a client vanishes without `typing:stop`. Updates reach every instance over the room bus; the
 * state (who types now, for `room:ready`) is per instance, and clients also expire entries themselves.
 */
import type { Logger } from '../../logger';
import type { PublicUser } from '../../schemas/user';
import type { RoomBus } from '../bus';
import type { RoomClientToServerEvents } from '../events';
import type { RoomNamespace, RoomSocket } from '../notify';
import { eventHandlers } from '../on-event';

/** A repeated typing:start within this window refreshes the TTL without a broadcast (flood guard). */
const RESTART_THROTTLE_MS = 1_000;

interface Typist {
  user: PublicUser;
  expires: ReturnType<typeof setTimeout>;
  lastStart: number;
}

export interface TypingState {
  /** Who is typing in this room namespace now (this instance). */
  typists(nsp: RoomNamespace): PublicUser[];
  register(socket: RoomSocket, roomId: string): void;
}

export function createTypingState(options: { ttlMs: number; bus: RoomBus; log: Logger }): TypingState {
  const byRoom = new WeakMap<RoomNamespace, Map<string, Typist>>();
  const roomOf = (nsp: RoomNamespace) => {
    let map = byRoom.get(nsp);
    if (!map) byRoom.set(nsp, (map = new Map()));
    return map;
  };

  function stop(nsp: RoomNamespace, roomId: string, user: PublicUser): void {
    const typists = roomOf(nsp);
    const current = typists.get(user.id);
    if (!current) return;
    clearTimeout(current.expires);
    typists.delete(user.id);
    options.bus.publish({ roomId, emit: { event: 'typing:update', payload: { user, typing: false }, volatile: true } });
  }

  return {
    typists: (nsp) => [...roomOf(nsp).values()].map((t) => t.user),

    register(socket, roomId) {
      const { user } = socket.data;
      const nsp = socket.nsp;
      const on = eventHandlers<RoomClientToServerEvents>(socket, { log: options.log });

      on(
        'typing:start',
        null,
        () => {
          const typists = roomOf(nsp);
          const now = Date.now();
          const current = typists.get(user.id);
          if (current) clearTimeout(current.expires);
          const expires = setTimeout(() => stop(nsp, roomId, user), options.ttlMs);
          expires.unref?.();
          typists.set(user.id, { user, expires, lastStart: current && now - current.lastStart < RESTART_THROTTLE_MS ? current.lastStart : now });
          if (!current || now - current.lastStart >= RESTART_THROTTLE_MS) {
            options.bus.publish({ roomId, emit: { event: 'typing:update', payload: { user, typing: true }, volatile: true, exceptSocketId: socket.id } });
          }
          return null;
        },
        { ackOptional: true },
      );

      on(
        'typing:stop',
        null,
        () => {
          stop(nsp, roomId, user);
          return null;
        },
        { ackOptional: true },
      );

      socket.on('disconnect', () => stop(nsp, roomId, user));
    },
  };
}
