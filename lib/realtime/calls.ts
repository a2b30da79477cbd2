/**
 * Calls on the realtime side (docs/protocol.md §4.12): announcing changes, ringing, timers, the heartbeat
 * that vouches for this instance's participants, and the entry each call leaves in its room. The state
 * itself lives in PostgreSQL (lib/data/calls.ts); everything here may run on any instance, and what an
 * instance does not get to (it died) another does within a sweep.
 */
import {
  expireCalls,
  listCallsMissingEntries,
  markSocketDisconnected,
  touchCallSockets,
  writeCallEntry,
  type CallChange,
  type CallTimings,
} from '../data/calls';
import type { Logger } from '../logger';
import { CALL_RECONNECT_GRACE_MS, CALL_RING_MS } from '../schemas/call';
import { getMetrics } from '../metrics';
import { fetchSocketsAcross } from './fetch-sockets';
import { membersRoom, userRoom } from './groups';
import { messageStoredAction, roomBusOf } from './bus';
import type { ParleyServer } from './server';

export interface CallServiceOptions {
  log: Logger;
  /** Tests shorten these; defaults from lib/schemas/call.ts. */
  ringMs?: number;
  graceMs?: number;
  /** How often this instance vouches for its participants' sockets. Default 5 s; silent for 4× that = gone. */
  heartbeatMs?: number;
  /** How often due calls are looked for, as a backstop to the timers of the instance that set them. Default 5 s. */
  sweepMs?: number;
}

export interface CallService {
  timings: CallTimings;
  /** Announces a change made in lib/data/calls.ts (after its commit): updates, rings, timers, the entry. */
  publish(change: CallChange): void;
  /** Which of these users have a main-namespace socket (a tab) on any instance. */
  whoIsOnline(userIds: string[]): Promise<Set<string>>;
  /** Whether no instance has this socket any more. */
  socketGone(socketId: string): Promise<boolean>;
  /** A main socket disconnected: places it held start their reconnect grace. */
  socketClosed(socketId: string): void;
  /** Runs what is due now (tests; the timers call it too). */
  sweep(): Promise<void>;
  close(): void;
}

const globalForCalls = globalThis as unknown as { parleyCallServices?: WeakMap<ParleyServer, CallService> };
const services = (globalForCalls.parleyCallServices ??= new WeakMap());

/** The call service of a server (route handlers reach it through notify.ts). */
export function callServiceOf(io: ParleyServer): CallService | undefined {
  return services.get(io);
}

export function createCallService(io: ParleyServer, options: CallServiceOptions): CallService {
  const log = options.log.child({ component: 'calls' });
  const ringMs = options.ringMs ?? CALL_RING_MS;
  const graceMs = options.graceMs ?? CALL_RECONNECT_GRACE_MS;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const timings: CallTimings = { ringMs, graceMs, staleMs: Math.max(4 * heartbeatMs, graceMs) };
  /** Main sockets of this instance that hold (or held) a place in a call: the heartbeat vouches for them. */
  const held = new Set<string>();
  /** Sweeps due at a moment, by that moment (every update of a ringing call names the same deadline: one timer). */
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let sweeping: Promise<void> | undefined;
  let sweepAgain = false;
  let closed = false;

  function sweepAt(at: number): void {
    if (closed || timers.has(at)) return;
    const timer = setTimeout(() => {
      timers.delete(at);
      void service.sweep();
    }, Math.max(0, at - Date.now()) + 25);
    timer.unref();
    timers.set(at, timer);
  }


  async function writeEntry(callId: string): Promise<void> {
    const stored = await writeCallEntry(callId);
    if (!stored) return;
    if (!stored.duplicate && stored.message.call) getMetrics().callsEnded.inc({ outcome: stored.message.call.outcome });
    roomBusOf(io).publish(messageStoredAction(stored.message));
  }

  async function runSweep(): Promise<void> {
    for (const change of await expireCalls(timings)) service.publish(change);
    // Entries an instance did not get to write (it died, or the database failed right after the end).
    for (const callId of await listCallsMissingEntries(2_000)) await writeEntry(callId);
  }

  const service: CallService = {
    timings,
    publish(change) {
      if (change.heldBy && io.of('/').sockets.has(change.heldBy)) held.add(change.heldBy);
      if (!change.changed) return;
      const { call } = change;
      io.to(membersRoom(call.roomId)).emit('call:updated', { call });
      if (change.ring.length > 0) io.to(change.ring.map(userRoom)).emit('call:ring', { call });
      if (call.state !== 'ended') {
        // Ring deadline and reconnect graces, on time here; the periodic sweep covers any instance that dies.
        if (call.participants.some((p) => p.state === 'invited') || call.state === 'ringing') sweepAt(Date.parse(call.ringUntil));
        if (call.participants.some((p) => p.reconnecting)) sweepAt(Date.now() + graceMs);
      }
      if (change.ended) {
        writeEntry(call.id).catch((error: unknown) => log.warn({ err: error, callId: call.id }, 'call entry not written yet; the sweep retries'));
      }
    },
    async whoIsOnline(userIds) {
      if (userIds.length === 0) return new Set();
      const sockets = await fetchSocketsAcross(io.in(userIds.map(userRoom)));
      return new Set(sockets.map((s) => s.data.user.id));
    },
    async socketGone(socketId) {
      if (io.of('/').sockets.has(socketId)) return false;
      return (await fetchSocketsAcross(io.in(socketId))).length === 0;
    },
    socketClosed(socketId) {
      if (!held.delete(socketId)) return;
      markSocketDisconnected(socketId, graceMs).then(
        (changes) => changes.forEach((change) => service.publish(change)),
        // The participant then stops being vouched for, and leaves after the stale period instead.
        (error: unknown) => log.warn({ err: error, socketId }, 'could not mark a call participant reconnecting'),
      );
    },
    sweep() {
      if (closed) return Promise.resolve();
      if (sweeping) {
        sweepAgain = true;
        return sweeping;
      }
      sweeping = (async () => {
        do {
          sweepAgain = false;
          await runSweep().catch((error: unknown) => log.warn({ err: error }, 'call sweep failed; retrying on the next one'));
        } while (sweepAgain && !closed);
      })().finally(() => (sweeping = undefined));
      return sweeping;
    },
    close() {
      closed = true;
      clearInterval(sweepTimer);
      clearInterval(heartbeatTimer);
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      services.delete(io);
    },
  };

  const sweepTimer = setInterval(() => void service.sweep(), options.sweepMs ?? 5_000);
  sweepTimer.unref();
  const heartbeatTimer = setInterval(() => {
    const alive = [...held].filter((id) => io.of('/').sockets.has(id));
    for (const id of held) if (!alive.includes(id)) held.delete(id);
    touchCallSockets(alive).catch((error: unknown) => log.warn({ err: error }, 'call heartbeat failed'));
  }, heartbeatMs);
  heartbeatTimer.unref();
  services.set(io, service);
  return service;
}
