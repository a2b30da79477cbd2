/**
 * Main-namespace ("/") handlers: one socket per tab. Presence (status, watching), delivery receipts,
 * and the per-room broadcast groups (`members:<roomId>`) that carry unread activity to every tab of
 * every member without opening a namespace per room.
 */
import { markDelivered } from '../../data/receipts';
import { listRoomIdsOf } from '../../data/rooms';
import type { Logger } from '../../logger';
import { deliveryAckSchema } from '../../schemas/room';
import { presenceSetSchema, presenceWatchSchema } from '../../schemas/user';
import type { ClientToServerEvents } from '../events';
import { membersRoom, userRoom } from '../groups';
import { notifyReceipt, type MainSocket } from '../notify';
import { eventHandlers } from '../on-event';
import type { PresenceTracker } from '../presence';
import type { ParleyServer } from '../server';

export async function registerSessionHandlers(
  io: ParleyServer,
  socket: MainSocket,
  deps: { log: Logger; presence: PresenceTracker },
): Promise<void> {
  const { user } = socket.data;
  const { presence } = deps;
  const on = eventHandlers<ClientToServerEvents>(socket, { log: deps.log });
  socket.data.status = 'online';

  on('session:ping', null, () => ({ serverTime: new Date().toISOString() }));

  on('presence:set', presenceSetSchema, ({ status }) => {
    socket.data.status = status;
    presence.refresh(user.id);
    return { status };
  });

  // Only people who share a room with me; the others are left out of the answer and not watched.
  on('presence:watch', presenceWatchSchema, async ({ userIds }) => ({ presence: await presence.watch(socket, userIds) }));

  on('delivery:ack', deliveryAckSchema, async ({ roomId, seq }) => {
    const { receipt, changed, readMoved } = await markDelivered({ roomId, userId: user.id, seq });
    if (changed) notifyReceipt(roomId, receipt, readMoved, io);
    return { lastDeliveredSeq: receipt.lastDeliveredSeq };
  });

  socket.on('disconnect', () => presence.refresh(user.id, { afterGrace: true }));

  await socket.join([userRoom(user.id), ...(await listRoomIdsOf(user.id)).map(membersRoom)]);
  presence.refresh(user.id);
}
