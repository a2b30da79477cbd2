/**
 * Typing indicators: ephemeral, volatile broadcasts with a server-side TTL, so an indicator never sticks
 * when a client vanishes without `typing:stop`. Updates reach every instance over the room bus; the
 * state (who types now, for `room:ready`) is per instance, and clients also expire entries themselves.
 */
import type { PublicUser } from '../../schemas/user';
import type { RoomBus } from '../bus';
import { roomIdOf, type RoomEvents, type RoomNamespace, type RoomSocket } from '../notify';

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
  /** Defines typing:start and typing:stop for every room namespace (once). */
  define(events: RoomEvents): void;
  /** The socket left: its user stops typing there (call from the namespace's disconnect listener). */
  left(socket: RoomSocket): void;
}

export function createTypingState(options: { ttlMs: number; bus: RoomBus }): TypingState {
  const byRoom = new WeakMap<RoomNamespace, Map<string, Typist>>();
  const roomOf = (nsp: RoomNamespace) => {
    let map = byRoom.get(nsp);
    if (!map) byRoom.set(nsp, (map = new Map()));
    return map;
  };

  function stop(nsp: RoomNamespace, roomId: string, user: PublicUser): void {
    const typists = byRoom.get(nsp);
    const current = typists?.get(user.id);
    if (!typists || !current) return;
    clearTimeout(current.expires);
    typists.delete(user.id);
    options.bus.publish({ roomId, emit: { event: 'typing:update', payload: { user, typing: false }, volatile: true } });
  }

  return {
    typists: (nsp) => [...(byRoom.get(nsp)?.values() ?? [])].map((t) => t.user),

    define(events) {
      events.on(
        'typing:start',
        null,
        (_, { socket }) => {
          const { user } = socket.data;
          const nsp = socket.nsp;
          const roomId = roomIdOf(socket);
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

      events.on(
        'typing:stop',
        null,
        (_, { socket }) => {
          stop(socket.nsp, roomIdOf(socket), socket.data.user);
          return null;
        },
        { ackOptional: true },
      );
    },

    left: (socket) => stop(socket.nsp, roomIdOf(socket), socket.data.user),
  };
}
