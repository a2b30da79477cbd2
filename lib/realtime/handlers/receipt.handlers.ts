/** `read:mark` in a room namespace: my read position moves forward (clamped), receipts go out. */
import { markRead } from '../../data/receipts';
import { markReadSchema } from '../../schemas/room';
import { notifyReceipt, roomIdOf, type RoomEvents } from '../notify';
import type { ParleyServer } from '../server';

export function defineReceiptHandlers(events: RoomEvents, deps: { io: ParleyServer }): void {
  events.on('read:mark', markReadSchema, async ({ seq }, { socket }) => {
    const roomId = roomIdOf(socket);
    const change = await markRead({ roomId, userId: socket.data.user.id, seq });
    if (change.changed) notifyReceipt(roomId, change, deps.io);
    return { lastReadSeq: change.receipt.lastReadSeq };
  });
}
