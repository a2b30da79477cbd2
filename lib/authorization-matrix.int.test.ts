/**
 * The authorization matrix: every REST route under app/api (found on disk) and every client→server
 * socket event (read from lib/realtime/events.ts) × every actor (anonymous, outsider, member, owner,
 * ex-member, deleted user, revoked session, and since issue 14 moderator, admin, banned, muted, instance
 * admin, disabled account) × every room kind (public, private, direct, group), with the outcome each cell
 * must have — for the §4.13 roles as the protocol's role table gives them. The rows of §4.13–§4.15's new
 * routes are in lib/testing/authz-community-rows.ts (the account routes' rows are here, with the other REST
 * rows; a row there is skipped while its route is missing). A route or event without a row fails the coverage test, so a new endpoint cannot
 * ship unexamined. Besides the status or ack code, every cell checks that nothing of a room's content
 * (its secret message) reaches an actor who may not read it, and outsiders' open sockets are watched for
 * any event that mentions a room they cannot see.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hangupCall, listLiveCalls } from './data/calls';
import { getDb } from './db';
import { createMessage } from './data/messages';
import { createRoom } from './data/rooms';
import type { Ack } from './errors';
import type { Attachment } from './schemas/attachment';
import type { CallInfo, CallJoined } from './schemas/call';
import type { ChatMessage } from './schemas/message';
import { dispatch, loadApiRoutes, type ApiRoute } from './testing/api-router';
import { adminRows, communityRows, type RowTools } from './testing/authz-community-rows';
import {
  ACTORS,
  ROOM_KINDS,
  buildWorld,
  canRead,
  hasSession,
  isConversation,
  roleIn,
  type Actor,
  type ActorCredentials,
  type MatrixKind,
  type MatrixRoom,
  type Outcome,
  type Row,
  type World,
} from './testing/authz-world';
import { hasState, openTab, waitForUpdate } from './testing/calls';
import { connectClient, createTestUser, eventually, signInAs, startTestRealtime, uniqueName, waitForConnect, type TestRealtime } from './testing/realtime';
import { png } from './testing/file-fixtures';
import { mainClientEvents, roomClientEvents } from './testing/socket-events';
import { getFile, ownDataDir, upload, uploadOk } from './testing/uploads';

// The matrix gives its owner a fresh room for every cell that changes membership: lift the room
// creation limits, which have tests of their own (app/api/rooms/room-limits*.int.test.ts).
vi.stubEnv('RATE_LIMIT_ROOMS_PER_HOUR', '100000');
vi.stubEnv('MAX_ROOMS_PER_USER', '100000');
// Cells upload files of their own (the member's unsent uploads, one per cell); the limit has its own tests.
vi.stubEnv('RATE_LIMIT_UPLOADS_PER_MINUTE', '100000');
// The owner starts a call for every call row's cell; the call:start limit has tests of its own (lib/realtime/calls.int.test.ts).
vi.stubEnv('RATE_LIMIT_CALLS_PER_MINUTE', '100000');
vi.stubEnv('DATA_DIR', ownDataDir());
// Every cell of the groups row and every fresh group starts a conversation; the budget has tests of its own.
vi.stubEnv('RATE_LIMIT_DIRECTS_PER_HOUR', '100000');

type RoomKind = MatrixKind;

/** Actors whose open sockets are watched for anything about rooms they cannot read. */
const WATCHERS = ['outsider', 'exMember', 'banned', 'instanceAdmin'] as const;

let server: TestRealtime;
let world: World;
let routes: ApiRoute[];
/**
 * Everything the outsider's, ex-member's, banned user's and instance admin's open sockets received during the whole run: their main
 * sockets, and a room namespace each of a room of their own (`where: '/r'`), which hears every message
 * event of that room and must hear nothing of any other.
 */
const observed: { actor: Actor; where: '/' | '/r'; event: string; payload: string }[] = [];
const watchers: Socket[] = [];
/** The watchers' own rooms. */
const watcherRooms = new Set<string>();
/** An image the owner sent in each shared room (its name and caption are the room's secret). */
const sharedFiles = {} as Record<RoomKind, Attachment>;
let image: Buffer;

beforeAll(async () => {
  [server, world, routes] = await Promise.all([startTestRealtime({ sessionSweepMs: 60_000 }), buildWorld(), loadApiRoutes()]);
  server.handleRequestsHere();
  image = await png(40, 30);
  for (const kind of ROOM_KINDS) sharedFiles[kind] = await shareFile(world.actors.owner, world.shared[kind], `${world.shared[kind].secret}.png`);
  for (const actor of WATCHERS) {
    const { cookie, user } = world.actors[actor];
    const own = await createRoom({ ownerId: user!.id, data: { kind: 'public', name: uniqueName('own'), description: '' }, ip: null });
    watcherRooms.add(own.id);
    for (const where of ['/', '/r'] as const) {
      const socket = connectClient(server.url, { cookie, namespace: where === '/' ? '/' : `/r/${own.id}` });
      socket.onAny((event: string, payload: unknown) => observed.push({ actor, where, event, payload: JSON.stringify(payload) }));
      await waitForConnect(socket);
      watchers.push(socket);
      if (where === '/r') {
        // Their own change, which they do hear: the watch would see a message:updated.
        const sent = (await socket.timeout(5_000).emitWithAck('message:send', { clientId: randomUUID(), body: 'mine' })) as Ack<ChatMessage>;
        if (!sent.ok) throw new Error(sent.error.message);
        await socket.timeout(5_000).emitWithAck('message:edit', { seq: sent.data.seq, clientId: randomUUID(), body: 'mine, edited' });
      }
    }
  }
}, 120_000);

afterAll(async () => {
  for (const socket of watchers) socket.close();
  await server?.close();
});

// ── How a cell talks to the server ──

async function http(creds: ActorCredentials, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ outcome: Outcome; text: string }> {
  const init: RequestInit = {
    method,
    headers: {
      'x-parley-client-ip': `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
      ...(creds.cookie ? { cookie: creds.cookie } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
  };
  const response = await dispatch(routes, new Request(`http://localhost${path}`, init));
  return { outcome: response.status, text: await response.text() };
}

function ackOutcome(ack: unknown): Outcome {
  const a = ack as Ack<unknown>;
  return a.ok ? 'ok' : a.error.code;
}

/** Opens a namespace as the actor: the connect error's code, or the work's outcome once connected. */
async function withSocket(
  creds: ActorCredentials,
  namespace: string,
  work: (socket: Socket) => Promise<{ outcome: Outcome; text: string }>,
): Promise<{ outcome: Outcome; text: string }> {
  const socket = connectClient(server.url, { cookie: creds.cookie, namespace });
  const received: string[] = [];
  socket.onAny((event: string, payload: unknown) => received.push(`${event} ${JSON.stringify(payload)}`));
  try {
    await waitForConnect(socket);
  } catch (error) {
    socket.close();
    const data = (error as { data?: { code?: string } }).data;
    return { outcome: data?.code ?? 'connect failed', text: String((error as Error).message) };
  }
  try {
    const result = await work(socket);
    // Give what the server sends on connect (room:ready, replay) a moment to arrive: it is checked for leaks.
    await new Promise((r) => setTimeout(r, 0));
    return { outcome: result.outcome, text: `${result.text}\n${received.join('\n')}` };
  } finally {
    socket.close();
  }
}

async function emit(socket: Socket, event: string, ...args: unknown[]): Promise<{ outcome: Outcome; text: string }> {
  const ack: unknown = await socket.timeout(5_000).emitWithAck(event, ...args);
  return { outcome: ackOutcome(ack), text: JSON.stringify(ack) };
}

/**
 * The file routes are not Next routes (server.ts serves them as plain Node handlers, as startTestRealtime
 * does): over HTTP to the test server. The text holds the answer's headers too: a file's name travels in
 * Content-Disposition.
 */
async function fileHttp(creds: ActorCredentials, method: 'GET' | 'HEAD', path: string): Promise<{ outcome: Outcome; text: string }> {
  const answer = await getFile(server.url, creds.cookie, path, { method });
  return { outcome: answer.status, text: `${JSON.stringify(answer.headers)}\n${answer.body.toString('latin1')}` };
}

/** Uploads an image as `creds` into the room and sends it in a message there (captioned with the room's secret). */
async function shareFile(creds: ActorCredentials, room: MatrixRoom, name: string): Promise<Attachment> {
  const attachment = await uploadOk(server.url, creds.cookie!, room.id, image, { name });
  const socket = connectClient(server.url, { cookie: creds.cookie, namespace: `/r/${room.id}` });
  try {
    await waitForConnect(socket);
    const ack = (await socket.timeout(10_000).emitWithAck('message:send', { clientId: randomUUID(), body: room.secret, attachments: [attachment.id] })) as Ack<ChatMessage>;
    if (!ack.ok) throw new Error(`could not send a file: ${ack.error.code} ${ack.error.message}`);
    return ack.data.attachments[0]!;
  } finally {
    socket.close();
  }
}

/** An unsent upload of the member's in the room, named after the room's secret. */
function membersUpload(room: MatrixRoom): Promise<Attachment> {
  return uploadOk(server.url, world.actors.member.cookie!, room.id, image, { name: `${room.secret}-draft.png` });
}

/** A signed-in user of its own, for global rows that change the account (the shared actors must stay intact). */
/** A bystander with a picture, made once (GET /api/users/[userId]/avatar). */
let picturedUser: Promise<{ id: string; avatar: string }> | undefined;
function pictured(): Promise<{ id: string; avatar: string }> {
  picturedUser ??= (async () => {
    const user = await createTestUser();
    const { cookie } = await signInAs(user);
    const answer = await http({ actor: 'outsider', user, cookie, sessionId: undefined }, 'PUT', '/api/account/avatar', new Uint8Array(image), {
      'content-type': 'application/octet-stream',
    });
    return { id: user.id, avatar: (JSON.parse(answer.text) as { user: { avatar: string } }).user.avatar };
  })();
  return picturedUser;
}

async function throwawayFor(creds: ActorCredentials): Promise<ActorCredentials & { password?: string }> {
  if (!hasSession(creds.actor)) return creds;
  const user = await createTestUser();
  const { cookie, sessionId } = await signInAs(user);
  return { actor: creds.actor, user, cookie, sessionId, password: user.password };
}

/**
 * A ringing call for one cell of a call row (docs/protocol.md §4.12): the owner calls from a tab of their own
 * while the member has one open (so the member is rung; in rooms other than direct ones the call invites the
 * member alone, as a room of more than four members requires, §4.12). `ownerDropped`: the owner's tab has gone since, so
 * their place waits for a resume. Afterwards whatever is left of the call is ended: the direct room serves
 * every cell, and a room has one live call at a time.
 */
async function withRingingCall(
  room: MatrixRoom,
  work: (callId: string) => Promise<{ outcome: Outcome; text: string }>,
  options: { ownerDropped?: boolean } = {},
): Promise<{ outcome: Outcome; text: string }> {
  const memberTab = await openTab(server.url, world.member, { cookie: world.actors.member.cookie });
  const ownerTab = await openTab(server.url, world.owner, { cookie: world.actors.owner.cookie });
  try {
    const invite = room.kind === 'direct' ? {} : { invite: [world.member.id] };
    const started = await ownerTab.emit<CallJoined>('call:start', { roomId: room.id, kind: 'audio', ...invite });
    if (!started.ok || started.data.call.state !== 'ringing') throw new Error(`could not start a call: ${JSON.stringify(started)}`);
    const callId = started.data.call.id;
    await eventually(() => memberTab.rings.length === 1);
    if (options.ownerDropped) {
      ownerTab.close();
      await waitForUpdate(memberTab, callId, hasState(world.owner.id, 'joined', { reconnecting: true }));
    }
    return await work(callId);
  } finally {
    memberTab.close();
    ownerTab.close();
    await endLiveCalls(room.id);
  }
}

/** Ends the room's live call, if any (through lib/data: setup, not what is being tested). */
async function endLiveCalls(roomId: string): Promise<void> {
  for (const call of await listLiveCalls({ userId: world.owner.id })) {
    if (call.roomId !== roomId) continue;
    for (const p of call.participants) {
      if (p.state === 'joined' || p.state === 'invited') await hangupCall({ callId: call.id, userId: p.user.id }).catch(() => undefined);
    }
  }
}

/** From the tab that takes part: answers the call first (whatever that says), then sends `event`. */
async function answeredThen(socket: Socket, callId: string, event: string, payload: Record<string, unknown>): Promise<{ outcome: Outcome; text: string }> {
  const accepted = await emit(socket, 'call:accept', { callId });
  const result = await emit(socket, event, payload);
  return { outcome: result.outcome, text: `${accepted.text}\n${result.text}` };
}

// ── Expected outcomes ──

const UNAUTHORIZED_HTTP = 401;
/** Members see it; for others a conversation does not exist, a public or private room is closed. */
function memberOnly(actor: Actor, kind: RoomKind, ok: Outcome = 200): Outcome {
  if (!hasSession(actor)) return UNAUTHORIZED_HTTP;
  if (canRead(actor, kind)) return ok;
  return isConversation(kind) ? 404 : 403;
}
function memberOnlySocket(actor: Actor, kind: RoomKind): Outcome {
  if (!hasSession(actor)) return 'UNAUTHORIZED';
  if (canRead(actor, kind)) return 'ok';
  return isConversation(kind) ? 'NOT_FOUND' : 'FORBIDDEN';
}
/** Opening a room namespace: members, and anyone but the banned for a public room (which joins it). */
function roomNamespaceOutcome(actor: Actor, kind: RoomKind): Outcome {
  if (hasSession(actor) && kind === 'public' && actor !== 'banned') return 'ok';
  return memberOnlySocket(actor, kind);
}
/** Posting (a message, a reply, a reaction): as opening the namespace, but a muted member is refused (§4.13). */
function postOutcome(actor: Actor, kind: RoomKind): Outcome {
  if (actor === 'muted' && canRead(actor, kind)) return 'FORBIDDEN';
  return roomNamespaceOutcome(actor, kind);
}
const signedIn = (ok: Outcome) => (actor: Actor) => (hasSession(actor) ? ok : UNAUTHORIZED_HTTP);
/**
 * Changing the member's message. Edit: its author only — not even the owner. Delete: its author, or a
 * moderator, admin or owner of a public or private room (a conversation has no roles). Others get in only
 * to a public room (which makes them members, §5.2) and are refused there too.
 */
function changeOfMembersMessage(change: 'edit' | 'delete') {
  return (actor: Actor, kind: RoomKind): Outcome => {
    if (!hasSession(actor)) return 'UNAUTHORIZED';
    if (actor === 'member') return 'ok';
    const role = roleIn(actor, kind);
    if (change === 'delete' && !isConversation(kind) && (role === 'moderator' || role === 'admin' || role === 'owner')) return 'ok';
    return roomNamespaceOutcome(actor, kind) === 'ok' ? 'FORBIDDEN' : roomNamespaceOutcome(actor, kind);
  };
}

/**
 * A call event about the owner's ringing call to the member: for everyone but the room's members the call
 * does not exist (NOT_FOUND, as for an unknown id); the member is rung (`member`), the owner is in it from
 * another tab (`owner`); the room's other members (`others`: moderator, admin, muted in a public or private
 * room) are not rung but may join a live call of a room that is not direct (§4.12).
 */
function callEvent(outcomes: { member: Outcome; owner: Outcome; others: Outcome }) {
  return (actor: Actor, kind: RoomKind): Outcome => {
    if (!hasSession(actor)) return 'UNAUTHORIZED';
    if (actor === 'member' || actor === 'owner') return outcomes[actor];
    if (canRead(actor, kind)) return outcomes.others;
    return 'NOT_FOUND';
  };
}

/** A message by the member in the room, carrying its secret (an answer to someone who may not read the room would leak it). */
async function membersMessage(room: MatrixRoom): Promise<number> {
  const { message } = await createMessage({ roomId: room.id, authorId: world.member.id, clientId: randomUUID(), body: `${room.secret} (the member's)` });
  return message.seq;
}

// ── The rows ──

const restRows: Row[] = [
  {
    name: 'POST /api/register',
    perRoom: false,
    run: ({ creds }) => {
      const username = uniqueName('reg');
      return http(creds, 'POST', '/api/register', { username, displayName: 'New', password: 'a fine password', confirmPassword: 'a fine password' });
    },
    expected: () => 201, // signing up needs no session, and having one changes nothing
  },
  { name: 'GET /api/rooms', perRoom: false, run: ({ creds }) => http(creds, 'GET', '/api/rooms'), expected: signedIn(200) },
  {
    // The directory lists public and private rooms by name only: no content, and never a direct room.
    name: 'GET /api/rooms/directory',
    perRoom: false,
    run: ({ creds }) => http(creds, 'GET', '/api/rooms/directory?limit=50'),
    expected: signedIn(200),
  },
  {
    name: 'POST /api/rooms',
    perRoom: false,
    run: ({ creds }) => http(creds, 'POST', '/api/rooms', { kind: 'public', name: uniqueName('new'), description: '' }),
    expected: signedIn(201),
  },
  { name: 'GET /api/rooms/[roomId]', perRoom: true, run: ({ creds, room }) => http(creds, 'GET', `/api/rooms/${room.id}`), expected: (a, k) => memberOnly(a, k) },
  {
    name: 'DELETE /api/rooms/[roomId]',
    perRoom: true,
    fresh: true,
    run: ({ creds, room }) => http(creds, 'DELETE', `/api/rooms/${room.id}`, undefined, { 'content-type': 'application/json' }),
    expected: (actor, kind) => {
      if (!hasSession(actor)) return 401;
      if (kind === 'direct') return canRead(actor, kind) ? 409 : 404; // a conversation cannot be deleted; to others it does not exist
      // A group is not deleted either (§4.14: the last one out deletes it) — 409 as for a direct room (§3;
      // the protocol does not name the group's answer); to others it does not exist.
      if (kind === 'group') return canRead(actor, kind) ? 409 : 404;
      return actor === 'owner' || actor === 'instanceAdmin' ? 204 : 403; // §4.13: the owner and instance admins
    },
  },
  {
    // Room settings (who may mention everyone): admins and the owner of a public or private room (§4.13).
    name: 'PATCH /api/rooms/[roomId]',
    perRoom: true,
    run: ({ creds, room }) => http(creds, 'PATCH', `/api/rooms/${room.id}`, { roomMentions: 'owner' }),
    expected: (actor, kind) => {
      if (!hasSession(actor)) return 401;
      if (isConversation(kind)) return canRead(actor, kind) ? 403 : 404; // a conversation has no settings; to others it does not exist
      return actor === 'owner' || actor === 'admin' ? 200 : 403;
    },
  },
  {
    name: 'PUT /api/rooms/[roomId]/notifications',
    perRoom: true,
    run: ({ creds, room }) => http(creds, 'PUT', `/api/rooms/${room.id}/notifications`, { level: 'mentions' }),
    expected: (a, k) => memberOnly(a, k),
  },
  {
    name: 'POST /api/rooms/[roomId]/join',
    perRoom: true,
    fresh: true,
    run: ({ creds, room }) => http(creds, 'POST', `/api/rooms/${room.id}/join`, {}),
    expected: (actor, kind) => {
      if (!hasSession(actor)) return 401;
      if (canRead(actor, kind)) return 200; // already a member: idempotent
      if (isConversation(kind)) return 404; // not for others
      if (actor === 'banned') return 403; // by no path (§4.13)
      if (kind === 'public') return 200;
      return 403; // private without the password
    },
  },
  {
    name: 'POST /api/rooms/[roomId]/leave',
    perRoom: true,
    fresh: true,
    run: ({ creds, room }) => http(creds, 'POST', `/api/rooms/${room.id}/leave`, {}),
    expected: (actor, kind) => {
      if (!hasSession(actor)) return 401;
      if (kind === 'direct') return canRead(actor, kind) ? 409 : 404;
      if (kind === 'group') return canRead(actor, kind) ? 200 : 404; // anyone leaves a group (§4.14)
      return actor === 'owner' ? 409 : 200; // leaving a room you are not in is a no-op
    },
  },
  {
    name: 'GET /api/rooms/[roomId]/members',
    perRoom: true,
    run: ({ creds, room }) => http(creds, 'GET', `/api/rooms/${room.id}/members`),
    expected: (a, k) => memberOnly(a, k),
  },
  {
    // Every way of reading history (pages, a jump, changes, a thread) answers the same.
    name: 'GET /api/rooms/[roomId]/messages',
    perRoom: true,
    run: async ({ creds, room }) => {
      const answers = await Promise.all(
        ['', '?after=0', '?around=1', '?changedAfter=0', '?thread=1'].map((query) => http(creds, 'GET', `/api/rooms/${room.id}/messages${query}`)),
      );
      const outcomes = new Set(answers.map((a) => a.outcome));
      return { outcome: outcomes.size === 1 ? answers[0]!.outcome : `mixed ${[...outcomes].join('/')}`, text: answers.map((a) => a.text).join('\n') };
    },
    expected: (a, k) => memberOnly(a, k),
  },
  { name: 'GET /api/users', perRoom: false, run: ({ creds }) => http(creds, 'GET', '/api/users?q=a'), expected: signedIn(200) },
  {
    // Searching for the room's secret text finds it exactly when the actor may read the room: members with
    // either scope; anyone signed in with scope=all in a public room (not joined: isMember false); never anyone
    // else's private room or conversation.
    name: 'GET /api/search',
    perRoom: true,
    run: async ({ creds, room }) => {
      const answers = await Promise.all(
        (['mine', 'all'] as const).map(async (scope) => {
          const answer = await http(creds, 'GET', `/api/search?${new URLSearchParams({ q: room.secret, scope, limit: '50' }).toString()}`);
          if (answer.outcome !== 200) return { ...answer, scope, found: null };
          const page = JSON.parse(answer.text) as { hits: { message: ChatMessage; room: { isMember: boolean } }[] };
          const hit = page.hits.find((h) => h.message.roomId === room.id && h.message.body === room.secret);
          return { ...answer, scope, found: hit ? (hit.room.isMember ? 'found' : 'found as non-member') : 'none' };
        }),
      );
      const statuses = new Set(answers.map((a) => a.outcome));
      const text = answers.map((a) => a.text).join('\n');
      if (statuses.size > 1) return { outcome: `mixed ${[...statuses].join('/')}`, text };
      if (answers[0]!.outcome !== 200) return { outcome: answers[0]!.outcome, text };
      return { outcome: answers.map((a) => `${a.scope}: ${a.found}`).join(', '), text };
    },
    expected: (actor, kind) => {
      if (!hasSession(actor)) return UNAUTHORIZED_HTTP;
      if (canRead(actor, kind)) return 'mine: found, all: found';
      // scope=all reads every public room for anyone signed in, but not one they are banned from.
      return kind === 'public' && actor !== 'banned' ? 'mine: none, all: found as non-member' : 'mine: none, all: none';
    },
  },
  // ── Files (docs/protocol.md §6) ──
  { name: 'GET /api/uploads', perRoom: false, run: ({ creds }) => http(creds, 'GET', '/api/uploads'), expected: signedIn(200) },
  {
    // The member's unsent upload: theirs alone to remove; for everyone else it does not exist.
    name: 'DELETE /api/uploads/[id]',
    perRoom: true,
    run: async ({ creds, room }) => {
      const { id } = await membersUpload(room);
      return http(creds, 'DELETE', `/api/uploads/${id}`, undefined, { 'content-type': 'application/json' });
    },
    expected: (actor) => (!hasSession(actor) ? 401 : actor === 'member' ? 204 : 404),
  },
  {
    name: 'GET /api/rooms/[roomId]/files',
    perRoom: true,
    run: ({ creds, room }) => http(creds, 'GET', `/api/rooms/${room.id}/files`),
    expected: (a, k) => memberOnly(a, k),
  },
  {
    name: 'POST /api/direct',
    perRoom: false,
    run: async ({ creds }) => http(creds, 'POST', '/api/direct', { userId: (await createTestUser()).id }),
    expected: signedIn(201),
  },
  {
    // The page-unload beacon: call:hangup over HTTP. The member is rung (hanging up declines), the owner is the
    // caller (it cancels); the room's other members are not in the call (409); to anyone else it does not exist.
    name: 'POST /api/calls/[callId]/hangup',
    perRoom: true,
    run: ({ creds, room }) => withRingingCall(room, (callId) => http(creds, 'POST', `/api/calls/${callId}/hangup`, {})),
    expected: (actor, kind) => (!hasSession(actor) ? 401 : actor === 'owner' || actor === 'member' ? 200 : canRead(actor, kind) ? 409 : 404),
  },
  { name: 'GET /api/health', perRoom: false, run: ({ creds }) => http(creds, 'GET', '/api/health'), expected: () => 200 },
  { name: 'GET /api/ready', perRoom: false, run: ({ creds }) => http(creds, 'GET', '/api/ready'), expected: () => 200 },
  // Metrics take a bearer token of their own, never a session; disabled (404) unless METRICS_TOKEN is set.
  { name: 'GET /api/metrics', perRoom: false, run: ({ creds }) => http(creds, 'GET', '/api/metrics'), expected: () => 404 },
  { name: 'GET /api/sessions', perRoom: false, run: ({ creds }) => http(creds, 'GET', '/api/sessions'), expected: signedIn(200) },
  {
    name: 'DELETE /api/sessions',
    perRoom: false,
    run: async ({ creds }) => http(await throwawayFor(creds), 'DELETE', '/api/sessions?except=current', undefined, { 'content-type': 'application/json' }),
    expected: signedIn(200),
  },
  {
    // Someone else's session: no such session, for everyone (no probing of ids).
    name: 'DELETE /api/sessions/[sessionId]',
    perRoom: false,
    run: ({ creds }) => http(creds, 'DELETE', `/api/sessions/${world.bystanderSessionId}`, undefined, { 'content-type': 'application/json' }),
    expected: signedIn(404),
  },
  {
    name: 'POST /api/account/password',
    perRoom: false,
    run: async ({ creds }) => {
      const own = await throwawayFor(creds);
      const current = own.password ?? 'whatever it was';
      return http(own, 'POST', '/api/account/password', { currentPassword: current, newPassword: 'a newer password', confirmPassword: 'a newer password' });
    },
    expected: signedIn(200),
  },
  // ── The account (docs/protocol.md §4.15): one's own, so every signed-in actor may; each cell acts on a throwaway account. ──
  { name: 'GET /api/account', perRoom: false, run: ({ creds }) => http(creds, 'GET', '/api/account'), expected: signedIn(200) },
  {
    name: 'PATCH /api/account',
    perRoom: false,
    run: async ({ creds }) => http(await throwawayFor(creds), 'PATCH', '/api/account', { displayName: 'Renamed' }),
    expected: signedIn(200),
  },
  {
    name: 'DELETE /api/account',
    perRoom: false,
    run: async ({ creds }) => {
      const own = await throwawayFor(creds);
      return http(own, 'DELETE', '/api/account', { password: own.password ?? 'whatever it was' });
    },
    expected: signedIn(204),
  },
  {
    name: 'PUT /api/account/avatar',
    perRoom: false,
    run: async ({ creds }) => {
      const own = await throwawayFor(creds);
      return http(own, 'PUT', '/api/account/avatar', new Uint8Array(image), { 'content-type': 'application/octet-stream' });
    },
    expected: signedIn(200),
  },
  {
    name: 'DELETE /api/account/avatar',
    perRoom: false,
    run: async ({ creds }) => http(await throwawayFor(creds), 'DELETE', '/api/account/avatar', undefined, { 'content-type': 'application/json' }),
    expected: signedIn(200),
  },
  {
    // Anyone signed in sees anyone's picture (as they see names).
    name: 'GET /api/users/[userId]/avatar',
    perRoom: false,
    run: async ({ creds }) => {
      const { id, avatar } = await pictured();
      return http(creds, 'GET', `/api/users/${id}/avatar?v=${avatar}`);
    },
    expected: signedIn(200),
  },
  {
    // Auth.js: the session endpoint answers for live sessions only (it used to re-issue any valid token).
    name: 'GET /api/auth/[...nextauth]',
    perRoom: false,
    run: async ({ creds }) => {
      const result = await http(creds, 'GET', '/api/auth/session');
      const body = JSON.parse(result.text) as { user?: { id: string } } | null;
      return { outcome: body?.user?.id === creds.user?.id && body?.user ? 'session' : 'none', text: result.text };
    },
    expected: (actor) => (hasSession(actor) ? 'session' : 'none'),
  },
  {
    // Auth.js sign-out ends the session server-side, whoever asks; a live session is gone afterwards.
    name: 'POST /api/auth/[...nextauth]',
    perRoom: false,
    run: async ({ creds }) => {
      const own = await throwawayFor(creds);
      const csrf = await dispatch(routes, new Request('http://localhost/api/auth/csrf'));
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const csrfCookie = csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const cookie = [csrfCookie, own.cookie].filter(Boolean).join('; ');
      await dispatch(
        routes,
        new Request('http://localhost/api/auth/signout', {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
          body: new URLSearchParams({ csrfToken }).toString(),
        }),
      );
      const after = own.cookie ? (await http(own, 'GET', '/api/rooms')).outcome : 401;
      return { outcome: hasSession(creds.actor) ? (after === 401 ? 'ended' : 'still valid') : 'none', text: '' };
    },
    expected: (actor) => (hasSession(actor) ? 'ended' : 'none'),
  },
];

const socketRows: Row[] = [
  // ── Main namespace ──
  {
    name: 'socket / connect',
    perRoom: false,
    run: ({ creds }) => withSocket(creds, '/', async () => ({ outcome: 'ok', text: '' })),
    expected: (actor) => (hasSession(actor) ? 'ok' : 'UNAUTHORIZED'),
  },
  {
    name: 'socket / session:ping',
    perRoom: false,
    run: ({ creds }) => withSocket(creds, '/', (s) => emit(s, 'session:ping')),
    expected: (actor) => (hasSession(actor) ? 'ok' : 'UNAUTHORIZED'),
  },
  {
    name: 'socket / presence:set',
    perRoom: false,
    run: ({ creds }) => withSocket(creds, '/', (s) => emit(s, 'presence:set', { status: 'away' })),
    expected: (actor) => (hasSession(actor) ? 'ok' : 'UNAUTHORIZED'),
  },
  {
    name: 'socket / presence:watch',
    perRoom: false,
    run: ({ creds }) => withSocket(creds, '/', (s) => emit(s, 'presence:watch', { userIds: [world.bystander.id] })),
    expected: (actor) => (hasSession(actor) ? 'ok' : 'UNAUTHORIZED'),
  },
  {
    name: 'socket / delivery:ack',
    perRoom: true,
    run: ({ creds, room }) => withSocket(creds, '/', (s) => emit(s, 'delivery:ack', { roomId: room.id, seq: 1 })),
    expected: (a, k) => memberOnlySocket(a, k),
  },
  {
    // A room read to be shown (the browser's in-place room switch): members only, as GET /api/rooms/:id.
    name: 'socket / room:load',
    perRoom: true,
    run: ({ creds, room }) => withSocket(creds, '/', (s) => emit(s, 'room:load', { roomId: room.id })),
    expected: (a, k) => memberOnlySocket(a, k),
  },
  {
    // The same offering the member list's current version (a right guess): the refusals do not change with it.
    name: 'socket / room:load with membersRev',
    perRoom: true,
    run: async ({ creds, room }) => {
      const { membersRev } = await getDb().room.findUniqueOrThrow({ where: { id: room.id }, select: { membersRev: true } });
      return withSocket(creds, '/', (s) => emit(s, 'room:load', { roomId: room.id, membersRev }));
    },
    expected: (a, k) => memberOnlySocket(a, k),
  },
  // ── Calls (docs/protocol.md §4.12), main namespace. Each cell ends its call: the shared rooms serve them all. ──
  {
    // Members call in their rooms; the other person has no tab open, so the call ends at once (unavailable): still ok.
    name: 'socket / call:start',
    perRoom: true,
    // In rooms other than direct ones, one other member is invited (a room of more than four requires it, §4.12).
    // A muted member may not start a call (§4.13).
    run: async ({ creds, room, actor }) => {
      const invite = room.kind === 'direct' ? {} : { invite: [actor === 'member' ? world.owner.id : world.member.id] };
      try {
        return await withSocket(creds, '/', (s) => emit(s, 'call:start', { roomId: room.id, kind: 'video', ...invite }));
      } finally {
        await endLiveCalls(room.id);
      }
    },
    expected: (a, k) => (a === 'muted' && canRead(a, k) ? 'FORBIDDEN' : memberOnlySocket(a, k)),
  },
  {
    name: 'socket / call:accept',
    perRoom: true,
    run: ({ creds, room }) => withRingingCall(room, (callId) => withSocket(creds, '/', (s) => emit(s, 'call:accept', { callId }))),
    expected: callEvent({ member: 'ok', owner: 'CONFLICT', others: 'ok' }), // the owner is in it from another tab; other members join
  },
  {
    name: 'socket / call:decline',
    perRoom: true,
    run: ({ creds, room }) => withRingingCall(room, (callId) => withSocket(creds, '/', (s) => emit(s, 'call:decline', { callId }))),
    expected: callEvent({ member: 'ok', owner: 'CONFLICT', others: 'CONFLICT' }), // it rings neither the caller nor the others
  },
  {
    name: 'socket / call:hangup',
    perRoom: true,
    run: ({ creds, room }) => withRingingCall(room, (callId) => withSocket(creds, '/', (s) => emit(s, 'call:hangup', { callId }))),
    expected: callEvent({ member: 'ok', owner: 'ok', others: 'CONFLICT' }), // from any tab: the member declines, the owner cancels; others are not in it
  },
  {
    // The owner's tab dropped: the owner takes the place back; the member, only rung, has none to resume.
    name: 'socket / call:resume',
    perRoom: true,
    run: ({ creds, room }) => withRingingCall(room, (callId) => withSocket(creds, '/', (s) => emit(s, 'call:resume', { callId })), { ownerDropped: true }),
    expected: callEvent({ member: 'CONFLICT', owner: 'ok', others: 'CONFLICT' }),
  },
  {
    name: 'socket / call:media',
    perRoom: true,
    run: ({ creds, room }) =>
      withRingingCall(room, (callId) => withSocket(creds, '/', (s) => answeredThen(s, callId, 'call:media', { callId, audio: true, video: false, screen: false }))),
    expected: callEvent({ member: 'ok', owner: 'CONFLICT', others: 'ok' }), // the owner's place is in the other tab; others joined by answering
  },
  {
    name: 'socket / call:signal',
    perRoom: true,
    run: ({ creds, room }) =>
      withRingingCall(room, (callId) => withSocket(creds, '/', (s) => answeredThen(s, callId, 'call:signal', { callId, to: world.owner.id, candidate: null }))),
    expected: callEvent({ member: 'ok', owner: 'CONFLICT', others: 'ok' }),
  },
  {
    // Lists the live calls of the rooms you are in: members see the room's call, nobody else does.
    name: 'socket / call:list',
    perRoom: true,
    run: ({ creds, room }) =>
      withRingingCall(room, (callId) =>
        withSocket(creds, '/', async (s) => {
          const ack = (await s.timeout(5_000).emitWithAck('call:list')) as Ack<{ calls: CallInfo[] }>;
          if (!ack.ok) return { outcome: ack.error.code, text: JSON.stringify(ack) };
          return { outcome: ack.data.calls.some((c) => c.id === callId) ? 'listed' : 'not listed', text: JSON.stringify(ack) };
        }),
      ),
    expected: (actor, kind) => (!hasSession(actor) ? 'UNAUTHORIZED' : canRead(actor, kind) ? 'listed' : 'not listed'),
  },
  // ── Room namespaces ──
  {
    name: 'socket /r connect',
    perRoom: true,
    fresh: true,
    run: ({ creds, room }) => withSocket(creds, `/r/${room.id}`, async () => ({ outcome: 'ok', text: '' })),
    expected: roomNamespaceOutcome,
  },
  {
    name: 'socket /r message:send',
    perRoom: true,
    fresh: true,
    run: ({ creds, room }) => withSocket(creds, `/r/${room.id}`, (s) => emit(s, 'message:send', { clientId: randomUUID(), body: 'hello' })),
    expected: postOutcome,
  },
  {
    name: 'socket /r typing:start',
    perRoom: true,
    fresh: true,
    run: ({ creds, room }) => withSocket(creds, `/r/${room.id}`, (s) => emit(s, 'typing:start')),
    expected: roomNamespaceOutcome,
  },
  {
    name: 'socket /r typing:stop',
    perRoom: true,
    fresh: true,
    run: ({ creds, room }) => withSocket(creds, `/r/${room.id}`, (s) => emit(s, 'typing:stop')),
    expected: roomNamespaceOutcome,
  },
  {
    name: 'socket /r message:edit',
    perRoom: true,
    fresh: true,
    run: async ({ creds, room }) => {
      const seq = await membersMessage(room);
      return withSocket(creds, `/r/${room.id}`, (s) => emit(s, 'message:edit', { seq, clientId: randomUUID(), body: 'edited' }));
    },
    expected: changeOfMembersMessage('edit'),
  },
  {
    name: 'socket /r message:delete',
    perRoom: true,
    fresh: true,
    run: async ({ creds, room }) => {
      const seq = await membersMessage(room);
      return withSocket(creds, `/r/${room.id}`, (s) => emit(s, 'message:delete', { seq }));
    },
    expected: changeOfMembersMessage('delete'),
  },
  ...(['reaction:add', 'reaction:remove'] as const).map(
    (event): Row => ({
      // Any member reacts (to anyone's message); opening a public room made you one. Muted: no new reactions,
      // but removing one is allowed (§4.13).
      name: `socket /r ${event}`,
      perRoom: true,
      fresh: true,
      run: async ({ creds, room }) => {
        const seq = await membersMessage(room);
        return withSocket(creds, `/r/${room.id}`, (s) => emit(s, event, { seq, emoji: '👍' }));
      },
      expected: event === 'reaction:add' ? postOutcome : roomNamespaceOutcome,
    }),
  ),
  {
    name: 'socket /r thread:mark',
    perRoom: true,
    fresh: true,
    run: async ({ creds, room }) => {
      const seq = await membersMessage(room);
      return withSocket(creds, `/r/${room.id}`, (s) => emit(s, 'thread:mark', { rootSeq: seq, seq }));
    },
    expected: roomNamespaceOutcome,
  },
  {
    // Thread replies and quote-replies of the member's message.
    name: 'socket /r message:send (reply)',
    perRoom: true,
    fresh: true,
    run: async ({ creds, room }) => {
      const seq = await membersMessage(room);
      return withSocket(creds, `/r/${room.id}`, async (s) => {
        const answers = [
          await emit(s, 'message:send', { clientId: randomUUID(), body: 'in the thread', threadRootSeq: seq }),
          await emit(s, 'message:send', { clientId: randomUUID(), body: 'quoting', replyToSeq: seq }),
        ];
        const outcomes = new Set(answers.map((a) => a.outcome));
        return { outcome: outcomes.size === 1 ? answers[0]!.outcome : `mixed ${[...outcomes].join('/')}`, text: answers.map((a) => a.text).join('\n') };
      });
    },
    expected: postOutcome,
  },
  {
    name: 'socket /r read:mark',
    perRoom: true,
    fresh: true,
    run: ({ creds, room }) => withSocket(creds, `/r/${room.id}`, (s) => emit(s, 'read:mark', { seq: 1 })),
    expected: roomNamespaceOutcome,
  },
];

/** Not a member (or no session): 404, the answer for a file that does not exist (§4.11 "Reading"). */
const onlyReaders = (ok: Outcome) => (actor: Actor, kind: RoomKind): Outcome => (canRead(actor, kind) ? ok : 404);

/** The routes server.ts serves beside Next (uploads and downloads, docs/protocol.md §6). */
const fileRows: Row[] = [
  {
    // Members upload into their rooms; a public room is joined over REST or its namespace first.
    name: 'POST /api/rooms/[roomId]/uploads',
    perRoom: true,
    run: async ({ creds, room }) => {
      const answer = await upload(server.url, creds.cookie, room.id, image, { name: 'matrix.png' });
      return { outcome: answer.status, text: answer.body.toString('utf8') };
    },
    expected: (actor, kind) => {
      if (!hasSession(actor)) return 401;
      if (actor === 'muted' && canRead(actor, kind)) return 403; // a muted member uploads nothing (§4.13)
      if (canRead(actor, kind)) return 201;
      return isConversation(kind) ? 404 : 403;
    },
  },
  ...(['GET', 'HEAD'] as const).flatMap((method): Row[] => [
    {
      name: `${method} /api/files/[id]`,
      perRoom: true,
      run: ({ creds, kind }) => fileHttp(creds, method, sharedFiles[kind].url),
      expected: onlyReaders(200),
    },
    {
      name: `${method} /api/files/[id]/thumbnail`,
      perRoom: true,
      run: ({ creds, kind }) => fileHttp(creds, method, sharedFiles[kind].thumbnail!.url),
      expected: onlyReaders(200),
    },
  ]),
  {
    // Before it is sent an upload is its uploader's alone, whoever else is in the room.
    name: 'GET /api/files/[id] (unsent upload)',
    perRoom: true,
    run: async ({ creds, room }) => {
      const draft = await membersUpload(room);
      const answers = [await fileHttp(creds, 'GET', draft.url), await fileHttp(creds, 'GET', draft.thumbnail!.url)];
      const outcomes = new Set(answers.map((a) => a.outcome));
      return { outcome: outcomes.size === 1 ? answers[0]!.outcome : `mixed ${[...outcomes].join('/')}`, text: answers.map((a) => a.text).join('\n') };
    },
    expected: (actor) => (actor === 'member' ? 200 : 404),
  },
  {
    // Attaching the member's upload: only the member may send it; to anyone else it does not exist.
    name: 'socket /r message:send (attachments)',
    perRoom: true,
    fresh: true,
    run: async ({ creds, room }) => {
      const draft = await membersUpload(room);
      return withSocket(creds, `/r/${room.id}`, (s) => emit(s, 'message:send', { clientId: randomUUID(), attachments: [draft.id] }));
    },
    expected: (actor, kind) => {
      if (!hasSession(actor)) return 'UNAUTHORIZED';
      if (actor === 'member') return 'ok';
      // A muted member may not post at all: refused as muted before any attachment is looked at.
      if (actor === 'muted' && canRead(actor, kind)) return 'FORBIDDEN';
      // Admitted (a member, or a public room joins them), or a conversation that is not theirs: not their upload.
      if (canRead(actor, kind) || isConversation(kind) || roomNamespaceOutcome(actor, kind) === 'ok') return 'NOT_FOUND';
      return 'FORBIDDEN';
    },
  },
];

const tools: RowTools = {
  world: () => world,
  http: (creds, method, path, body, headers) => http(creds, method, path, body, headers),
  throwawayFor,
  image: () => image,
};
/** The rows of §4.13–§4.14's routes (lib/testing/authz-community-rows.ts). */
const moderationRows = communityRows(tools);
/** §4.15's registration and instance-administration rows (lib/testing/authz-community-rows.ts). */
const accountAdminRows = adminRows(tools);

const rows: Row[] = [...restRows, ...moderationRows, ...socketRows, ...fileRows, ...accountAdminRows];

/** `GET /api/invites/[token] (variant)` → `GET /api/invites/[]`: routes compared whatever their params are called. */
function routeKey(name: string): string {
  return name.replace(/ \(.*\)$/, '').replace(/\[[^\]/]+\]/g, '[]');
}

/** Public rooms may be opened (and so read) by anyone signed in but the banned; the rest only by their members. */
function mayReadAfter(row: Row, actor: Actor, kind: RoomKind): boolean {
  if (canRead(actor, kind)) return true;
  return kind === 'public' && hasSession(actor) && actor !== 'banned' && (row.name.startsWith('socket /r') || row.name.endsWith('/join'));
}

/**
 * Search with scope=all reads every public room for anyone signed in (any public room's secret may turn up,
 * e.g. as a near match) — but not the ones they are banned from (the world's banned user is banned from all).
 */
function searchMayShow(row: Row, actor: Actor, other: MatrixRoom): boolean {
  return row.name === 'GET /api/search' && other.kind === 'public' && hasSession(actor) && actor !== 'banned';
}

describe('authorization matrix', () => {
  it('has a row for every REST route and every client→server socket event', async () => {
    const discovered = (await loadApiRoutes()).flatMap((route) => Object.keys(route.handlers).map((method) => `${method} ${route.pattern}`));
    const covered = new Set([...restRows, ...moderationRows, ...accountAdminRows].map((r) => routeKey(r.name)));
    expect(discovered.filter((route) => !covered.has(routeKey(route))), 'routes without a row').toEqual([]);
    // And every row names a route that exists.
    const found = new Set(discovered.map(routeKey));
    expect([...restRows, ...moderationRows, ...accountAdminRows].map((r) => r.name).filter((name) => !found.has(routeKey(name))), 'rows without a route').toEqual([]);
    const socketNames = new Set(socketRows.map((r) => r.name));
    for (const event of mainClientEvents()) expect(socketNames, `socket / ${event}`).toContain(`socket / ${event}`);
    for (const event of roomClientEvents()) expect(socketNames, `socket /r ${event}`).toContain(`socket /r ${event}`);
    // The routes served beside Next (docs/protocol.md §6), and the attachments of message:send.
    const fileNames = fileRows.map((r) => r.name);
    for (const name of [
      'POST /api/rooms/[roomId]/uploads',
      'GET /api/files/[id]',
      'HEAD /api/files/[id]',
      'GET /api/files/[id]/thumbnail',
      'HEAD /api/files/[id]/thumbnail',
      'socket /r message:send (attachments)',
    ]) {
      expect(fileNames).toContain(name);
    }
  });

  for (const row of rows) {
    it(row.name, async () => {
      const mismatches: string[] = [];
      const kinds = row.kinds ?? ROOM_KINDS;
      const cells = row.perRoom ? ACTORS.flatMap((actor) => kinds.map((kind) => ({ actor, kind }))) : ACTORS.map((actor) => ({ actor, kind: 'public' as RoomKind }));
      for (const { actor, kind } of cells) {
        const room = row.fresh && kind !== 'direct' ? await world.freshRoom(kind) : world.shared[kind];
        const { outcome, text } = await row.run({ actor, creds: world.actors[actor], room, kind });
        const expected = row.expected(actor, kind);
        const where = row.perRoom ? `${actor} × ${kind}` : actor;
        if (outcome !== expected) mismatches.push(`${where}: expected ${String(expected)}, got ${String(outcome)} ${text.slice(0, 200)}`);
        // Content: a room's secret never reaches someone who may not read it, on any path.
        for (const other of new Set([room, ...Object.values(world.shared)])) {
          const allowed = canRead(actor, other.kind) || (other.id === room.id && mayReadAfter(row, actor, kind)) || searchMayShow(row, actor, other);
          if (!allowed && text.includes(other.secret)) mismatches.push(`${where}: leaked the content of a ${other.kind} room`);
        }
        // A conversation does not exist for anyone but its people.
        for (const conversation of [world.shared.direct, world.shared.group]) {
          if (!canRead(actor, conversation.kind) && text.includes(conversation.id)) mismatches.push(`${where}: revealed the ${conversation.kind} room`);
        }
      }
      expect(mismatches).toEqual([]);
    }, 120_000);
  }

  it('outsiders’ open sockets never heard anything of rooms they cannot read', () => {
    const secrets = Object.values(world.shared).map((room) => room.secret);
    const hidden = [world.shared.direct.id, world.shared.group.id];
    const leaks = observed.filter(({ payload }) => secrets.some((s) => payload.includes(s)) || hidden.some((id) => payload.includes(id)));
    expect(leaks).toEqual([]);
    // Messages and changes of any room but their own never reached their room sockets (nor anyone's thread
    // positions: they marked none)…
    const roomEvents = observed.filter(({ where }) => where === '/r');
    const elsewhere = roomEvents.filter(({ event, payload }) =>
      event === 'message:new' || event === 'message:updated' ? !watcherRooms.has((JSON.parse(payload) as ChatMessage).roomId) : event === 'thread:read',
    );
    expect(elsewhere).toEqual([]);
    // …though they were listening: each heard their own message and its edit.
    for (const actor of WATCHERS) {
      expect(roomEvents.filter((o) => o.actor === actor).map((o) => o.event)).toEqual(expect.arrayContaining(['message:updated']));
    }
    expect(observed.filter(({ where }) => where === '/').length).toBeGreaterThan(0);
    // Nor any call: rung, told of, or signalled (calls happened in every kind of room, §4.12).
    expect(observed.filter(({ event }) => event.startsWith('call:'))).toEqual([]);
  });
});
