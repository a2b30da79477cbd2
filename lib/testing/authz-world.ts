/**
 * The people and rooms of the authorization matrix (lib/authorization-matrix.int.test.ts): one user per
 * actor role, signed in for real (a session row each), and rooms of every kind in which those users
 * hold exactly their role, each with a secret message that only its readers may ever see.
 *
 * Roles, mutes and bans in the public and private rooms are written straight into the database: the
 * matrix makes a fresh room for every cell that changes membership (hundreds of them), and doing it
 * through the moderation routes would spend the owner's moderation budget (§7: 60 acts a minute, fixed)
 * many times over. What those routes do is what the matrix rows and the community tests check.
 */
import { randomUUID } from 'node:crypto';
import { createMessage } from '../data/messages';
import { createRoom, leaveRoom, startDirect, startGroup } from '../data/rooms';
import { revokeAllSessions } from '../data/sessions';
import { getDb } from '../db';
import type { MemberRole, RoomKind } from '../schemas/room';
import type { PublicUser } from '../schemas/user';
import { createTestUser, signInAs, uniqueName } from './realtime';

export const ACTORS = [
  'anonymous',
  'outsider',
  'member',
  'owner',
  'exMember',
  'deletedUser',
  'revokedSession',
  'moderator',
  'admin',
  'banned',
  'muted',
  'instanceAdmin',
  'disabled',
] as const;
export type Actor = (typeof ACTORS)[number];
export const ROOM_KINDS = ['public', 'private', 'direct', 'group'] as const;
export type MatrixKind = (typeof ROOM_KINDS)[number];

export type TestUser = PublicUser & { password: string };

export interface ActorCredentials {
  actor: Actor;
  /** The user behind the actor (none for anonymous; a deleted one for deletedUser). */
  user: TestUser | null;
  /** Session cookie, or undefined for anonymous. */
  cookie: string | undefined;
  sessionId: string | undefined;
}

export interface MatrixRoom {
  id: string;
  kind: RoomKind;
  name: string;
  /** The body of a message in the room: must never reach anyone who may not read it. */
  secret: string;
  password?: string;
}

export const ROOM_PASSWORD = 'matrix room password';

export interface World {
  actors: Record<Actor, ActorCredentials>;
  /** Users with a role in every room: the owner starts direct rooms and groups, the member is their peer. */
  owner: TestUser;
  member: TestUser;
  exMember: TestUser;
  moderator: TestUser;
  admin: TestUser;
  muted: TestUser;
  banned: TestUser;
  /** A plain member of every public and private room, never an actor: whom the acts on people act on. */
  target: TestUser;
  /** The group's third person (a group has at least three), never an actor. */
  filler: TestUser;
  /** Someone who is never an actor: targets for "another user's" things. */
  bystander: TestUser;
  bystanderSessionId: string;
  shared: Record<MatrixKind, MatrixRoom>;
  /** A fresh public, private or group room with the same cast (for rows that change membership or delete). */
  freshRoom(kind: 'public' | 'private' | 'group'): Promise<MatrixRoom>;
}

export function secretMarker(kind: RoomKind): string {
  return `secret-${kind}-${randomUUID()}`;
}

const THIRTY_DAYS = 30 * 24 * 3600 * 1000;

export async function buildWorld(): Promise<World> {
  // A few at a time: registration hashes passwords in a bounded queue (503 when too many wait).
  const users: TestUser[] = [];
  while (users.length < 15) users.push(...(await Promise.all(Array.from({ length: Math.min(4, 15 - users.length) }, () => createTestUser()))));
  const [owner, member, exMember, outsider, deleted, revoked, bystander, moderator, admin, banned, muted, instanceAdmin, disabled, target, filler] = users as [
    TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser, TestUser,
  ];
  const db = getDb();
  // The first account of an instance is its administrator (§4.15): on a fresh test database that may be
  // one of these. Only the instanceAdmin actor is one (is_admin set directly, as the brief of §4.15 allows).
  await db.user.updateMany({ where: { id: { in: users.map((u) => u.id) } }, data: { isAdmin: false } });
  await db.user.update({ where: { id: instanceAdmin.id }, data: { isAdmin: true } });

  const sign = async (actor: Actor, user: TestUser | null): Promise<ActorCredentials> => {
    if (!user) return { actor, user, cookie: undefined, sessionId: undefined };
    const { cookie, sessionId } = await signInAs(user);
    return { actor, user, cookie, sessionId };
  };
  const actors: Record<Actor, ActorCredentials> = {
    anonymous: await sign('anonymous', null),
    outsider: await sign('outsider', outsider),
    member: await sign('member', member),
    owner: await sign('owner', owner),
    exMember: await sign('exMember', exMember),
    deletedUser: await sign('deletedUser', deleted),
    revokedSession: await sign('revokedSession', revoked),
    moderator: await sign('moderator', moderator),
    admin: await sign('admin', admin),
    banned: await sign('banned', banned),
    muted: await sign('muted', muted),
    instanceAdmin: await sign('instanceAdmin', instanceAdmin),
    disabled: await sign('disabled', disabled),
  };
  await db.user.delete({ where: { id: deleted.id } });
  await revokeAllSessions({ userId: revoked.id });
  // Disabled with the session row left in place: the 401 must come from the account check itself.
  await db.user.update({ where: { id: disabled.id }, data: { disabledAt: new Date() } });
  const bystanderSession = await signInAs(bystander);

  async function castRoom(kind: 'public' | 'private'): Promise<MatrixRoom> {
    const password = kind === 'private' ? ROOM_PASSWORD : undefined;
    const data = kind === 'private' ? { kind, name: uniqueName('mx'), description: '', password: ROOM_PASSWORD } : { kind, name: uniqueName('mx'), description: '' };
    const room = await createRoom({ ownerId: owner.id, data, ip: null });
    const roles: [TestUser, MemberRole, Date | null][] = [
      [member, 'member', null],
      [moderator, 'moderator', null],
      [admin, 'admin', null],
      [muted, 'member', new Date(Date.now() + THIRTY_DAYS)],
      [target, 'member', null],
      [exMember, 'member', null],
      [banned, 'member', null],
    ];
    await db.membership.createMany({ data: roles.map(([user, role, mutedUntil]) => ({ roomId: room.id, userId: user.id, role, mutedUntil })) });
    // The ex-member left; the banned one was removed and banned (what a ban does to a member).
    await leaveRoom({ roomId: room.id, userId: exMember.id });
    await db.membership.delete({ where: { roomId_userId: { roomId: room.id, userId: banned.id } } });
    await db.roomBan.create({ data: { roomId: room.id, userId: banned.id, bannedBy: owner.id, reason: 'matrix' } });
    const secret = secretMarker(kind);
    await createMessage({ roomId: room.id, authorId: owner.id, clientId: randomUUID(), body: secret });
    return { id: room.id, kind, name: room.name, secret, password };
  }

  /** A group: the owner started it with the member, the filler and the ex-member, who then left. */
  async function castGroup(): Promise<MatrixRoom> {
    const { room } = await startGroup({ userId: owner.id, userIds: [member.id, filler.id, exMember.id], ip: null });
    await leaveRoom({ roomId: room.id, userId: exMember.id });
    const secret = secretMarker('group');
    await createMessage({ roomId: room.id, authorId: owner.id, clientId: randomUUID(), body: secret });
    return { id: room.id, kind: 'group', name: '', secret };
  }

  const direct = await startDirect({ userId: owner.id, peerId: member.id });
  const directSecret = secretMarker('direct');
  await createMessage({ roomId: direct.room.id, authorId: owner.id, clientId: randomUUID(), body: directSecret });

  return {
    actors,
    owner,
    member,
    exMember,
    moderator,
    admin,
    muted,
    banned,
    target,
    filler,
    bystander,
    bystanderSessionId: bystanderSession.sessionId,
    shared: {
      public: await castRoom('public'),
      private: await castRoom('private'),
      direct: { id: direct.room.id, kind: 'direct', name: '', secret: directSecret },
      group: await castGroup(),
    },
    freshRoom: (kind) => (kind === 'group' ? castGroup() : castRoom(kind)),
  };
}

/** Conversations (direct and group rooms, §4.14): private to their members, no roles. */
export function isConversation(kind: RoomKind): boolean {
  return kind === 'direct' || kind === 'group';
}

/** Whether an actor is a member of the world's room of that kind (and so may read it). */
export function canRead(actor: Actor, kind: RoomKind): boolean {
  if (isConversation(kind)) return actor === 'owner' || actor === 'member';
  return actor === 'owner' || actor === 'member' || actor === 'moderator' || actor === 'admin' || actor === 'muted';
}

/** The actor's role in the world's room of that kind (§4.13); everyone in a conversation is a member. */
export function roleIn(actor: Actor, kind: RoomKind): MemberRole | null {
  if (!canRead(actor, kind)) return null;
  if (isConversation(kind)) return 'member';
  if (actor === 'owner' || actor === 'admin' || actor === 'moderator') return actor;
  return 'member';
}

/** Actors without a live session: refused before anything else. */
export function hasSession(actor: Actor): boolean {
  return actor !== 'anonymous' && actor !== 'deletedUser' && actor !== 'revokedSession' && actor !== 'disabled';
}

// ── The matrix's rows (lib/authorization-matrix.int.test.ts and lib/testing/authz-community-rows.ts) ──

/** An HTTP status, or a socket outcome: 'ok' or an error code. */
export type Outcome = number | string;

export interface CellContext {
  actor: Actor;
  creds: ActorCredentials;
  room: MatrixRoom;
  kind: MatrixKind;
}

export interface Row {
  /** `METHOD /api/pattern` for REST; `socket <namespace> <event>` for sockets. */
  name: string;
  /** Room-scoped rows run for every room kind (or `kinds`); the others once per actor. */
  perRoom: boolean;
  /** The room kinds a room-scoped row runs for (default: all). */
  kinds?: readonly MatrixKind[];
  /** Needs a room of its own per cell (it changes membership or deletes). */
  fresh?: boolean;
  run(cell: CellContext): Promise<{ outcome: Outcome; text: string }>;
  expected(actor: Actor, kind: MatrixKind): Outcome;
}
