/**
 * The call state machine (docs/protocol.md §4.12), as pure functions over a call and its participants.
 * lib/data/calls.ts runs each transition on the locked call row and writes back what changed, so every
 * instance, tab and person acting at once sees one outcome. Refusals are AppErrors with the documented codes.
 */
import { AppError } from '../errors';
import {
  CALL_MAX_PARTICIPANTS,
  type CallEndReason,
  type CallKind,
  type CallMedia,
  type CallState,
  type ParticipantState,
} from '../schemas/call';

export interface CallRecord {
  id: string;
  roomId: string;
  roomKind: 'public' | 'private' | 'direct' | 'group';
  kind: CallKind;
  callerId: string;
  state: CallState;
  createdAt: Date;
  ringUntil: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  endReason: CallEndReason | null;
}

export interface ParticipantRecord {
  userId: string;
  position: number;
  state: ParticipantState;
  /** The main-namespace socket holding the participant while joined. */
  socketId: string | null;
  joinedAt: Date | null;
  leftAt: Date | null;
  seenAt: Date | null;
  disconnectedAt: Date | null;
  /** Set with disconnectedAt: until when they may resume (the grace fixed when the socket went). */
  reconnectUntil: Date | null;
  media: CallMedia;
}

export interface CallSnapshot {
  call: CallRecord;
  participants: ParticipantRecord[];
}

export const NO_MEDIA: CallMedia = { audio: false, video: false, screen: false };

export const callEnded = () => new AppError('CONFLICT', 'The call has ended.');
export const notInCall = () => new AppError('CONFLICT', 'You are not in this call (from this tab).');
export const alreadyInACall = () => new AppError('CONFLICT', 'You are already in a call.');

/** Someone added to a call, not (yet) in it. */
function newParticipant(userId: string, position: number, state: ParticipantState): ParticipantRecord {
  return {
    userId,
    position,
    state,
    socketId: null,
    joinedAt: null,
    leftAt: null,
    seenAt: null,
    disconnectedAt: null,
    reconnectUntil: null,
    media: { ...NO_MEDIA },
  };
}

function clone(snapshot: CallSnapshot): CallSnapshot {
  return { call: { ...snapshot.call }, participants: snapshot.participants.map((p) => ({ ...p, media: { ...p.media } })) };
}

function find(snapshot: CallSnapshot, userId: string): ParticipantRecord | undefined {
  return snapshot.participants.find((p) => p.userId === userId);
}

function leave(participant: ParticipantRecord, now: Date): void {
  participant.state = 'left';
  participant.socketId = null;
  participant.leftAt = now;
  participant.disconnectedAt = null;
  participant.reconnectUntil = null;
  participant.media = { ...NO_MEDIA };
}

function end(snapshot: CallSnapshot, reason: CallEndReason, now: Date): void {
  snapshot.call.state = 'ended';
  snapshot.call.endedAt = now;
  snapshot.call.endReason = reason;
  for (const p of snapshot.participants) {
    if (p.state === 'invited') p.state = 'missed';
    if (p.state === 'joined') leave(p, now);
  }
}

/**
 * Ends the call when nothing keeps it going: nobody joined; or, once answered, one person left joined and
 * nobody rung any more; or, unanswered, nobody rung any more (declined if anyone declined, else missed).
 */
function settle(snapshot: CallSnapshot, now: Date): void {
  if (snapshot.call.state === 'ended') return;
  const joined = snapshot.participants.filter((p) => p.state === 'joined').length;
  const ringing = snapshot.participants.some((p) => p.state === 'invited');
  if (snapshot.call.state === 'active') {
    if (joined === 0 || (joined <= 1 && !ringing)) end(snapshot, 'completed', now);
    return;
  }
  // Ringing: the caller is the one joined.
  const caller = find(snapshot, snapshot.call.callerId);
  if (caller?.state !== 'joined') return end(snapshot, 'cancelled', now);
  if (ringing) return;
  const others = snapshot.participants.filter((p) => p.userId !== snapshot.call.callerId);
  if (others.some((p) => p.state === 'declined')) return end(snapshot, 'declined', now);
  return end(snapshot, 'missed', now);
}

/**
 * A new call: the caller joined from `socketId`, the others rung unless busy (joined to another call) or
 * unreachable (no tab connected). Nobody to ring ends it at once (busy, else unavailable).
 */
export function newCall(input: {
  id: string;
  roomId: string;
  roomKind: CallRecord['roomKind'];
  kind: CallKind;
  callerId: string;
  socketId: string;
  callees: { userId: string; busy: boolean; online: boolean }[];
  now: Date;
  ringMs: number;
}): CallSnapshot {
  const { now } = input;
  const snapshot: CallSnapshot = {
    call: {
      id: input.id,
      roomId: input.roomId,
      roomKind: input.roomKind,
      kind: input.kind,
      callerId: input.callerId,
      state: 'ringing',
      createdAt: now,
      ringUntil: new Date(now.getTime() + input.ringMs),
      answeredAt: null,
      endedAt: null,
      endReason: null,
    },
    participants: [
      {
        userId: input.callerId,
        position: 0,
        state: 'joined',
        socketId: input.socketId,
        joinedAt: now,
        leftAt: null,
        seenAt: now,
        disconnectedAt: null,
        reconnectUntil: null,
        media: { audio: true, video: input.kind === 'video', screen: false },
      },
      ...input.callees.map((callee, index) =>
        newParticipant(callee.userId, index + 1, callee.busy ? 'busy' : callee.online ? 'invited' : 'missed'),
      ),
    ],
  };
  if (!snapshot.participants.some((p) => p.state === 'invited')) {
    end(snapshot, snapshot.participants.some((p) => p.state === 'busy') ? 'busy' : 'unavailable', now);
  }
  return snapshot;
}

/**
 * Answer (or join a live call): this tab takes part. A retry from the tab already holding it changes
 * nothing; another tab of a joined person is refused. Direct calls admit only their two people.
 */
export function accept(current: CallSnapshot, input: { userId: string; socketId: string; now: Date }): CallSnapshot {
  if (current.call.state === 'ended') throw callEnded();
  const existing = find(current, input.userId);
  if (existing?.state === 'joined') {
    if (existing.socketId === input.socketId) return current;
    throw new AppError('CONFLICT', 'You are already in this call (in another tab).');
  }
  if (!existing && current.call.roomKind === 'direct') throw notInCall();
  const joined = current.participants.filter((p) => p.state === 'joined').length;
  if (joined >= CALL_MAX_PARTICIPANTS) throw new AppError('CONFLICT', `The call is full (${CALL_MAX_PARTICIPANTS} people).`);
  const next = clone(current);
  let participant = find(next, input.userId);
  if (!participant) {
    participant = newParticipant(input.userId, Math.max(...next.participants.map((p) => p.position)) + 1, 'invited');
    next.participants.push(participant);
  }
  Object.assign(participant, {
    state: 'joined',
    socketId: input.socketId,
    joinedAt: input.now,
    leftAt: null,
    seenAt: input.now,
    disconnectedAt: null,
    reconnectUntil: null,
    media: { audio: true, video: next.call.kind === 'video', screen: false },
  } satisfies Partial<ParticipantRecord>);
  if (next.call.state === 'ringing') {
    next.call.state = 'active';
    next.call.answeredAt = input.now;
  }
  return next;
}

/** Decline a call that rings me. Declining again changes nothing. */
export function decline(current: CallSnapshot, input: { userId: string; now: Date }): CallSnapshot {
  const participant = find(current, input.userId);
  if (participant?.state === 'declined') return current;
  if (current.call.state === 'ended') throw callEnded();
  if (participant?.state !== 'invited') throw new AppError('CONFLICT', 'This call is not ringing for you.');
  const next = clone(current);
  find(next, input.userId)!.state = 'declined';
  settle(next, input.now);
  return next;
}

/**
 * Leave (from any tab of mine): joined → left, invited → declined; the caller before an answer cancels.
 * An ended call answers as it is.
 */
export function hangup(current: CallSnapshot, input: { userId: string; now: Date }): CallSnapshot {
  if (current.call.state === 'ended') return current;
  const participant = find(current, input.userId);
  if (participant?.state === 'invited') return decline(current, input);
  if (participant?.state !== 'joined') throw notInCall();
  const next = clone(current);
  leave(find(next, input.userId)!, input.now);
  if (next.call.state === 'ringing' && input.userId === next.call.callerId) end(next, 'cancelled', input.now);
  settle(next, input.now);
  return next;
}

/**
 * Take my place back from a new socket after a lost connection. `holderGone`: the socket holding it is
 * known to be gone (disconnected, its instance silent, or not found on any instance).
 */
export function resume(current: CallSnapshot, input: { userId: string; socketId: string; holderGone: boolean; now: Date }): CallSnapshot {
  if (current.call.state === 'ended') throw callEnded();
  const participant = find(current, input.userId);
  if (participant?.state !== 'joined') throw new AppError('CONFLICT', 'You are not in this call any more: join it again.');
  if (participant.socketId === input.socketId && participant.disconnectedAt === null) return current;
  if (participant.socketId !== input.socketId && !input.holderGone) {
    throw new AppError('CONFLICT', 'You are in this call in another tab.');
  }
  const next = clone(current);
  Object.assign(find(next, input.userId)!, { socketId: input.socketId, disconnectedAt: null, reconnectUntil: null, seenAt: input.now });
  return next;
}

/** What I send now, from the tab in the call. */
export function setMedia(current: CallSnapshot, input: { userId: string; socketId: string; media: CallMedia }): CallSnapshot {
  if (current.call.state === 'ended') throw callEnded();
  const participant = find(current, input.userId);
  if (participant?.state !== 'joined' || participant.socketId !== input.socketId) throw notInCall();
  const next = clone(current);
  find(next, input.userId)!.media = { ...input.media };
  return next;
}

/** The holding socket disconnected: the participant is reconnecting until resumed or the grace ends. */
export function disconnected(current: CallSnapshot, input: { socketId: string; now: Date; graceMs: number }): CallSnapshot {
  if (current.call.state === 'ended') return current;
  const participant = current.participants.find((p) => p.state === 'joined' && p.socketId === input.socketId);
  if (!participant || participant.disconnectedAt) return current;
  const next = clone(current);
  Object.assign(find(next, participant.userId)!, {
    disconnectedAt: input.now,
    reconnectUntil: new Date(input.now.getTime() + input.graceMs),
  });
  return next;
}

/**
 * Time passing: people still rung after ringUntil missed it; participants whose reconnect grace ran out,
 * or whose instance stopped vouching for them (seenAt older than staleMs), left.
 */
export function expire(current: CallSnapshot, input: { now: Date; staleMs: number }): CallSnapshot {
  if (current.call.state === 'ended') return current;
  const { now } = input;
  const next = clone(current);
  let changed = false;
  if (now >= next.call.ringUntil) {
    for (const p of next.participants) {
      if (p.state === 'invited') {
        p.state = 'missed';
        changed = true;
      }
    }
    // Not answering in time is what happened, whatever became of the caller's connection meanwhile.
    if (changed) settle(next, now);
    if (next.call.state === 'ended') return next;
  }
  for (const p of next.participants) {
    if (p.state !== 'joined') continue;
    const graceOver = p.reconnectUntil !== null && now >= p.reconnectUntil;
    const silent = p.seenAt !== null && now.getTime() - p.seenAt.getTime() >= input.staleMs;
    if (graceOver || silent) {
      leave(p, now);
      changed = true;
    }
  }
  if (!changed) return current;
  settle(next, now);
  return next;
}

/** What the call leaves in its conversation once ended. */
export function entryOf(snapshot: CallSnapshot): { kind: CallKind; outcome: CallEndReason; durationMs: number | null; participantIds: string[] } {
  const { call } = snapshot;
  if (call.state !== 'ended' || !call.endReason || !call.endedAt) throw new Error('entryOf: the call has not ended');
  return {
    kind: call.kind,
    outcome: call.endReason,
    durationMs: call.endReason === 'completed' && call.answeredAt ? Math.max(0, call.endedAt.getTime() - call.answeredAt.getTime()) : null,
    participantIds: [...snapshot.participants]
      .sort((a, b) => a.position - b.position)
      .filter((p) => p.joinedAt !== null)
      .map((p) => p.userId),
  };
}
