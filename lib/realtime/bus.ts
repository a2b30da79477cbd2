/**
 * The room bus: how an event reaches a room's sockets on every instance.
 *
 * Room namespaces are local to each instance (Socket.IO's in-memory adapter); only the main namespace
 * runs on the PostgreSQL adapter. Whatever must reach a room everywhere is a RoomAction: applied to
 * this instance's sockets at once, and published to the other instances over the main namespace's
 * adapter, where each applies it to its own.
 *
 * Why not the adapter on every room namespace (as Socket.IO would have it): each namespace then
 * heartbeats (1,000 open rooms = 100 NOTIFY/s per instance while idle) and LISTENs on its own channel,
 * every broadcast is its own NOTIFY, awaited before even local delivery, and a room namespace just
 * created on one instance is unknown to its peers for a moment. Here one channel is LISTENed for the
 * life of the process; the actions of one tick travel as one NOTIFY (split below the adapter's
 * 8,000-byte attachment threshold); and one publish is in flight at a time, so peers apply them in
 * the order they happened here (outbox.ts, which also retries a publish that failed).
 *
 * Messages reach a room's sockets exactly once per instance, whichever way they come (delivered-seqs.ts):
 * live from here or a peer, again from a retried send or a NOTIFY that went out twice, or from the
 * database when this instance may have missed some — after its LISTEN connection was down, when a peer
 * had to drop what it could not publish or skipped publishing while it did not know this instance
 * (peers.ts), or when a message is missing below one that arrived.
 */
import { MessageType } from 'socket.io-adapter';
import { checkRoomAudience } from '../data/audience';
import { listChangesAfter, listMessagesAfter, readLastRevs } from '../data/messages';
import { REPLAY_LIMIT, type ChatMessage } from '../schemas/message';
import { roomNamespace, ROOM_NAMESPACE_PATTERN } from '../schemas/room';
import type { Logger } from '../logger';
import type { PublicUser } from '../schemas/user';
import { createDeliveredSeqs, type DeliveredSeqs } from './delivered-seqs';
import type { RoomServerToClientEvents, ServerToClientEvents } from './events';
import { membersRoom } from './groups';
import type { RoomNamespace, RoomSocket } from './notify';
import { createOutbox, type OutboxLimits } from './outbox';
import { createSlicedFanout } from './sliced-fanout';
import type { ParleyServer } from './server';

type EventPayloads<Events> = {
  [E in keyof Events]: Events[E] extends (payload: infer P) => void ? { event: E; payload: P } : never;
}[keyof Events];

/** Something to do to a room's sockets, serialisable so that every instance can do it to its own. */
export interface RoomAction {
  roomId: string;
  /** An event for the room's sockets (its namespace). */
  emit?: EventPayloads<RoomServerToClientEvents> & {
    /**
     * Not worth retrying across instances when a publish fails (typing: it is stale by then). Local
     * delivery is never Socket.IO-volatile: that drops the packet whenever the socket's transport is busy
     * writing, which under load lost typing starts and stops (the flaky e2e of issue 9, item 19).
     */
    volatile?: boolean;
    /** Not to this socket (the sender's own, on the instance that has it). */
    exceptSocketId?: string;
    /** Only to this user's sockets in the room. */
    userId?: string;
  };
  /** Then disconnect the room's sockets (the namespace only): everyone's, or one user's. */
  disconnect?: { userId?: string };
  /** An event for every tab of every member (main namespace, `members:<roomId>`): unread activity. */
  members?: Extract<EventPayloads<ServerToClientEvents>, { event: 'room:activity' }>;
}

export interface RoomBus {
  /** Applies the action here now, and has every other instance apply it too. */
  publish(action: RoomAction): void;
  /** Whether the user has the room open (a socket in its namespace) on any instance. */
  isInRoom(roomId: string, userId: string): Promise<boolean>;
  /**
   * A socket was admitted to the room with a replay up to `lastSeq` and `lastRev`: messages and changes
   * after them reach the room live, and a resync starts there if nothing was delivered before.
   */
  admitted(roomId: string, lastSeq: number, lastRev: number): void;
  /**
   * When this instance may have missed messages (its LISTEN connection was down, a peer dropped what it
   * could not publish or skipped publishing before it knew this instance): sends this instance's room sockets the messages stored since the last one they
   * were sent, from the database — retried until the database answers, each message once.
   */
  resync(): Promise<void>;
}

export interface RoomBusOptions {
  log: Logger;
  /** Bounds on unpublished actions while publishing fails (tests; default outbox.ts). */
  outboxLimits?: Partial<OutboxLimits>;
  /** How long a message may be missing below one that arrived before the database is asked. Default 1 s. */
  holeTimeoutMs?: number;
}

/** JSON bytes per NOTIFY: under the adapter's 8,000-byte threshold, leaving room for its envelope. */
const NOTIFY_BUDGET_BYTES = 7_000;
const RESYNC_RETRY_MIN_MS = 500;
const RESYNC_RETRY_MAX_MS = 10_000;

/**
 * What the PostgreSQL adapter (a ClusterAdapter) offers its subclasses: a publish we can await, which
 * rejects when the NOTIFY did not go out (adapter.ts makes it so).
 */
interface ClusterPublisher {
  publishAndReturnOffset(message: { type: MessageType; data: { packet: unknown[] } }): Promise<string>;
}

function clusterPublisher(io: ParleyServer): ClusterPublisher | undefined {
  const adapter = io.of('/').adapter as unknown as Partial<ClusterPublisher>;
  return typeof adapter.publishAndReturnOffset === 'function' ? (adapter as ClusterPublisher) : undefined;
}

function localNamespace(io: ParleyServer, roomId: string): RoomNamespace | undefined {
  // Never io.of(name): that would create a static namespace, reachable without the room middleware.
  return io._nsps.get(roomNamespace(roomId)) as RoomNamespace | undefined;
}

function roomIdOf(nsp: RoomNamespace): string {
  return ROOM_NAMESPACE_PATTERN.exec(nsp.name)?.[1] ?? '';
}

function localRoomNamespaces(io: ParleyServer): RoomNamespace[] {
  return [...io._nsps.values()].filter((nsp) => ROOM_NAMESPACE_PATTERN.test(nsp.name)) as unknown as RoomNamespace[];
}

/**
 * A stored message: to the room's sockets (but the sender's, which has it in its ack), and to every
 * member's tabs as unread activity. One action, so one NOTIFY carries both to the other instances.
 */
export function messageStoredAction(message: ChatMessage, senderSocketId?: string): RoomAction {
  return {
    roomId: message.roomId,
    emit: { event: 'message:new', payload: message, ...(senderSocketId ? { exceptSocketId: senderSocketId } : {}) },
    members: {
      event: 'room:activity',
      payload: {
        roomId: message.roomId,
        lastSeq: message.seq,
        authorId: message.author.id,
        threadRootSeq: message.alsoInRoom ? null : message.threadRootSeq,
        mentions: message.mentions,
        mentionsRoom: message.mentionsRoom,
      },
    },
  };
}

/** A stored message changed (edit, delete, reaction, thread reply): its new state to the room's sockets, the actor's included. */
export function messageChangedAction(message: ChatMessage): RoomAction {
  return { roomId: message.roomId, emit: { event: 'message:updated', payload: message } };
}

/**
 * A user's sockets in a room namespace, by a pass over the room's sockets on this instance. No `user:<id>`
 * group there: it would cost every room socket a Set of its own (~200 B a tab, bench (c)) to speed up a
 * thread-read sync, a kick, or the presence check of a disconnect — each one pass over the room's sockets.
 */
function localSocketsOf(nsp: RoomNamespace, userId: string): RoomSocket[] {
  const sockets: RoomSocket[] = [];
  for (const socket of nsp.sockets.values()) if (socket.data.user.id === userId) sockets.push(socket);
  return sockets;
}

function hasLocalSocketOf(io: ParleyServer, roomId: string, userId: string): boolean {
  const nsp = localNamespace(io, roomId);
  return nsp !== undefined && localSocketsOf(nsp, userId).length > 0;
}

/**
 * On globalThis, like the server itself (notify.ts): Next's route handlers run in their own copy of this
 * module, and must find the bus that server.ts created.
 */
const globalForBus = globalThis as unknown as { parleyRoomBuses?: WeakMap<ParleyServer, RoomBus> };
const buses = (globalForBus.parleyRoomBuses ??= new WeakMap());

/** The bus of a server (created by createRealtimeServer). */
export function roomBusOf(io: ParleyServer): RoomBus {
  const bus = buses.get(io);
  if (!bus) throw new Error('createRoomBus(io) was not called for this server');
  return bus;
}

export function createRoomBus(io: ParleyServer, options: RoomBusOptions): RoomBus {
  const log = options.log.child({ component: 'room-bus' });
  const holeTimeoutMs = options.holeTimeoutMs ?? 1_000;
  const publisher = clusterPublisher(io);
  const activity = createSlicedFanout(io);
  /** Per room namespace (so a namespace closed and opened again starts afresh): message seqs and change revs sent. */
  const delivered = new WeakMap<RoomNamespace, DeliveredSeqs>();
  const deliveredRevs = new WeakMap<RoomNamespace, DeliveredSeqs>();
  let holeTimer: ReturnType<typeof setTimeout> | undefined;
  let resyncing: Promise<void> | undefined;
  let resyncAgain = false;
  /** Whether the pending resync must check memberships too (anything may have been missed, not just a message). */
  let checkAudience = false;
  /**
   * Room namespaces a resync passed over because their first socket was still loading its replay: that
   * replay may have been read before what the resync was for, so they resync again once it is admitted.
   */
  const resyncOnAdmission = new WeakSet<RoomNamespace>();

  function deliveredIn(nsp: RoomNamespace, map = delivered): DeliveredSeqs {
    let seqs = map.get(nsp);
    if (!seqs) map.set(nsp, (seqs = createDeliveredSeqs()));
    return seqs;
  }

  /** Applies an action to this instance's sockets. */
  function applyRoomAction(action: RoomAction): void {
    const nsp = localNamespace(io, action.roomId);
    if (nsp && action.emit?.event === 'message:new') {
      const seqs = deliveredIn(nsp);
      if (!seqs.first(action.emit.payload.seq)) return; // sent here already (and its room:activity with it)
      if (seqs.holeSince !== undefined) watchHoles();
    }
    if (nsp && action.emit?.event === 'message:updated') {
      const revs = deliveredIn(nsp, deliveredRevs);
      if (!revs.first(action.emit.payload.rev)) return; // this change was sent here already
      if (revs.holeSince !== undefined) watchHoles();
    }
    if (nsp && action.emit) {
      const { event, payload, exceptSocketId, userId } = action.emit;
      // Only the user's sockets: their ids (each socket is in a group of its own id); none here, nothing to send.
      const only = userId ? localSocketsOf(nsp, userId).map((socket) => socket.id) : undefined;
      if (!only || only.length > 0) {
        let target = nsp.local;
        if (only) target = target.to(only);
        if (exceptSocketId) target = target.except(exceptSocketId);
        (target.emit as (event: string, payload: unknown) => void)(event, payload);
      }
    }
    if (nsp && action.disconnect) {
      const { userId } = action.disconnect;
      if (userId) for (const socket of localSocketsOf(nsp, userId)) socket.disconnect();
      else nsp.local.disconnectSockets();
    }
    // After the room's own sockets: those with the room open have the message already; the sidebars of every
    // other member follow, in slices when the room is large (sliced-fanout.ts).
    if (action.members) activity.emit(membersRoom(action.roomId), action.members.payload);
  }

  /** A message missing below one that arrived for longer than holeTimeoutMs: ask the database. */
  function watchHoles(): void {
    if (holeTimer) return;
    holeTimer = setTimeout(() => {
      holeTimer = undefined;
      let oldest = Infinity;
      for (const nsp of localRoomNamespaces(io)) {
        oldest = Math.min(oldest, delivered.get(nsp)?.holeSince ?? Infinity, deliveredRevs.get(nsp)?.holeSince ?? Infinity);
      }
      if (oldest === Infinity) return;
      if (Date.now() - oldest >= holeTimeoutMs) void resync({ messagesOnly: true });
      else watchHoles();
    }, holeTimeoutMs);
    holeTimer.unref?.();
  }

  /**
   * Leaves and deletions whose notice may have been missed too: the sockets of people no longer members
   * (or of a room that is gone) get what they would have got — `member:left` or `room:deleted` — and are
   * disconnected, before any message is resent.
   */
  async function dismissWhoNoLongerBelongs(): Promise<void> {
    const present = new Map<string, { roomId: string; user: PublicUser }>();
    for (const nsp of localRoomNamespaces(io)) {
      const roomId = roomIdOf(nsp);
      for (const socket of nsp.sockets.values()) present.set(`${roomId} ${socket.data.user.id}`, { roomId, user: socket.data.user });
    }
    const checks = await checkRoomAudience([...present.values()].map(({ roomId, user }) => ({ roomId, userId: user.id })));
    const deleted = new Set<string>();
    let left = 0;
    for (const { roomId, userId, roomExists, isMember } of checks) {
      if (!roomExists && !deleted.has(roomId)) {
        deleted.add(roomId);
        applyRoomAction({ roomId, emit: { event: 'room:deleted', payload: { roomId } }, disconnect: {} });
      } else if (roomExists && !isMember) {
        left += 1;
        const user = present.get(`${roomId} ${userId}`)!.user;
        applyRoomAction({ roomId, emit: { event: 'member:left', payload: { user, at: new Date().toISOString() } }, disconnect: { userId } });
      }
    }
    if (deleted.size + left > 0) log.info({ deletedRooms: deleted.size, leftMembers: left }, 'disconnected sockets whose room or membership ended unannounced');
  }

  /** One pass over every room open here, from the last message its sockets were all sent. False if a room has more. */
  async function resyncOnce(): Promise<boolean> {
    if (checkAudience) {
      checkAudience = false; // a request arriving meanwhile sets it again, for the next pass
      await dismissWhoNoLongerBelongs().catch((error: unknown) => {
        checkAudience = true;
        throw error;
      });
    }
    const positions: { roomId: string; afterSeq: number }[] = [];
    const revPositions: { roomId: string; afterRev: number }[] = [];
    for (const nsp of localRoomNamespaces(io)) {
      const seqs = delivered.get(nsp);
      if (seqs?.floor === undefined) {
        // Its sockets are still loading their replay: after it, the room is resynced (admitted()).
        if (nsp.sockets.size > 0) resyncOnAdmission.add(nsp);
        continue;
      }
      seqs.holeChecked();
      positions.push({ roomId: roomIdOf(nsp), afterSeq: seqs.floor });
      const revs = deliveredRevs.get(nsp);
      if (revs?.floor === undefined) continue;
      revs.holeChecked();
      revPositions.push({ roomId: roomIdOf(nsp), afterRev: revs.floor });
    }
    // Read before the changes: every change up to these is in the answer (superseded ones as their message's current state).
    const lastRevs = await readLastRevs(revPositions.map((p) => p.roomId));
    const [missed, changed] = await Promise.all([listMessagesAfter(positions), listChangesAfter(revPositions)]);
    // Here only: peers have them. New messages first, so a change never reaches a socket before its message.
    for (const message of missed) applyRoomAction(messageStoredAction(message));
    for (const message of changed) applyRoomAction(messageChangedAction(message));
    if (missed.length + changed.length > 0) {
      log.info({ rooms: positions.length, messages: missed.length, changes: changed.length }, 'sent messages and changes this instance had missed');
    }
    const perRoom = new Map<string, number>();
    for (const message of missed) perRoom.set(message.roomId, (perRoom.get(message.roomId) ?? 0) + 1);
    const changesPerRoom = new Map<string, number>();
    for (const message of changed) changesPerRoom.set(message.roomId, (changesPerRoom.get(message.roomId) ?? 0) + 1);
    for (const nsp of localRoomNamespaces(io)) {
      const roomId = roomIdOf(nsp);
      const lastRev = lastRevs.get(roomId);
      if (lastRev !== undefined && (changesPerRoom.get(roomId) ?? 0) < REPLAY_LIMIT) deliveredRevs.get(nsp)?.cover(lastRev);
    }
    return [...perRoom.values(), ...changesPerRoom.values()].every((count) => count < REPLAY_LIMIT);
  }

  /** `messagesOnly`: only a message is known to be missing (a hole), so memberships need no check. */
  function resync(options: { messagesOnly?: boolean } = {}): Promise<void> {
    if (!options.messagesOnly) checkAudience = true;
    if (resyncing) {
      resyncAgain = true;
      return resyncing;
    }
    resyncing = (async () => {
      for (let delay = RESYNC_RETRY_MIN_MS; ; ) {
        resyncAgain = false;
        try {
          if ((await resyncOnce()) && !resyncAgain) return;
          delay = RESYNC_RETRY_MIN_MS;
        } catch (error) {
          log.warn({ err: error, retryInMs: delay }, 'could not load the messages this instance missed; retrying');
          await new Promise((resolve) => setTimeout(resolve, delay).unref?.());
          delay = Math.min(delay * 2, RESYNC_RETRY_MAX_MS);
        }
      }
    })().finally(() => {
      resyncing = undefined;
    });
    return resyncing;
  }

  const outbox = publisher
    ? createOutbox<RoomAction>({
        send: (actions) => publisher.publishAndReturnOffset({ type: MessageType.SERVER_SIDE_EMIT, data: { packet: ['room:actions', actions] } }).then(() => undefined),
        sendResync: () => publisher.publishAndReturnOffset({ type: MessageType.SERVER_SIDE_EMIT, data: { packet: ['room:resync'] } }).then(() => undefined),
        isVolatile: (action) => action.emit?.volatile === true,
        chunkBytes: NOTIFY_BUDGET_BYTES,
        limits: options.outboxLimits,
        log,
      })
    : undefined;

  if (publisher) {
    io.on('room:actions', (actions) => {
      for (const action of actions) applyRoomAction(action);
    });
    io.on('room:resync', () => void resync());
    io.on('room:has-user', (roomId, userId, ack) => ack(hasLocalSocketOf(io, roomId, userId)));
  }

  const bus: RoomBus = {
    publish(action) {
      applyRoomAction(action);
      outbox?.push(action);
    },

    admitted(roomId, lastSeq, lastRev) {
      const nsp = localNamespace(io, roomId);
      if (!nsp) return;
      deliveredIn(nsp).baseline(lastSeq);
      deliveredIn(nsp, deliveredRevs).baseline(lastRev);
      // Memberships were checked by the resync that passed this room over (its sockets were there).
      if (resyncOnAdmission.delete(nsp)) void resync({ messagesOnly: true });
    },

    resync: () => resync(),

    async isInRoom(roomId, userId) {
      if (hasLocalSocketOf(io, roomId, userId)) return true;
      if (!publisher) return false;
      // Peers that do not answer in time (one just died) count as "no": the adapter gives up after 5 s.
      return new Promise((resolve) => {
        io.serverSideEmit('room:has-user', roomId, userId, (_error: Error | null, answers: boolean[]) => resolve((answers ?? []).some(Boolean)));
      });
    },
  };
  buses.set(io, bus);
  return bus;
}
