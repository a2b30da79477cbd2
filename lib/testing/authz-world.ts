/**
 * The people and rooms of the authorization matrix (lib/authorization-matrix.int.test.ts): one user per
 * actor role, signed in for real (a session row each), and rooms of every kind in which those users
 * hold exactly their role, each with a secret message that only its readers may ever see.
 */
import { randomUUID } from 'node:crypto';
import { createMessage } from '../data/messages';
import { createRoom, joinRoom, leaveRoom, startDirect } from '../data/rooms';
import { revokeAllSessions } from '../data/sessions';
import { getDb } from '../db';
import type { RoomKind } from '../schemas/room';
import type { PublicUser } from '../schemas/user';
import { createTestUser, signInAs, uniqueName } from './realtime';

export const ACTORS = ['anonymous', 'outsider', 'member', 'owner', 'exMember', 'deletedUser', 'revokedSession'] as const;
export type Actor = (typeof ACTORS)[number];
export const ROOM_KINDS = ['public', 'private', 'direct'] as const;

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
  /** Users with a role in every room: the owner starts direct rooms, the member is their peer. */
  owner: TestUser;
  member: TestUser;
  exMember: TestUser;
  /** Someone who is never an actor: targets for "another user's" things. */
  bystander: TestUser;
  bystanderSessionId: string;
  shared: Record<Exclude<RoomKind, 'group'>, MatrixRoom>;
  /** A fresh public or private room with the same cast (for rows that change membership or delete). */
  freshRoom(kind: 'public' | 'private'): Promise<MatrixRoom>;
}

export function secretMarker(kind: RoomKind): string {
  return `secret-${kind}-${randomUUID()}`;
}

export async function buildWorld(): Promise<World> {
  const [owner, member, exMember, outsider, deleted, revoked, bystander] = await Promise.all(
    Array.from({ length: 7 }, () => createTestUser()),
  );
  const sign = async (actor: Actor, user: TestUser | null): Promise<ActorCredentials> => {
    if (!user) return { actor, user, cookie: undefined, sessionId: undefined };
    const { cookie, sessionId } = await signInAs(user);
    return { actor, user, cookie, sessionId };
  };
  const actors: Record<Actor, ActorCredentials> = {
    anonymous: await sign('anonymous', null),
    outsider: await sign('outsider', outsider!),
    member: await sign('member', member!),
    owner: await sign('owner', owner!),
    exMember: await sign('exMember', exMember!),
    deletedUser: await sign('deletedUser', deleted!),
    revokedSession: await sign('revokedSession', revoked!),
  };
  await getDb().user.delete({ where: { id: deleted!.id } });
  await revokeAllSessions({ userId: revoked!.id });
  const bystanderSession = await signInAs(bystander!);

  async function castRoom(kind: 'public' | 'private'): Promise<MatrixRoom> {
    const password = kind === 'private' ? ROOM_PASSWORD : undefined;
    const data = kind === 'private' ? { kind, name: uniqueName('mx'), description: '', password: ROOM_PASSWORD } : { kind, name: uniqueName('mx'), description: '' };
    const room = await createRoom({ ownerId: owner!.id, data, ip: null });
    for (const user of [member!, exMember!]) await joinRoom({ roomId: room.id, userId: user.id, password, ip: null });
    await leaveRoom({ roomId: room.id, userId: exMember!.id });
    const secret = secretMarker(kind);
    await createMessage({ roomId: room.id, authorId: owner!.id, clientId: randomUUID(), body: secret });
    return { id: room.id, kind, name: room.name, secret, password };
  }

  const direct = await startDirect({ userId: owner!.id, peerId: member!.id });
  const directSecret = secretMarker('direct');
  await createMessage({ roomId: direct.room.id, authorId: owner!.id, clientId: randomUUID(), body: directSecret });

  return {
    actors,
    owner: owner!,
    member: member!,
    exMember: exMember!,
    bystander: bystander!,
    bystanderSessionId: bystanderSession.sessionId,
    shared: {
      public: await castRoom('public'),
      private: await castRoom('private'),
      direct: { id: direct.room.id, kind: 'direct', name: '', secret: directSecret },
    },
    freshRoom: castRoom,
  };
}

/** Whether an actor may read a room's content: its current members. */
export function canRead(actor: Actor): boolean {
  return actor === 'owner' || actor === 'member';
}

/** Actors without a live session: refused before anything else. */
export function hasSession(actor: Actor): boolean {
  return actor !== 'anonymous' && actor !== 'deletedUser' && actor !== 'revokedSession';
}
