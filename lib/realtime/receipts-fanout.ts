/**
 * Receipts reach a room in batches (`receipts:updated`). Every online member acknowledges each message
 * (`delivery:ack`), so one event per member per message to every open socket of the room grows with the
 * square of the room: 500 members online and 100 with the room open made 50,000 socket writes per message.
 * A room's first move after a quiet spell goes out at once (a direct conversation's "read" tick is not
 * delayed); moves arriving after it gather for `intervalMs` and go as one event carrying each member's
 * furthest positions. Each instance batches the moves it stored; the room bus carries the batch.
 */
import type { Receipt } from '../schemas/room';

export interface ReceiptFanout {
  add(roomId: string, receipt: Receipt): void;
  /** The server is closing: what is gathered is dropped (receipts are live only; `room:ready` has them). */
  close(): void;
}

export function createReceiptFanout(options: { intervalMs: number; emit(roomId: string, receipts: Receipt[]): void }): ReceiptFanout {
  /** Rooms that sent within the last interval, with the moves gathered since (by user id). */
  const cooling = new Map<string, { gathered: Map<string, Receipt>; timer: ReturnType<typeof setTimeout> }>();

  function cool(roomId: string): void {
    const timer = setTimeout(() => {
      const gathered = cooling.get(roomId)?.gathered;
      if (!gathered || gathered.size === 0) {
        cooling.delete(roomId);
        return;
      }
      options.emit(roomId, [...gathered.values()]);
      cool(roomId);
    }, options.intervalMs);
    timer.unref();
    cooling.set(roomId, { gathered: new Map(), timer });
  }

  return {
    add(roomId, receipt) {
      const gathered = cooling.get(roomId)?.gathered;
      if (!gathered) {
        options.emit(roomId, [receipt]);
        cool(roomId);
        return;
      }
      const held = gathered.get(receipt.userId);
      gathered.set(
        receipt.userId,
        held
          ? {
              userId: receipt.userId,
              lastReadSeq: Math.max(held.lastReadSeq, receipt.lastReadSeq),
              lastDeliveredSeq: Math.max(held.lastDeliveredSeq, receipt.lastDeliveredSeq),
            }
          : receipt,
      );
    },
    close() {
      for (const { timer } of cooling.values()) clearTimeout(timer);
      cooling.clear();
    },
  };
}
