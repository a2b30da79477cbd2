/**
 * Main-namespace call events (docs/protocol.md §4.12): validate → lib/data/calls.ts (state machine on the
 * locked call) → ack → announce (lib/realtime/calls.ts). Signals are relayed to the one socket holding the
 * recipient's place, on whichever instance it is.
 */
import type { BurstyRateLimiter } from 'rate-limiter-flexible';
import {
  acceptCall,
  declineCall,
  hangupCall,
  listLiveCalls,
  resumeCall,
  setCallMedia,
  signalTarget,
  startCall,
  type CallChange,
} from '../../data/calls';
import type { Env } from '../../env';
import { iceServersFor } from '../../calls/ice';
import { consumeOrRefuse, createFloodLimiter } from '../../flood-limits';
import { getMetrics } from '../../metrics';
import { callIdPayloadSchema, callMediaSchema, callSignalSchema, startCallSchema, type CallJoined } from '../../schemas/call';
import type { CallService } from '../calls';
import type { MainEvents } from '../notify';
import type { ParleyServer } from '../server';

/** Per socket, in memory: ICE candidates come in bursts (a few dozen per connection), then next to nothing. */
export function createSignalRateLimiter(): BurstyRateLimiter {
  return createFloodLimiter({ name: 'call_signal', perSecond: 20, burst: 200 });
}

/**
 * Per user, in memory: answering, resuming and media changes each write the call and announce it to every
 * member's tabs, so a client looping on them must not flood the room. Declining and hanging up are not
 * limited: leaving must always work (someone who toggled mute a lot must still be able to hang up), and
 * each changes a call once.
 */
export function createCallActionRateLimiter(): BurstyRateLimiter {
  return createFloodLimiter({ name: 'call_action', perSecond: 5, burst: 30 });
}

/** Defined once for the main namespace (on-event.ts says why not per socket). */
export function defineCallHandlers(
  events: MainEvents,
  deps: { io: ParleyServer; env: Env; calls: CallService; signalLimiter: BurstyRateLimiter; actionLimiter: BurstyRateLimiter },
): void {
  const { io, calls } = deps;
  const on = events.on;

  /** The ack of a join: the call, and ICE servers with TURN credentials made for this user now. */
  const joined = (change: CallChange, userId: string): CallJoined => ({ call: change.call, iceServers: iceServersFor(deps.env, userId) });

  on('call:start', startCallSchema, async ({ roomId, kind, invite }, { socket, afterAck }) => {
    const { user } = socket.data;
    const change = await startCall({
      roomId,
      userId: user.id,
      socketId: socket.id,
      kind,
      ...(invite ? { invite } : {}),
      whoIsOnline: (ids) => calls.whoIsOnline(ids),
      timings: calls.timings,
    });
    afterAck(() => calls.publish(change));
    return joined(change, user.id);
  });

  on('call:accept', callIdPayloadSchema, async ({ callId }, { socket, afterAck }) => {
    const { user } = socket.data;
    await consumeOrRefuse(deps.actionLimiter, user.id, 'changing calls');
    const change = await acceptCall({ callId, userId: user.id, socketId: socket.id });
    afterAck(() => calls.publish(change));
    return joined(change, user.id);
  });

  on('call:decline', callIdPayloadSchema, async ({ callId }, { socket, afterAck }) => {
    const { user } = socket.data;
    const change = await declineCall({ callId, userId: user.id });
    afterAck(() => calls.publish(change));
    return { call: change.call };
  });

  on('call:hangup', callIdPayloadSchema, async ({ callId }, { socket, afterAck }) => {
    const { user } = socket.data;
    const change = await hangupCall({ callId, userId: user.id });
    afterAck(() => calls.publish(change));
    return { call: change.call };
  });

  on('call:resume', callIdPayloadSchema, async ({ callId }, { socket, afterAck }) => {
    const { user } = socket.data;
    await consumeOrRefuse(deps.actionLimiter, user.id, 'changing calls');
    const change = await resumeCall({
      callId,
      userId: user.id,
      socketId: socket.id,
      timings: calls.timings,
      holderGone: (socketId) => calls.socketGone(socketId),
    });
    afterAck(() => calls.publish(change));
    return joined(change, user.id);
  });

  on('call:media', callMediaSchema, async ({ callId, audio, video, screen }, { socket, afterAck }) => {
    const { user } = socket.data;
    await consumeOrRefuse(deps.actionLimiter, user.id, 'changing calls');
    const change = await setCallMedia({ callId, userId: user.id, socketId: socket.id, media: { audio, video, screen } });
    afterAck(() => calls.publish(change));
    return { call: change.call };
  });

  on('call:signal', callSignalSchema, async ({ callId, to, description, candidate }, { socket }) => {
    const { user } = socket.data;
    await consumeOrRefuse(deps.signalLimiter, socket.id, 'signaling');
    const target = await signalTarget({ callId, userId: user.id, socketId: socket.id, to });
    io.to(target).emit('call:signal', {
      callId,
      from: user.id,
      ...(description ? { description } : {}),
      ...(candidate !== undefined ? { candidate } : {}),
    });
    getMetrics().callSignals.inc();
    return null;
  });

  on('call:list', null, async (_, { socket }) => ({ calls: await listLiveCalls({ userId: socket.data.user.id }) }));
}
