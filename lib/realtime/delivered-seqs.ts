/**
 * Which message seqs one room namespace on this instance has sent to its sockets, so that the room bus
 * can send each message exactly once however it arrives (its own broadcast, a peer's NOTIFY that went out
 * twice, a retried send's re-broadcast, a resync from the database), notice a message that never arrived
 * (a hole below one that did), and know where to resync from.
 *
 * Seqs are gapless per room, so a floor plus the few seqs seen above it is all there is to keep.
 */

/** Seqs kept above the floor at most; past that a hole is given up on (the clients heal it over REST). */
const MAX_ABOVE = 1_000;

export interface DeliveredSeqs {
  /**
   * Every seq ≤ floor has reached this namespace's sockets: live, or in the replay of the socket whose
   * admission set the floor. Undefined until the first admission read the room's position.
   */
  readonly floor: number | undefined;
  /** Since when (ms) a seq above the floor is missing while a later one was sent; undefined without a hole. */
  readonly holeSince: number | undefined;
  /** Records `seq` as sent; false if it was sent before (or lies below the floor): do not send it again. */
  first(seq: number): boolean;
  /** A socket was admitted with a replay up to `lastSeq`: the floor, if there is none yet. */
  baseline(lastSeq: number): void;
  /** A resync looked for the hole: measure its age from now. */
  holeChecked(): void;
  /**
   * Everything up to `upTo` has been sent (a resync sent the current state of every change up to it, so
   * changes it superseded will never come on their own).
   */
  cover(upTo: number): void;
}

export function createDeliveredSeqs(now: () => number = Date.now): DeliveredSeqs {
  let floor: number | undefined;
  const above = new Set<number>();
  let holeSince: number | undefined;

  function settle(): void {
    if (above.size > MAX_ABOVE) {
      floor = Math.max(...above);
      above.clear();
    }
    if (floor === undefined) return;
    const before: number = floor;
    while (above.delete(floor + 1)) floor += 1;
    for (const seq of above) if (seq <= floor) above.delete(seq);
    if (above.size === 0) holeSince = undefined;
    else if (floor !== before || holeSince === undefined) holeSince = now();
  }

  return {
    get floor() {
      return floor;
    },
    get holeSince() {
      return holeSince;
    },
    first(seq) {
      if ((floor !== undefined && seq <= floor) || above.has(seq)) return false;
      above.add(seq);
      settle();
      return true;
    },
    baseline(lastSeq) {
      if (floor !== undefined) return;
      floor = lastSeq;
      settle();
    },
    holeChecked() {
      if (holeSince !== undefined) holeSince = now();
    },
    cover(upTo) {
      if (floor === undefined || upTo <= floor) return;
      floor = upTo;
      settle();
    },
  };
}
