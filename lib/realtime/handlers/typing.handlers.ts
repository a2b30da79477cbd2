/**
 * Typing indicators: ephemeral, volatile broadcasts with a server-side TTL, so an indicator never sticks
 * when a client vanishes without `typing:stop`. State is per instance (who types on this instance's
 * sockets); clients also expire entries themselves.
 */
import { okAck, type Ack } from '../../errors';
import type { PublicUser } from '../../schemas/user';
import type { RoomNamespace, RoomSocket } from '../notify';

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
  register(socket: RoomSocket): void;
}

export function createTypingState(options: { ttlMs: number }): TypingState {
  const byRoom = new WeakMap<RoomNamespace, Map<string, Typist>>();
  const roomOf = (nsp: RoomNamespace) => {
    let map = byRoom.get(nsp);
    if (!map) byRoom.set(nsp, (map = new Map()));
    return map;
  };

  function stop(nsp: RoomNamespace, user: PublicUser): void {
    const typists = roomOf(nsp);
    const current = typists.get(user.id);
    if (!current) return;
    clearTimeout(current.expires);
    typists.delete(user.id);
    nsp.volatile.emit('typing:update', { user, typing: false });
  }

  return {
    typists: (nsp) => [...roomOf(nsp).values()].map((t) => t.user),

    register(socket) {
      const { user } = socket.data;
      const nsp = socket.nsp;
      const reply = (ack: unknown) => typeof ack === 'function' && (ack as (r: Ack<null>) => void)(okAck(null));

      socket.on('typing:start', (ack) => {
        const typists = roomOf(nsp);
        const now = Date.now();
        const current = typists.get(user.id);
        if (current) clearTimeout(current.expires);
        const expires = setTimeout(() => stop(nsp, user), options.ttlMs);
        expires.unref?.();
        typists.set(user.id, { user, expires, lastStart: current && now - current.lastStart < RESTART_THROTTLE_MS ? current.lastStart : now });
        if (!current || now - current.lastStart >= RESTART_THROTTLE_MS) {
          socket.volatile.broadcast.emit('typing:update', { user, typing: true });
        }
        reply(ack);
      });

      socket.on('typing:stop', (ack) => {
        stop(nsp, user);
        reply(ack);
      });

      socket.on('disconnect', () => stop(nsp, user));
    },
  };
}
