/**
 * Calls: the only code that reads or writes `calls` and `call_participants` (docs/protocol.md §4.12).
 * Every change runs the state machine (lib/calls/state.ts) on the call row locked FOR UPDATE, so every
 * instance sees one outcome; starts take a per-room lock, and "one live call per room" and "one joined call
 * per person" are unique indexes, so races between instances are settled by PostgreSQL too. Who may see a call: members of its room —
 * to everyone else a call does not exist (NOT_FOUND), like a direct room.
 */
import { Prisma } from '@/generated/prisma/client.ts';
import {
  accept,
  alreadyInACall,
  decline,
  disconnected,
  entryOf,
  expire,
  hangup,
  newCall,
  NO_MEDIA,
  resume,
  setMedia,
  type CallRecord,
  type CallSnapshot,
  type ParticipantRecord,
} from '../calls/state';
import { getDb } from '../db';
import { getEnv } from '../env';
import { AppError } from '../errors';
import { consumeAttempt, sharedLimiter, type LimitPolicy } from '../rate-limit';
import {
  CALL_MAX_PARTICIPANTS,
  type CallEntry,
  type CallInfo,
  type CallKind,
  type CallMedia,
  type CallParticipant,
} from '../schemas/call';
import type { PublicUser } from '../schemas/user';
import { uuidv7 } from '../uuid';
import { createMessage, type StoredMessage } from './messages';
import { getRoomAccess, requirePoster } from './rooms';
import { isUniqueViolation } from './users';

type Tx = Prisma.TransactionClient;

/** A call after a change: what to tell whom. */
export interface CallChange {
  call: CallInfo;
  /** Users whose tabs must start ringing (a new call). */
  ring: string[];
  /** Whether the change ended the call (its entry is due). */
  ended: boolean;
  /** Whether anything changed (a retried accept or decline changes nothing and announces nothing). */
  changed: boolean;
  /** Joined: the socket holding this user's place (a start, accept or resume). */
  heldBy?: string;
}

export interface CallTimings {
  ringMs: number;
  graceMs: number;
  /** A joined participant whose instance has not vouched for them for this long has left. */
  staleMs: number;
}

function callPolicy(points: number): LimitPolicy {
  return { keyPrefix: `calls-${points}`, points, duration: 60, blockDuration: 60 };
}

const noSuchCall = () => new AppError('NOT_FOUND', 'There is no such call.');

// ── Reading ──

interface CallRow {
  id: string;
  roomId: string;
  roomKind: CallRecord['roomKind'];
  kind: CallKind;
  callerId: string;
  state: CallRecord['state'];
  createdAt: Date;
  ringUntil: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  endReason: CallRecord['endReason'];
}

async function readSnapshot(tx: Tx, callId: string, lock: boolean): Promise<CallSnapshot | null> {
  const calls = await tx.$queryRaw<CallRow[]>`
    SELECT c.id::text, c.room_id AS "roomId", r.kind::text AS "roomKind", c.kind, c.caller_id::text AS "callerId", c.state,
           c.created_at AS "createdAt", c.ring_until AS "ringUntil", c.answered_at AS "answeredAt", c.ended_at AS "endedAt",
           c.end_reason AS "endReason"
    FROM calls c JOIN rooms r ON r.id = c.room_id WHERE c.id = ${callId}::uuid ${lock ? Prisma.sql`FOR UPDATE OF c` : Prisma.empty}`;
  const call = calls[0];
  if (!call) return null;
  const participants = await tx.$queryRaw<ParticipantRecord[]>`
    SELECT user_id::text AS "userId", position, state, socket_id AS "socketId", joined_at AS "joinedAt", left_at AS "leftAt",
           seen_at AS "seenAt", disconnected_at AS "disconnectedAt", reconnect_until AS "reconnectUntil", media
    FROM call_participants WHERE call_id = ${callId}::uuid ORDER BY position`;
  return { call, participants };
}

async function usersById(tx: Tx, ids: string[]): Promise<Map<string, PublicUser>> {
  const rows = await tx.$queryRaw<PublicUser[]>`
    SELECT id::text, username, display_name AS "displayName", avatar FROM users WHERE id = ANY (${ids}::uuid[])`;
  return new Map(rows.map((u) => [u.id, u]));
}

const unknownUser = (id: string): PublicUser => ({ id, username: 'deleted', displayName: 'Deleted user', avatar: null });

async function toCallInfo(tx: Tx, snapshot: CallSnapshot): Promise<CallInfo> {
  const { call, participants } = snapshot;
  const users = await usersById(tx, [call.callerId, ...participants.map((p) => p.userId)]);
  const user = (id: string) => users.get(id) ?? unknownUser(id);
  return {
    id: call.id,
    roomId: call.roomId,
    kind: call.kind,
    caller: user(call.callerId),
    state: call.state,
    createdAt: call.createdAt.toISOString(),
    ringUntil: call.ringUntil.toISOString(),
    answeredAt: call.answeredAt?.toISOString() ?? null,
    endedAt: call.endedAt?.toISOString() ?? null,
    endReason: call.endReason,
    participants: [...participants]
      .sort((a, b) => a.position - b.position)
      .map(
        (p): CallParticipant => ({
          user: user(p.userId),
          state: p.state,
          joinedAt: p.joinedAt?.toISOString() ?? null,
          leftAt: p.leftAt?.toISOString() ?? null,
          reconnecting: p.state === 'joined' && p.disconnectedAt !== null,
          media: p.state === 'joined' ? p.media : { ...NO_MEDIA },
        }),
      ),
  };
}

/** The user's membership of the call's room: NOT_FOUND when they may not see the call. */
async function assertCallVisible(tx: Tx, snapshot: CallSnapshot | null, userId: string): Promise<CallSnapshot> {
  if (!snapshot) throw noSuchCall();
  const rows = await tx.$queryRaw<{ one: number }[]>`
    SELECT 1 AS one FROM memberships WHERE room_id = ${snapshot.call.roomId} AND user_id = ${userId}::uuid`;
  if (rows.length === 0) throw noSuchCall();
  return snapshot;
}

// ── Writing ──

async function writeSnapshot(tx: Tx, before: CallSnapshot | null, after: CallSnapshot): Promise<void> {
  const c = after.call;
  if (!before) {
    await tx.$executeRaw`
      INSERT INTO calls (id, room_id, caller_id, kind, state, created_at, ring_until, answered_at, ended_at, end_reason)
      VALUES (${c.id}::uuid, ${c.roomId}, ${c.callerId}::uuid, ${c.kind}, ${c.state}, ${c.createdAt}, ${c.ringUntil}, ${c.answeredAt},
              ${c.endedAt}, ${c.endReason})`;
  } else {
    await tx.$executeRaw`
      UPDATE calls SET state = ${c.state}, answered_at = ${c.answeredAt}, ended_at = ${c.endedAt}, end_reason = ${c.endReason}
      WHERE id = ${c.id}::uuid`;
  }
  // Leaving first: a participant who leaves here frees their "one joined call" slot before anyone joins.
  const order = [...after.participants].sort((a, b) => Number(a.state === 'joined') - Number(b.state === 'joined'));
  for (const p of order) {
    const old = before?.participants.find((o) => o.userId === p.userId);
    if (old && JSON.stringify(old) === JSON.stringify(p)) continue;
    await tx.$executeRaw`
      INSERT INTO call_participants (call_id, user_id, position, state, socket_id, joined_at, left_at, seen_at, disconnected_at,
                                     reconnect_until, media)
      VALUES (${c.id}::uuid, ${p.userId}::uuid, ${p.position}, ${p.state}, ${p.socketId}, ${p.joinedAt}, ${p.leftAt}, ${p.seenAt},
              ${p.disconnectedAt}, ${p.reconnectUntil}, ${JSON.stringify(p.media)}::jsonb)
      ON CONFLICT (call_id, user_id) DO UPDATE SET state = EXCLUDED.state, socket_id = EXCLUDED.socket_id,
        joined_at = EXCLUDED.joined_at, left_at = EXCLUDED.left_at, seen_at = EXCLUDED.seen_at,
        disconnected_at = EXCLUDED.disconnected_at, reconnect_until = EXCLUDED.reconnect_until, media = EXCLUDED.media`;
  }
}

/** Refuses when the user is joined to a call other than `exceptCallId`. */
async function assertNotInAnotherCall(tx: Tx, userId: string, exceptCallId: string | null): Promise<void> {
  const rows = await tx.$queryRaw<{ one: number }[]>`
    SELECT 1 AS one FROM call_participants
    WHERE user_id = ${userId}::uuid AND state = 'joined' AND (${exceptCallId}::uuid IS NULL OR call_id <> ${exceptCallId}::uuid)`;
  if (rows.length > 0) throw alreadyInACall();
}

/** Whether a database error is a violation of the named unique index (raw queries report it inside P2010). */
function violates(error: unknown, index: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  return (isUniqueViolation(error) || error.code === 'P2010') && (error.message + JSON.stringify(error.meta ?? {})).includes(index);
}

/** "One joined call per person" lost a race on another instance: the same answer as the check. */
function mapJoinRace(error: unknown): never {
  if (violates(error, 'call_participants_one_joined')) throw alreadyInACall();
  throw error;
}

/** The same system transition (nobody's request: no visibility check) on each call, one at a time; the changed ones. */
async function changeEach(callIds: string[], transition: (snapshot: CallSnapshot) => CallSnapshot): Promise<CallChange[]> {
  const changes: CallChange[] = [];
  for (const id of callIds) changes.push(await changeCall(id, null, (_tx, snapshot) => transition(snapshot)));
  return changes.filter((c) => c.changed);
}

/**
 * Runs one transition on the locked call and writes it back. `transition` returns the snapshot unchanged
 * (the same object) when nothing changes.
 */
async function changeCall(
  callId: string,
  userId: string | null,
  transition: (tx: Tx, snapshot: CallSnapshot) => Promise<CallSnapshot> | CallSnapshot,
): Promise<CallChange> {
  try {
    return await getDb().$transaction(async (tx) => {
      const locked = await readSnapshot(tx, callId, true);
      const before = userId === null ? locked : await assertCallVisible(tx, locked, userId);
      if (!before) throw noSuchCall();
      const after = await transition(tx, before);
      if (after !== before) await writeSnapshot(tx, before, after);
      return {
        call: await toCallInfo(tx, after),
        ring: [],
        ended: before.call.state !== 'ended' && after.call.state === 'ended',
        changed: after !== before,
      };
    });
  } catch (error) {
    return mapJoinRace(error);
  }
}

// ── Operations ──

export interface StartCallInput {
  roomId: string;
  userId: string;
  socketId: string;
  kind: CallKind;
  invite?: string[];
  /** Which of these users have a tab connected anywhere (cross-instance lookup by the caller's instance). */
  whoIsOnline(userIds: string[]): Promise<Set<string>>;
  timings: CallTimings;
}

/**
 * call:start. A live call in the room is joined instead (glare: both sides calling at once meet in one
 * call). Refusals in the documented order: room, rate limit, whom to ring, already in a call.
 */
export async function startCall(input: StartCallInput): Promise<CallChange> {
  const access = await getRoomAccess({ roomId: input.roomId, userId: input.userId });
  if (!access.isMember) throw new AppError('FORBIDDEN', 'You are not a member of this room.');
  await requirePoster({ roomId: input.roomId, userId: input.userId }); // not archived, not muted (§4.13)
  const points = getEnv().RATE_LIMIT_CALLS_PER_MINUTE;
  await consumeAttempt(sharedLimiter(callPolicy(points)), input.userId, 'calls');

  const memberIds = (
    await getDb().$queryRaw<{ userId: string }[]>`
      SELECT user_id::text AS "userId" FROM memberships WHERE room_id = ${input.roomId} ORDER BY joined_at, user_id`
  ).map((m) => m.userId);
  const callees = chooseCallees({ kind: access.kind, memberIds, callerId: input.userId, invite: input.invite });

  const live = await findLiveCallId(getDb(), input.roomId);
  if (live) return acceptCall({ ...input, callId: live });
  const online = await input.whoIsOnline(callees);

  let outcome: CallChange | { join: string };
  try {
    outcome = await getDb().$transaction(async (tx) => {
      // One start at a time per room: a second caller (glare) must see the first one's call, not find the
      // first caller joined to it and ring them as busy.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`call-room:${input.roomId}`}, 0))`;
      const raced = await findLiveCallId(tx, input.roomId);
      if (raced) return { join: raced };
      await assertNotInAnotherCall(tx, input.userId, null);
      const busyRows = await tx.$queryRaw<{ userId: string }[]>`
        SELECT user_id::text AS "userId" FROM call_participants WHERE user_id = ANY (${callees}::uuid[]) AND state = 'joined'`;
      const busy = new Set(busyRows.map((r) => r.userId));
      const snapshot = newCall({
        id: uuidv7(),
        roomId: input.roomId,
        roomKind: access.kind,
        kind: input.kind,
        callerId: input.userId,
        socketId: input.socketId,
        callees: callees.map((userId) => ({ userId, busy: busy.has(userId), online: online.has(userId) })),
        now: new Date(),
        ringMs: input.timings.ringMs,
      });
      await writeSnapshot(tx, null, snapshot);
      return {
        call: await toCallInfo(tx, snapshot),
        ring: snapshot.participants.filter((p) => p.state === 'invited').map((p) => p.userId),
        ended: snapshot.call.state === 'ended',
        changed: true,
        heldBy: input.socketId,
      };
    });
  } catch (error) {
    return mapJoinRace(error);
  }
  // Someone else's call started in this room meanwhile (glare across instances): join that one.
  return 'join' in outcome ? acceptCall({ ...input, callId: outcome.join }) : outcome;
}

async function findLiveCallId(tx: Tx, roomId: string): Promise<string | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM calls WHERE room_id = ${roomId} AND state <> 'ended'`;
  return rows[0]?.id ?? null;
}

/** Whom a call rings (docs/protocol.md §4.12 "Starting"): INVALID_PAYLOAD on `invite` otherwise. */
export function chooseCallees(input: { kind: CallRecord['roomKind']; memberIds: string[]; callerId: string; invite?: string[] }): string[] {
  const others = input.memberIds.filter((id) => id !== input.callerId);
  const refuse = (message: string) => new AppError('INVALID_PAYLOAD', message, { issues: [{ path: 'invite', message }] });
  if (input.kind === 'direct') {
    if (input.invite) throw refuse('A direct conversation calls the other person: leave invite out.');
    if (others.length === 0) throw refuse('There is nobody else in this conversation to call.');
    return others;
  }
  if (!input.invite) {
    if (others.length === 0) throw refuse('There is nobody else in this room to call.');
    if (others.length > CALL_MAX_PARTICIPANTS - 1) {
      throw refuse(`This room has more than ${CALL_MAX_PARTICIPANTS} people: say whom to call (invite, at most ${CALL_MAX_PARTICIPANTS - 1}).`);
    }
    return others;
  }
  const invite = [...new Set(input.invite)];
  if (invite.length !== input.invite.length) throw refuse('invite lists someone twice.');
  if (invite.includes(input.callerId)) throw refuse('You cannot call yourself.');
  const members = new Set(others);
  if (invite.some((id) => !members.has(id))) throw refuse('Everyone invited must be a member of this room.');
  return invite;
}

/** call:accept (and joining a live call): this socket holds the user's place. */
export async function acceptCall(input: { callId: string; userId: string; socketId: string }): Promise<CallChange> {
  const change = await changeCall(input.callId, input.userId, async (tx, snapshot) => {
    const next = accept(snapshot, { userId: input.userId, socketId: input.socketId, now: new Date() });
    if (next !== snapshot) await assertNotInAnotherCall(tx, input.userId, input.callId);
    return next;
  });
  return { ...change, heldBy: input.socketId };
}

export function declineCall(input: { callId: string; userId: string }): Promise<CallChange> {
  return changeCall(input.callId, input.userId, (_tx, snapshot) => decline(snapshot, { userId: input.userId, now: new Date() }));
}

export function hangupCall(input: { callId: string; userId: string }): Promise<CallChange> {
  return changeCall(input.callId, input.userId, (_tx, snapshot) => hangup(snapshot, { userId: input.userId, now: new Date() }));
}

/**
 * Someone stopped being a member of a room (left it): their place in its live call goes with it, since
 * they may no longer see the call to hang up themselves.
 */
export async function leaveCallsOfRoom(input: { roomId: string; userId: string }): Promise<CallChange[]> {
  const rows = await getDb().$queryRaw<{ id: string }[]>`
    SELECT c.id::text FROM calls c JOIN call_participants p ON p.call_id = c.id AND p.user_id = ${input.userId}::uuid
    WHERE c.room_id = ${input.roomId} AND c.state <> 'ended' AND p.state IN ('joined', 'invited')`;
  return changeEach(
    rows.map((r) => r.id),
    (snapshot) => hangup(snapshot, { userId: input.userId, now: new Date() }),
  );
}

/**
 * call:resume from a new socket. `holderGone(socketId)` asks every instance whether the socket holding the
 * place still exists (a half-open connection the server has not noticed yet does; then CONFLICT, retry).
 */
export async function resumeCall(input: {
  callId: string;
  userId: string;
  socketId: string;
  timings: CallTimings;
  holderGone(socketId: string): Promise<boolean>;
}): Promise<CallChange> {
  // Asked before the transaction (a cross-instance lookup must not hold the row lock).
  const holder = await getDb().$queryRaw<{ socketId: string | null; disconnectedAt: Date | null; seenAt: Date | null }[]>`
    SELECT socket_id AS "socketId", disconnected_at AS "disconnectedAt", seen_at AS "seenAt"
    FROM call_participants WHERE call_id = ${input.callId}::uuid AND user_id = ${input.userId}::uuid AND state = 'joined'`;
  const current = holder[0];
  let gone = false;
  if (current?.socketId && current.socketId !== input.socketId) {
    const silentFor = current.seenAt ? Date.now() - current.seenAt.getTime() : Infinity;
    gone = current.disconnectedAt !== null || silentFor >= input.timings.staleMs || (await input.holderGone(current.socketId));
  }
  const change = await changeCall(input.callId, input.userId, (_tx, snapshot) =>
    resume(snapshot, { userId: input.userId, socketId: input.socketId, holderGone: gone, now: new Date() }),
  );
  return { ...change, heldBy: input.socketId };
}

export function setCallMedia(input: { callId: string; userId: string; socketId: string; media: CallMedia }): Promise<CallChange> {
  return changeCall(input.callId, input.userId, (_tx, snapshot) => setMedia(snapshot, input));
}

/**
 * call:signal: may `userId` (from `socketId`) send to `to` in this call? Returns the socket holding `to`.
 * One indexed read; nothing is locked or written.
 */
export async function signalTarget(input: { callId: string; userId: string; socketId: string; to: string }): Promise<string> {
  const rows = await getDb().$queryRaw<
    { state: string; member: boolean; myState: string | null; mySocket: string | null; toState: string | null; toSocket: string | null }[]
  >`
    SELECT c.state,
           EXISTS (SELECT 1 FROM memberships m WHERE m.room_id = c.room_id AND m.user_id = ${input.userId}::uuid) AS member,
           me.state AS "myState", me.socket_id AS "mySocket", t.state AS "toState", t.socket_id AS "toSocket"
    FROM calls c
    LEFT JOIN call_participants me ON me.call_id = c.id AND me.user_id = ${input.userId}::uuid
    LEFT JOIN call_participants t ON t.call_id = c.id AND t.user_id = ${input.to}::uuid
    WHERE c.id = ${input.callId}::uuid`;
  const row = rows[0];
  if (!row?.member) throw noSuchCall();
  if (row.state === 'ended') throw new AppError('CONFLICT', 'The call has ended.');
  if (row.myState !== 'joined' || row.mySocket !== input.socketId) throw new AppError('CONFLICT', 'You are not in this call (from this tab).');
  if (input.to === input.userId || row.toState !== 'joined' || !row.toSocket) {
    const message = input.to === input.userId ? 'You cannot signal yourself.' : 'They are not in this call.';
    throw new AppError('CONFLICT', message, { issues: [{ path: 'to', message }] });
  }
  return row.toSocket;
}

/** The live calls of the user's rooms (call:list), newest first. */
export async function listLiveCalls(input: { userId: string }): Promise<CallInfo[]> {
  const db = getDb();
  const ids = await db.$queryRaw<{ id: string }[]>`
    SELECT c.id::text FROM calls c JOIN memberships m ON m.room_id = c.room_id AND m.user_id = ${input.userId}::uuid
    WHERE c.state <> 'ended' ORDER BY c.created_at DESC LIMIT 50`;
  const calls: CallInfo[] = [];
  for (const { id } of ids) {
    const snapshot = await readSnapshot(db, id, false);
    if (snapshot) calls.push(await toCallInfo(db, snapshot));
  }
  return calls;
}

/** The sockets that held call places and disconnected: their participants are reconnecting. */
export async function markSocketDisconnected(socketId: string, graceMs: number): Promise<CallChange[]> {
  const rows = await getDb().$queryRaw<{ callId: string }[]>`
    SELECT call_id::text AS "callId" FROM call_participants WHERE socket_id = ${socketId} AND state = 'joined'`;
  return changeEach(
    rows.map((r) => r.callId),
    (snapshot) => disconnected(snapshot, { socketId, now: new Date(), graceMs }),
  );
}

/** This instance still has these sockets: their participants are alive (a dead instance stops saying so). */
export async function touchCallSockets(socketIds: string[]): Promise<void> {
  if (socketIds.length === 0) return;
  await getDb().$executeRaw`
    UPDATE call_participants SET seen_at = now() WHERE state = 'joined' AND socket_id = ANY (${socketIds}::text[])`;
}

/**
 * Time passing, for every live call that has something due: ring deadlines, reconnect graces, silent
 * instances. Any instance may run it; the row lock makes each change happen once.
 */
export async function expireCalls(timings: CallTimings): Promise<CallChange[]> {
  const staleSeconds = timings.staleMs / 1000;
  const due = await getDb().$queryRaw<{ id: string }[]>`
    SELECT c.id::text FROM calls c
    WHERE c.state <> 'ended' AND (
      (c.ring_until <= now() AND (c.state = 'ringing' OR EXISTS (
        SELECT 1 FROM call_participants p WHERE p.call_id = c.id AND p.state = 'invited')))
      OR EXISTS (
        SELECT 1 FROM call_participants p WHERE p.call_id = c.id AND p.state = 'joined'
          AND (p.reconnect_until <= now()
               OR p.seen_at <= now() - make_interval(secs => ${staleSeconds}))))`;
  return changeEach(
    due.map((r) => r.id),
    (snapshot) => expire(snapshot, { now: new Date(), staleMs: timings.staleMs }),
  );
}

/**
 * Writes an ended call's entry in its room, once (the call's id is the entry's clientId, so a second
 * writer gets the same message back as a duplicate). Returns the stored message, or null when there is
 * nothing to write (not ended, or written already and recorded).
 */
export async function writeCallEntry(callId: string): Promise<StoredMessage | null> {
  const db = getDb();
  const snapshot = await readSnapshot(db, callId, false);
  if (!snapshot || snapshot.call.state !== 'ended') return null;
  const done = await db.$queryRaw<{ entrySeq: number | null }[]>`SELECT entry_seq AS "entrySeq" FROM calls WHERE id = ${callId}::uuid`;
  if (done[0]?.entrySeq != null) return null;
  const entry: CallEntry = { callId, ...entryOf(snapshot) };
  const stored = await createMessage({ roomId: snapshot.call.roomId, authorId: snapshot.call.callerId, clientId: callId, body: '', call: entry });
  await db.$executeRaw`UPDATE calls SET entry_seq = ${stored.message.seq} WHERE id = ${callId}::uuid`;
  return stored;
}

/** Ended calls whose entry is not written yet (an instance died or the database failed in between). */
export async function listCallsMissingEntries(olderThanMs: number): Promise<string[]> {
  const rows = await getDb().$queryRaw<{ id: string }[]>`
    SELECT id::text FROM calls
    WHERE state = 'ended' AND entry_seq IS NULL AND ended_at <= now() - make_interval(secs => ${olderThanMs / 1000})
    ORDER BY ended_at LIMIT 100`;
  return rows.map((r) => r.id);
}
