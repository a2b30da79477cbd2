/**
 * The contract of a cross-instance adapter (REALTIME_ADAPTER): what server.ts, the realtime server, the
 * room bus and /api/ready rely on, whichever engine carries the broadcasts. Implementations:
 * adapter.ts (PostgreSQL LISTEN/NOTIFY, the default) and adapter-redis.ts (Redis Streams);
 * adapter-select.ts picks one from the configuration.
 */
import type { Namespace } from 'socket.io';
import type { Adapter } from 'socket.io-adapter';

export type ClusterAdapterKind = 'postgres' | 'redis';

export interface ClusterAdapterHandle {
  readonly kind: ClusterAdapterKind;
  /**
   * Socket.IO's `adapter` option for the main namespace (room namespaces stay local, bus.ts). Its adapter
   * is a ClusterAdapter whose `publishAndReturnOffset` rejects when the publish did not go out, so the room
   * bus's outbox can retry it (outbox.ts).
   */
  adapter: (nsp: Namespace) => Adapter;
  /** Broadcasts from other instances reach this one now (/api/ready): its receiving connection is up. */
  listening(): boolean;
  /**
   * After receiving was down: whatever other instances broadcast meanwhile may have been missed (the room
   * bus resyncs from the database). Not called at start-up.
   */
  onListeningAgain(listener: () => void): void;
  /** Starts the watchdog of the receiving connection for the server the adapter was given to. */
  watch(io: { of(name: string): { adapter: unknown } }): void;
  /** Closes its connections (shutdown); after io.close(). */
  close(): Promise<void>;
}

/**
 * Heartbeats tell each instance how many peers to expect answers from (fetchSockets, serverSideEmit).
 * Only the main namespace is on the adapter (room namespaces are local, bus.ts), so one heartbeat per
 * instance per interval; a dead peer is forgotten after 25 s (requests meanwhile give up after 2 s, see
 * fetch-sockets.ts). The Redis Streams adapter 0.3 counts peers by their subscriptions instead (adapter-redis.ts).
 */
export const ADAPTER_HEARTBEAT_MS = 10_000;
export const ADAPTER_HEARTBEAT_TIMEOUT_MS = 25_000;
export const ADAPTER_REQUEST_TIMEOUT_MS = 2_000;
