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
 * the order they happened here.
 */
import { MessageType } from 'socket.io-adapter';
import { listMessagesAfter } from '../data/messages';
import type { ChatMessage } from '../schemas/message';
import { roomNamespace } from '../schemas/room';
import type { Logger } from '../logger';
import type { RoomServerToClientEvents, ServerToClientEvents } from './events';
import { membersRoom, userRoom } from './groups';
import type { RoomNamespace } from './notify';
import type { ParleyServer } from './server';

type EventPayloads<Events> = {
  [E in keyof Events]: Events[E] extends (payload: infer P) => void ? { event: E; payload: P } : never;
}[keyof Events];

/** Something to do to a room's sockets, serialisable so that every instance can do it to its own. */
export interface RoomAction {
  roomId: string;
  /** An event for the room's sockets (its namespace). */
  emit?: EventPayloads<RoomServerToClientEvents> & {
    /** Dropped for a socket that cannot take it now (typing). */
    volatile?: boolean;
    /** Not to this socket (the sender's own, on the instance that has it). */
    exceptSocketId?: string;
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
   * After this instance could not hear the others for a while (its LISTEN connection was down): sends
   * this instance's room sockets the messages stored meanwhile, from the database. Clients drop what
   * they already hold by seq.
   */
  resync(): Promise<void>;
}

/** JSON bytes per NOTIFY: under the adapter's 8,000-byte threshold, leaving room for its envelope. */
const NOTIFY_BUDGET_BYTES = 7_000;

/** What the PostgreSQL adapter (a ClusterAdapter) offers its subclasses: a publish we can await. */
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

/**
 * A stored message: to the room's sockets (but the sender's, which has it in its ack), and to every
 * member's tabs as unread activity. One action, so one NOTIFY carries both to the other instances.
 */
export function messageStoredAction(message: ChatMessage, senderSocketId?: string): RoomAction {
  return {
    roomId: message.roomId,
    emit: { event: 'message:new', payload: message, ...(senderSocketId ? { exceptSocketId: senderSocketId } : {}) },
    members: { event: 'room:activity', payload: { roomId: message.roomId, lastSeq: message.seq, authorId: message.author.id } },
  };
}

function hasLocalSocketOf(io: ParleyServer, roomId: string, userId: string): boolean {
  return (localNamespace(io, roomId)?.adapter.rooms.get(userRoom(userId))?.size ?? 0) > 0;
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

export function createRoomBus(io: ParleyServer, deps: { log: Logger }): RoomBus {
  const log = deps.log.child({ component: 'room-bus' });
  const publisher = clusterPublisher(io);
  /** The newest message seq delivered here per room: where resync() starts from. */
  const delivered = new Map<string, number>();
  let queue: RoomAction[] = [];
  let flushing = false;

  /** Applies an action to this instance's sockets. */
  function applyRoomAction(action: RoomAction): void {
    const nsp = localNamespace(io, action.roomId);
    if (nsp && action.emit?.event === 'message:new') {
      const seq = action.emit.payload.seq;
      if (seq > (delivered.get(action.roomId) ?? 0)) delivered.set(action.roomId, seq);
    }
    if (nsp && action.emit) {
      const { event, payload, volatile, exceptSocketId } = action.emit;
      let target = nsp.local;
      if (volatile) target = target.volatile;
      if (exceptSocketId) target = target.except(exceptSocketId);
      (target.emit as (event: string, payload: unknown) => void)(event, payload);
    }
    if (nsp && action.disconnect) {
      const { userId } = action.disconnect;
      (userId ? nsp.in(userRoom(userId)) : nsp).local.disconnectSockets();
    }
    if (action.members) {
      (io.local.to(membersRoom(action.roomId)).emit as (event: string, payload: unknown) => void)(action.members.event, action.members.payload);
    }
  }


  /** Takes the longest prefix of the queue that fits one NOTIFY (at least one action). */
  function takeChunk(): RoomAction[] {
    let bytes = 0;
    let count = 0;
    while (count < queue.length) {
      bytes += Buffer.byteLength(JSON.stringify(queue[count])) + 1;
      if (count > 0 && bytes > NOTIFY_BUDGET_BYTES) break;
      count += 1;
    }
    const chunk = queue.slice(0, count);
    queue = queue.slice(count);
    return chunk;
  }

  async function flush(cluster: ClusterPublisher): Promise<void> {
    while (queue.length > 0) {
      const chunk = takeChunk();
      try {
        await cluster.publishAndReturnOffset({ type: MessageType.SERVER_SIDE_EMIT, data: { packet: ['room:actions', chunk] } });
      } catch (error) {
        // Peers' clients catch up from the database: gap healing, or replay on their next reconnect.
        log.warn({ err: error, actions: chunk.length }, 'room actions not published to other instances');
      }
    }
    flushing = false;
  }

  if (publisher) {
    io.on('room:actions', (actions) => {
      for (const action of actions) applyRoomAction(action);
    });
    io.on('room:has-user', (roomId, userId, ack) => ack(hasLocalSocketOf(io, roomId, userId)));
  }

  const bus: RoomBus = {
    publish(action) {
      applyRoomAction(action);
      if (!publisher) return;
      queue.push(action);
      if (!flushing) {
        flushing = true;
        // setImmediate: what this turn of the event loop produces travels together.
        setImmediate(() => void flush(publisher));
      }
    },

    async resync() {
      // Rooms open here that delivered something before; the rest replayed from the database on connect.
      for (const roomId of delivered.keys()) if (!localNamespace(io, roomId)) delivered.delete(roomId);
      const positions = [...delivered].map(([roomId, afterSeq]) => ({ roomId, afterSeq }));
      try {
        const missed = await listMessagesAfter(positions);
        for (const message of missed) applyRoomAction(messageStoredAction(message)); // here only: peers have them
        if (missed.length > 0) log.info({ rooms: positions.length, messages: missed.length }, 'resent messages missed while not listening');
      } catch (error) {
        log.warn({ err: error }, 'could not resend missed messages; clients catch up on their next message or reconnect');
      }
    },

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
