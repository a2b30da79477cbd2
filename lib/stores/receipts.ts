/** Read receipts and delivered ticks, as pure functions over the members' `Receipt`s. */
import type { Receipt, RoomMember } from '../schemas/room';
import type { PublicUser } from '../schemas/user';

/** By user id. */
export type Receipts = Readonly<Record<string, Receipt>>;

/** Positions only move forward: a late or repeated update never lowers them. Same object when unchanged. */
export function mergeReceipt(receipts: Receipts, receipt: Receipt): Receipts {
  const held = receipts[receipt.userId];
  const lastReadSeq = Math.max(held?.lastReadSeq ?? 0, receipt.lastReadSeq);
  const lastDeliveredSeq = Math.max(held?.lastDeliveredSeq ?? 0, receipt.lastDeliveredSeq, lastReadSeq);
  if (held && held.lastReadSeq === lastReadSeq && held.lastDeliveredSeq === lastDeliveredSeq) return receipts;
  return { ...receipts, [receipt.userId]: { userId: receipt.userId, lastReadSeq, lastDeliveredSeq } };
}

export function mergeReceipts(receipts: Receipts, incoming: readonly Receipt[]): Receipts {
  return incoming.reduce(mergeReceipt, receipts);
}

/** Other members who have read the message with this seq, by name. */
export function seenBy(receipts: Receipts, members: readonly RoomMember[], seq: number, meId: string): PublicUser[] {
  return members
    .filter((m) => m.user.id !== meId && (receipts[m.user.id]?.lastReadSeq ?? 0) >= seq)
    .map((m) => m.user)
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export type TickState = 'sent' | 'delivered' | 'read';

/** A direct message of mine: stored (sent), reached the peer's device (delivered), or read by the peer. */
export function tickState(peer: Receipt | undefined, seq: number): TickState {
  if (!peer) return 'sent';
  if (peer.lastReadSeq >= seq) return 'read';
  if (peer.lastDeliveredSeq >= seq) return 'delivered';
  return 'sent';
}
