/** `read:mark` in a room namespace: my read position moves forward (clamped), receipts go out. */
import { markRead } from '../../data/receipts';
import { errorAck, invalidPayload, okAck, toAppError, type Ack } from '../../errors';
import type { Logger } from '../../logger';
import { markReadSchema } from '../../schemas/room';
import { notifyReceipt, type RoomSocket } from '../notify';
import type { ParleyServer } from '../server';

export function registerReceiptHandlers(socket: RoomSocket, deps: { io: ParleyServer; roomId: string; log: Logger }): void {
  const { user } = socket.data;
  socket.on('read:mark', async (payload: unknown, ack: (response: Ack<{ lastReadSeq: number }>) => void) => {
    if (typeof ack !== 'function') return;
    const parsed = markReadSchema.safeParse(payload);
    if (!parsed.success) return ack(errorAck(invalidPayload(parsed.error)));
    try {
      const { receipt, changed, readMoved } = await markRead({ roomId: deps.roomId, userId: user.id, seq: parsed.data.seq });
      if (changed) notifyReceipt(deps.roomId, receipt, readMoved, deps.io);
      ack(okAck({ lastReadSeq: receipt.lastReadSeq }));
    } catch (error) {
      if (!toAppError(error)) deps.log.error({ err: error, roomId: deps.roomId }, 'read:mark failed');
      ack(errorAck(error));
    }
  });
}
