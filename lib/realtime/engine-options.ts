/** Engine.IO / Socket.IO settings shared by the server and the bench's bare baseline (which must not load the rest). */
import type { Env } from '../env';

/**
 * A tab that vanished without closing (crash, lost network) is noticed within 25 s rather than Engine.IO's
 * default 45 s, so presence does not show it online for long. The price: a ping per tab every 15 s, most
 * of an idle instance's CPU (bench (d)).
 */
export const ENGINE_PING = { pingInterval: 15_000, pingTimeout: 10_000 };

/** Socket.IO payloads are small JSON; anything bigger than this is not a chat event. */
export const MAX_SOCKET_PAYLOAD_BYTES = 64 * 1024;

export type RealtimeTransportsSetting = Env['REALTIME_TRANSPORTS'];

/** The Engine.IO transports for REALTIME_TRANSPORTS, in the order a client tries them (server and browser agree). */
export function realtimeTransports(setting: RealtimeTransportsSetting): ('polling' | 'websocket')[] {
  return setting === 'websocket' ? ['websocket'] : ['polling', 'websocket'];
}
