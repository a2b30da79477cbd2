/**
 * Main-namespace ("/") handlers: one socket per tab. Presence (status, watching), delivery receipts,
 * and the per-room broadcast groups (`members:<roomId>`) that carry unread activity to every tab of
 * every member without opening a namespace per room.
 */
import { markDelivered } from '../../data/receipts';
import { listRoomIdsOf } from '../../data/rooms';
import { deliveryAckSchema } from '../../schemas/room';
import { presenceSetSchema, presenceWatchSchema } from '../../schemas/user';
import { membersRoom, userRoom } from '../groups';
import { notifyReceipt, type MainEvents, type MainSocket } from '../notify';
import type { PresenceTracker } from '../presence';
import type { ParleyServer } from '../server';

/** Defined once for the main namespace (on-event.ts says why not per socket). */
export function defineSessionHandlers(events: MainEvents, deps: { io: ParleyServer; presence: PresenceTracker }): void {
  const { io, presence } = deps;

  events.on('session:ping', null, () => ({ serverTime: new Date().toISOString() }));

  events.on('presence:set', presenceSetSchema, ({ status }, { socket }) => {
    socket.data.status = status;
    presence.refresh(socket.data.user.id);
    return { status };
  });

  // Only people who share a room with me; the others are left out of the answer and not watched.
  events.on('presence:watch', presenceWatchSchema, async ({ userIds }, { socket }) => ({ presence: await presence.watch(socket, userIds) }));

  // Once for every message per online member: a client may leave out the ack (clients report only where
  // delivery is shown, showsDelivery(), but any member may report it anywhere).
  events.on(
    'delivery:ack',
    deliveryAckSchema,
    async ({ roomId, seq }, { socket }) => {
      const change = await markDelivered({ roomId, userId: socket.data.user.id, seq });
      if (change.changed) notifyReceipt(roomId, change, io);
      return { lastDeliveredSeq: change.receipt.lastDeliveredSeq };
    },
    { ackOptional: true },
  );
}

/**
 * A new tab: into its user's group and its rooms' `members:` groups, then presence. The caller's
 * disconnect listener calls `presence.refresh(userId, { afterGrace: true })`.
 */
export async function startSession(socket: MainSocket, deps: { presence: PresenceTracker; roomIdsOf?: (userId: string) => Promise<string[]> }): Promise<void> {
  const { user } = socket.data;
  socket.data.status = 'online';
  const roomIds = await (deps.roomIdsOf ?? listRoomIdsOf)(user.id);
  await socket.join([userRoom(user.id), ...roomIds.map(membersRoom)]);
  deps.presence.refresh(user.id);
}
