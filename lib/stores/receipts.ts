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

export type TickState = 'sent' | 'delivered' | 'read';

/** A direct message of mine: stored (sent), reached the peer's device (delivered), or read by the peer. */
export function tickState(peer: Receipt | undefined, seq: number): TickState {
  if (!peer) return 'sent';
  if (peer.lastReadSeq >= seq) return 'read';
  if (peer.lastDeliveredSeq >= seq) return 'delivered';
  return 'sent';
}

/**
 * Where each other member's read position sits in what is loaded: on the newest loaded message they have
 * read up to (any author's — Element and WhatsApp groups do the same), so each reader appears exactly once
 * instead of under every message. Readers behind everything loaded, and readers past the loaded range while
 * newer messages exist but are not loaded (after a jump into history), are not placed: their message is not
 * on screen. `loadedSeqs` ascending. Readers per message are sorted by name.
 */
export function readersByMessage(
  receipts: Receipts,
  members: readonly RoomMember[],
  loadedSeqs: readonly number[],
  meId: string,
  { hasNewer = false }: { hasNewer?: boolean } = {},
): Map<number, PublicUser[]> {
  const placed = new Map<number, PublicUser[]>();
  const oldest = loadedSeqs[0];
  const newest = loadedSeqs[loadedSeqs.length - 1];
  if (oldest === undefined || newest === undefined) return placed;
  for (const { user } of members) {
    if (user.id === meId) continue;
    const read = receipts[user.id]?.lastReadSeq ?? 0;
    if (read < oldest || (hasNewer && read > newest)) continue;
    const seq = loadedSeqs[greatestAtMost(loadedSeqs, read)]!;
    const readers = placed.get(seq);
    if (readers) readers.push(user);
    else placed.set(seq, [user]);
  }
  for (const readers of placed.values()) readers.sort((a, b) => a.displayName.localeCompare(b.displayName));
  return placed;
}

/** Index of the greatest value ≤ `limit` in an ascending array whose first value is ≤ `limit`. */
function greatestAtMost(sorted: readonly number[], limit: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid]! <= limit) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** "Seen by Alice", "Seen by Alice and Bob", "Seen by Alice, Bob and Carol", "Seen by Alice, Bob and 2 others". */
export function seenByLabel(names: readonly string[]): string {
  if (names.length <= 1) return `Seen by ${names[0] ?? 'nobody'}`;
  if (names.length <= 3) return `Seen by ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const others = names.length - 2;
  return `Seen by ${names.slice(0, 2).join(', ')} and ${others} other${others === 1 ? '' : 's'}`;
}
