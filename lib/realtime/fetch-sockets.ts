/**
 * fetchSockets across instances, bounded: right after a peer instance dies the adapter still expects
 * its answer until the heartbeat timeout, so a cross-instance request would stall and then fail. Give
 * up after ADAPTER_REQUEST_TIMEOUT_MS and answer from this instance's sockets instead.
 */
import { ADAPTER_REQUEST_TIMEOUT_MS } from './cluster-adapter';
import type { SocketData } from './events';

/** What is known of a socket on any instance. */
export interface FetchedSocket {
  id: string;
  rooms: Set<string>;
  data: SocketData;
}

interface SocketSource {
  timeout(ms: number): { fetchSockets(): Promise<FetchedSocket[]> };
  local: { fetchSockets(): Promise<FetchedSocket[]> };
}

/** Works on a namespace or a broadcast operator (`io.in(room)`, `nsp.in(room)`). */
export async function fetchSocketsAcross(source: SocketSource): Promise<FetchedSocket[]> {
  try {
    return await source.timeout(ADAPTER_REQUEST_TIMEOUT_MS).fetchSockets();
  } catch {
    return source.local.fetchSockets();
  }
}
