/** `read:mark` in a room namespace: my read position moves forward (clamped), receipts go out. */
import { markRead } from '../../data/receipts';
import type { Logger } from '../../logger';
import { markReadSchema } from '../../schemas/room';
import type { RoomClientToServerEvents } from '../events';
import { notifyReceipt, type RoomSocket } from '../notify';
import { eventHandlers } from '../on-event';
import type { ParleyServer } from '../server';

export function registerReceiptHandlers(socket: RoomSocket, deps: { io: ParleyServer; roomId: string; log: Logger }): void {
  const { user } = socket.data;
  const on = eventHandlers<RoomClientToServerEvents>(socket, { log: deps.log });
  on('read:mark', markReadSchema, async ({ seq }) => {
    const { receipt, changed, readMoved } = await markRead({ roomId: deps.roomId, userId: user.id, seq });
    if (changed) notifyReceipt(deps.roomId, receipt, readMoved, deps.io);
    return { lastReadSeq: receipt.lastReadSeq };
  });
}
