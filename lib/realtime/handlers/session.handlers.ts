/**
 * Main-namespace ("/") handlers: one socket per tab. Presence (status, watching), delivery receipts,
 * and the per-room broadcast groups (`members:<roomId>`) that carry unread activity to every tab of
 * every member without opening a namespace per room.
 */
import type { Socket } from 'socket.io';
import { markDelivered } from '../../data/receipts';
import { listRoomIdsOf } from '../../data/rooms';
import { errorAck, invalidPayload, okAck, toAppError, type Ack } from '../../errors';
import type { Logger } from '../../logger';
import { deliveryAckSchema } from '../../schemas/room';
import { presenceSetSchema, presenceWatchSchema } from '../../schemas/user';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '../events';
import { membersRoom, userRoom, watchRoom } from '../groups';
import { notifyReceipt } from '../notify';
import type { PresenceTracker } from '../presence';
import type { ParleyServer } from '../server';

type MainSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Answers an event with an ack, mapping failures to the documented error shape. */
function answer<T>(log: Logger, event: string, ack: unknown, work: () => Promise<T>): void {
  if (typeof ack !== 'function') return; // without an ack the client could never learn the outcome
  const reply = ack as (response: Ack<T>) => void;
  work().then(
    (data) => reply(okAck(data)),
    (error: unknown) => {
      if (!toAppError(error)) log.error({ err: error, event }, 'socket handler failed');
      reply(errorAck(error));
    },
  );
}

export async function registerSessionHandlers(
  io: ParleyServer,
  socket: MainSocket,
  deps: { log: Logger; presence: PresenceTracker },
): Promise<void> {
  const { user } = socket.data;
  const { log, presence } = deps;
  socket.data.status = 'online';

  socket.on('session:ping', (ack) => answer(log, 'session:ping', ack, async () => ({ serverTime: new Date().toISOString() })));

  socket.on('presence:set', (payload, ack) =>
    answer(log, 'presence:set', ack, async () => {
      const parsed = presenceSetSchema.safeParse(payload);
      if (!parsed.success) throw invalidPayload(parsed.error);
      socket.data.status = parsed.data.status;
      presence.refresh(user.id);
      return { status: parsed.data.status };
    }),
  );

  socket.on('presence:watch', (payload, ack) =>
    answer(log, 'presence:watch', ack, async () => {
      const parsed = presenceWatchSchema.safeParse(payload);
      if (!parsed.success) throw invalidPayload(parsed.error);
      const wanted = new Set(parsed.data.userIds.map(watchRoom));
      for (const room of socket.rooms) if (room.startsWith('watch:') && !wanted.has(room as `watch:${string}`)) void socket.leave(room);
      await socket.join([...wanted]);
      return { presence: await presence.snapshot([...new Set(parsed.data.userIds)]) };
    }),
  );

  socket.on('delivery:ack', (payload, ack) =>
    answer(log, 'delivery:ack', ack, async () => {
      const parsed = deliveryAckSchema.safeParse(payload);
      if (!parsed.success) throw invalidPayload(parsed.error);
      const { receipt, changed, readMoved } = await markDelivered({ roomId: parsed.data.roomId, userId: user.id, seq: parsed.data.seq });
      if (changed) notifyReceipt(parsed.data.roomId, receipt, readMoved, io);
      return { lastDeliveredSeq: receipt.lastDeliveredSeq };
    }),
  );

  socket.on('disconnect', () => presence.refresh(user.id, { afterGrace: true }));

  await socket.join([userRoom(user.id), ...(await listRoomIdsOf(user.id)).map(membersRoom)]);
  presence.refresh(user.id);
}
