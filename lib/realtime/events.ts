/**
 * The typed Socket.IO contract. docs/protocol.md documents the same events for third-party clients.
 * Every client→server event takes an ack callback receiving an `Ack` (lib/errors.ts).
 */
import type { PublicUser } from '../schemas/user';

/** Main namespace "/": what concerns the user across rooms arrives here (per-user room `user:<id>`). */
export interface ClientToServerEvents {
  /** Round-trip check; acks with the server's time. */
  'session:ping': (ack: (response: import('../errors').Ack<{ serverTime: string }>) => void) => void;
}

export interface ServerToClientEvents {
  /** Sent once after the handshake: who the server thinks you are. */
  'session:ready': (payload: { user: PublicUser }) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InterServerEvents {}

export interface SocketData {
  user: PublicUser;
  ip: string;
}
