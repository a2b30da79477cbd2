/**
 * Publish nothing across instances while there is no other instance; catch a peer up when it appears.
 *
 * A cluster adapter (socket.io-adapter's ClusterAdapterWithHeartbeat: the PostgreSQL adapter, the Redis
 * Streams one) publishes every broadcast, join, leave, disconnect and server-side emit even when no
 * other instance exists: on a single instance that was 200–500 NOTIFY/s under load, each serialised
 * through PostgreSQL's global notify queue, for nobody. socket.io-adapter delivers to local sockets
 * itself, whatever happens to the publish, so a publish can be left out without changing anything here.
 *
 * The rule: while the adapter knows no peer (`nodesMap` is empty), every publish but INITIAL_HEARTBEAT,
 * HEARTBEAT and ADAPTER_CLOSE resolves at once without going out. Heartbeats keep going so instances
 * still find each other, and a skipped publish does not count as one (the adapter postpones its
 * heartbeat after each publish: a busy lone instance would otherwise never announce itself). Responses
 * (fetchSockets, acks) are only ever sent to a peer that asked, so they are left alone.
 *
 * The race, and what closes it. Instance B starts; A goes on skipping until it has processed a message
 * from B. Meanwhile B may already have sockets — a room socket whose replay was read before a message
 * A stored and then did not publish. B would never hear of that message. So: when an adapter registers
 * a uid it did not know (the first message from it, at start or after forgetting it: 25 s without a
 * heartbeat), and it has skipped a publish since it last knew that uid (or ever, for a new one), it
 * sends that peer a `peer:catch-up` notice, addressed by uid, and the peer runs the room bus's resync
 * (bus.ts: every room socket there gets, from the database, the messages and changes stored since the
 * last one it was sent, each once, and sockets whose membership or room ended unannounced are
 * dismissed). Why this is enough for stored messages and changes: the room bus publishes only after
 * the transaction committed, and the skip is decided synchronously when publishing; the notice is
 * published after the peer was registered, so after every skip that peer could have missed was
 * decided (single-threaded, nothing skips once the peer is known), and the resync reads the database
 * after the notice arrived — after every such commit. A socket admitted later reads its replay later
 * still; a room socket whose replay is still loading when the resync runs makes the bus resync again
 * once it is admitted (bus.ts). Both sides do this, so B's early sockets' messages reach A's sockets too.
 * A notice that does not arrive is a NOTIFY that reached nobody: the receiver's LISTEN connection was
 * down, and it resyncs when it listens again (adapter-listen.ts, server.ts); one that fails to publish
 * is retried while the peer is known. The notice is cheap for the common case: an instance joining a
 * cluster of two or more is caught up only by instances that were alone for a while; the old
 * instances resync only if the newcomer had skipped something (its own sockets' first actions).
 *
 * What else a skipped publish carries, and why the rest is left as it is:
 * - `room:activity` (unread counts, notifications) for rooms the peer's tabs have open comes back with
 *   the resync's messages; for other rooms a tab's count is a position (`lastSeq`), so the room's next
 *   message puts it right, and the sidebar refetches after every reconnect.
 * - Membership changes on the main namespace (`socketsJoin`/`socketsLeave` of `members:<roomId>`,
 *   `membership:changed`, `room:joined`, `room:updated`, `room:deleted`), presence changes and call
 *   events to the peer's tabs are one-off; they are not replayed. For a peer that just started, the
 *   window is the time until its first heartbeat is processed (a NOTIFY's latency, or up to one
 *   heartbeat interval if that one was missed), and of the same nature as the one a browser already has
 *   between the server-rendered sidebar and its socket's connection; for a peer that re-appears after
 *   25 s of silence it is what an outage of its LISTEN connection costs today. Membership of a room
 *   namespace is re-checked by the resync (sockets of those who left are dismissed), and session ends
 *   (`session:ended`) by the session guard's sweep.
 * - Room namespace disconnects (a member left, a room deleted) are part of the resync's audience check.
 * Connection-state recovery would need every publish's offset: with it enabled nothing is skipped.
 *
 * Known cost: a new instance whose first heartbeat was answered before its own LISTEN was up (a race of
 * a few ms at start) stays alone until it hears a peer — the peer's next publish or heartbeat, at most
 * one interval (10 s) — and its clients' messages reach the peers' clients through the catch-up, that
 * much later. After its LISTEN connection was down, an instance announces itself (`announce()`, an
 * INITIAL_HEARTBEAT) so that peers answer at once; doing the same on its first LISTEN would close this.
 */
import { MessageType } from 'socket.io-adapter';
import type { Logger } from '../logger';
import { getMetrics } from '../metrics';

/** The inter-server event of the notice (typed in events.ts InterServerEvents). */
export const CATCH_UP_EVENT = 'peer:catch-up';

/** Always published: they are how instances find (and forget) each other. */
const ALWAYS_PUBLISHED = new Set<number>([MessageType.INITIAL_HEARTBEAT, MessageType.HEARTBEAT, MessageType.ADAPTER_CLOSE]);

/** Forgotten peers remembered (uid → skips counted when forgotten); one unknown to us is treated as new. */
const FORGOTTEN_MEMORY = 1_000;
const NOTICE_RETRY_MIN_MS = 250;
const NOTICE_RETRY_MAX_MS = 5_000;

/** The uid socket.io's emitter packages publish with: not an instance. */
const EMITTER_UID = 'emitter';

interface ClusterMessage {
  uid?: string;
  type: number;
  data?: { packet?: unknown[] };
}

/** What we use of ClusterAdapterWithHeartbeat (socket.io-adapter 2.5.x; private and protected there). */
interface ClusterInternals {
  uid: string;
  nodesMap: Map<string, number>;
  nsp: { server: { opts: { connectionStateRecovery?: unknown } } };
  publish(message: ClusterMessage): void;
  publishAndReturnOffset(message: ClusterMessage): Promise<string>;
  onMessage(message: ClusterMessage, offset?: string): void;
  removeNode(uid: string): void;
}

export interface Peers {
  /** This adapter's uid (what a notice is addressed to). */
  readonly uid: string;
  /** Publishes skipped so far because no peer was known. */
  skipped(): number;
  /** `listener` runs when a peer says this instance may have missed publishes it skipped. */
  onCatchUp(listener: (fromUid: string) => void): void;
  /** Asks every peer to answer at once (an INITIAL_HEARTBEAT), e.g. after this instance was deaf for a while. */
  announce(): void;
}

function isClusterAdapter(adapter: unknown): adapter is ClusterInternals {
  const candidate = adapter as Partial<ClusterInternals> | null;
  return (
    typeof candidate?.uid === 'string' &&
    candidate.nodesMap instanceof Map &&
    typeof candidate.publish === 'function' &&
    typeof candidate.publishAndReturnOffset === 'function' &&
    typeof candidate.onMessage === 'function' &&
    typeof candidate.removeNode === 'function'
  );
}

function typeName(type: number): string {
  return (MessageType[type] ?? String(type)).toLowerCase();
}

/**
 * Makes a ClusterAdapterWithHeartbeat publish only when it knows a peer, and catch peers up (header).
 * Call it once, right after the adapter was created (before it has published anything but its
 * INITIAL_HEARTBEAT). An adapter of another shape is left as it is (everything published), with a warning.
 */
export function publishOnlyToPeers(adapter: unknown, deps: { log: Logger }): Peers {
  const log = deps.log.child({ component: 'peers' });
  const listeners = new Set<(fromUid: string) => void>();
  let skipped = 0;
  if (!isClusterAdapter(adapter) || adapter.nsp.server.opts.connectionStateRecovery) {
    // The expected case with REALTIME_ADAPTER=redis (no heartbeats in the streams adapter): not worth a warning.
    log.info('the adapter keeps no heartbeat peer list (or connection-state recovery is on): every publish goes out');
    const uid = (adapter as { uid?: unknown } | null)?.uid;
    return { uid: typeof uid === 'string' ? uid : '', skipped: () => 0, onCatchUp: () => undefined, announce: () => undefined };
  }
  const cluster = adapter;
  const metrics = getMetrics();
  /** Peers forgotten: the skip count then, so that a re-appearance is caught up only if something was skipped since. */
  const forgotten = new Map<string, number>();
  /** Notices not yet published: the skip count they cover from, kept if the peer is forgotten meanwhile. */
  const noticesOwed = new Map<string, number>();

  const publish = cluster.publish.bind(cluster);
  const publishAndReturnOffset = cluster.publishAndReturnOffset.bind(cluster);
  const onMessage = cluster.onMessage.bind(cluster);
  const removeNode = cluster.removeNode.bind(cluster);

  /** Decided synchronously, when publishing: the catch-up argument (header) depends on it. */
  function skip(message: ClusterMessage): boolean {
    if (cluster.nodesMap.size > 0 || ALWAYS_PUBLISHED.has(message.type)) return false;
    skipped += 1;
    metrics.adapterPublishesSkipped.inc({ type: typeName(message.type) });
    return true;
  }

  // publish() also postpones the next heartbeat: a skipped one must not.
  cluster.publish = (message) => {
    if (!skip(message)) publish(message);
  };
  cluster.publishAndReturnOffset = (message) => (skip(message) ? Promise.resolve('') : publishAndReturnOffset(message));

  cluster.removeNode = (uid) => {
    if (cluster.nodesMap.has(uid)) {
      forgotten.delete(uid);
      forgotten.set(uid, noticesOwed.get(uid) ?? skipped);
      noticesOwed.delete(uid);
      if (forgotten.size > FORGOTTEN_MEMORY) forgotten.delete(forgotten.keys().next().value as string);
    }
    removeNode(uid);
  };

  cluster.onMessage = (message, offset) => {
    const from = message.uid;
    const isNew = typeof from === 'string' && from !== cluster.uid && from !== EMITTER_UID && !cluster.nodesMap.has(from);
    onMessage(message, offset);
    const packet = message.type === MessageType.SERVER_SIDE_EMIT ? message.data?.packet : undefined;
    if (packet?.[0] === CATCH_UP_EVENT && packet[1] === cluster.uid && typeof from === 'string') {
      log.info({ from }, 'a peer skipped publishes while it did not know this instance: catching up');
      for (const listener of listeners) listener(from);
    }
    // Registered now (an ADAPTER_CLOSE from an unknown uid is not): every skip it may have missed is decided.
    if (isNew && cluster.nodesMap.has(from)) appeared(from);
  };

  function appeared(uid: string): void {
    const since = forgotten.get(uid) ?? 0;
    forgotten.delete(uid);
    if (skipped <= since) return;
    log.info({ peer: uid, skippedSince: skipped - since }, 'a peer appeared after publishes were skipped: telling it to catch up');
    noticesOwed.set(uid, since);
    void sendNotice(uid);
  }

  /** Retried while the peer is known; if it is forgotten meanwhile, its re-appearance owes the notice again. */
  async function sendNotice(uid: string): Promise<void> {
    for (let delay = NOTICE_RETRY_MIN_MS; cluster.nodesMap.has(uid); delay = Math.min(delay * 2, NOTICE_RETRY_MAX_MS)) {
      try {
        await cluster.publishAndReturnOffset({ type: MessageType.SERVER_SIDE_EMIT, data: { packet: [CATCH_UP_EVENT, uid] } });
        noticesOwed.delete(uid);
        return;
      } catch (error) {
        log.warn({ err: error, peer: uid, retryInMs: delay }, 'could not send a catch-up notice; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay).unref?.());
      }
    }
  }

  return {
    uid: cluster.uid,
    skipped: () => skipped,
    onCatchUp: (listener) => void listeners.add(listener),
    announce: () => cluster.publish({ type: MessageType.INITIAL_HEARTBEAT }),
  };
}
