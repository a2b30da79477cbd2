/**
 * Unread activity (`room:activity`) to a room's members, in slices: one slice of sockets per turn of the event
 * loop, so a large room's fan-out does not hold up everyone else.
 *
 * Every message reaches the main-namespace tabs of every online member of its room. Each tab costs one write
 * (a system call) and engine.io's bookkeeping around it: ~15–25 µs here, so 1,500 members online made one
 * 23 ms block, up to 75 ms when the machine was busy, and two messages in large rooms in a row stalled every other
 * room's sends behind them. Sliced, the same writes happen between other work: at most one slice's worth (~2 ms)
 * stands in front of a send. Probe, 2026-12-01: a small request answered every 5 ms while 1,500 members were sent
 * an activity twice a second waited p99 27–30 ms (max 98–124) in one block, 10–13 ms (max 34–61) in slices of 250,
 * 7–8 ms (max 28–49) in slices of 100.
 *
 * The work is the same, only spread. Activity is a position (docs/protocol.md §1: never rely on arrival order),
 * yet it stays first-in first-out here: while a fan-out is under way, later ones — small ones too — queue behind
 * it. Each fan-out walks the group as it is when each slice goes out (a Set's iterator sees what was added and
 * not what was removed): a socket that left before its slice (left the room, was removed) is skipped, and a tab
 * that connected meanwhile — a reload — is sent it too. That one is harmless (activity is a position, and the tab
 * reads its rooms anyway), while leaving it out would lose the message's activity for a tab that reconnected
 * just after its author's ack.
 */
import type { RoomActivity } from './events';
import type { ParleyServer } from './server';

/** Sockets written per turn of the event loop: ~2 ms of work on this class of machine. */
export const FANOUT_SLICE_SIZE = 100;

interface Fanout {
  sockets: Iterator<string>;
  payload: RoomActivity;
}

export interface SlicedFanout {
  /** `room:activity` to every main-namespace socket of this instance in `group` now: the first slice at once, the rest in later turns. */
  emit(group: string, payload: RoomActivity): void;
  /** Fan-outs not yet finished (tests). */
  pending(): number;
}

export function createSlicedFanout(io: ParleyServer, options: { sliceSize?: number } = {}): SlicedFanout {
  const sliceSize = options.sliceSize ?? FANOUT_SLICE_SIZE;
  const nsp = io.of('/');
  const queue: Fanout[] = [];
  let scheduled = false;

  /** Writes one slice of the oldest fan-out; true while more remain. */
  function sendSlice(): boolean {
    const fanout = queue[0];
    if (!fanout) return false;
    const slice: string[] = [];
    let done = false;
    while (slice.length < sliceSize) {
      const next = fanout.sockets.next();
      if (next.done) {
        done = true;
        break;
      }
      slice.push(next.value);
    }
    if (slice.length > 0) nsp.local.to(slice).emit('room:activity', fanout.payload);
    if (done) queue.shift();
    return queue.length > 0;
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    // setImmediate: after the I/O that arrived meanwhile (sends, acks), not before it as a microtask would be.
    setImmediate(() => {
      scheduled = false;
      if (sendSlice()) schedule();
    });
  }

  return {
    emit(group, payload) {
      const members = nsp.adapter.rooms.get(group);
      if (!members || members.size === 0) return;
      if (queue.length === 0 && members.size <= sliceSize) {
        nsp.local.to(group).emit('room:activity', payload);
        return;
      }
      queue.push({ sockets: members.values(), payload });
      if (queue.length === 1 && sendSlice()) schedule();
    },
    pending: () => queue.length,
  };
}
