/**
 * The authorization matrix's rows for running a community (docs/protocol.md §4.13 roles, moderation,
 * settings, archive, invitations; §4.14 groups; §4.15 accounts and instance administration), each cell's
 * expected outcome read off the protocol's role table.
 */
import { createTestUser, signInAs } from './realtime';
import { getDb } from '../db';
import { roleRank, type MemberRole } from '../schemas/room';
import {
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
} from './authz-world';

export interface RowTools {
  world(): World;
  /** A REST call as the actor (JSON content type on every write; `headers` override). */
  http(creds: ActorCredentials, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ outcome: Outcome; text: string }>;
  /** A signed-in user of its own for the actor, for rows that change the account (anonymous and dead sessions stay as they are). */
  throwawayFor(creds: ActorCredentials): Promise<ActorCredentials & { password?: string }>;
  /** A small PNG (avatar uploads). */
  image(): Buffer;
}


const UNAUTHORIZED = 401;

/**
 * A §4.13 act in a public or private room, for `least` and higher roles (and instance admins when the
 * table gives it to them). Conversations have none of it: 403 for their members, 404 for everyone else
 * (to whom they do not exist).
 */
function roomAct(least: MemberRole, ok: Outcome, options: { instanceAdmin?: boolean } = {}) {
  return (actor: Actor, kind: MatrixKind): Outcome => {
    if (!hasSession(actor)) return UNAUTHORIZED;
    if (isConversation(kind)) return canRead(actor, kind) ? 403 : 404;
    if (options.instanceAdmin && actor === 'instanceAdmin') return ok;
    return roleRank(roleIn(actor, kind)) >= roleRank(least) ? ok : 403;
  };
}

const signedIn = (ok: Outcome) => (actor: Actor): Outcome => (hasSession(actor) ? ok : UNAUTHORIZED);
const instanceAdminOnly = (ok: Outcome) => (actor: Actor): Outcome => (!hasSession(actor) ? UNAUTHORIZED : actor === 'instanceAdmin' ? ok : 403);

/** A fresh user made a moderator of the room (in the database: see authz-world.ts), signed in. */
async function roomModerator(room: MatrixRoom): Promise<ActorCredentials> {
  const user = await createTestUser();
  await getDb().membership.create({ data: { roomId: room.id, userId: user.id, role: 'moderator' } });
  const { cookie, sessionId } = await signInAs(user);
  return { actor: 'moderator', user, cookie, sessionId };
}

export function communityRows(t: RowTools): Row[] {
  const w = () => t.world();
  const write = (creds: ActorCredentials, method: string, path: string, body?: unknown) =>
    t.http(creds, method, path, body, { 'content-type': 'application/json' });

  /** An invitation link to the room, made by a moderator of its own (not an actor): its id and token. */
  async function inviteOf(room: MatrixRoom): Promise<{ id: string; token: string }> {
    const creator = await roomModerator(room);
    const made = await write(creator, 'POST', `/api/rooms/${room.id}/invites`, {});
    if (made.outcome !== 201) throw new Error(`could not create an invitation: ${String(made.outcome)} ${made.text}`);
    const created = JSON.parse(made.text) as { invite: { id: string }; token: string };
    return { id: created.invite.id, token: created.token };
  }
  const previewTokens = new Map<string, Promise<string>>();

  return [
    {
      name: 'PUT /api/rooms/[roomId]/archive',
      perRoom: true,
      fresh: true,
      run: ({ creds, room }) => write(creds, 'PUT', `/api/rooms/${room.id}/archive`),
      expected: roomAct('admin', 200, { instanceAdmin: true }),
    },
    {
      // Restoring: the fresh room is archived first (set directly: archiving has its own row).
      name: 'DELETE /api/rooms/[roomId]/archive',
      perRoom: true,
      fresh: true,
      run: async ({ creds, room, kind }) => {
        if (!isConversation(kind)) await getDb().room.update({ where: { id: room.id }, data: { archivedAt: new Date() } });
        return write(creds, 'DELETE', `/api/rooms/${room.id}/archive`);
      },
      expected: roomAct('admin', 200, { instanceAdmin: true }),
    },
    {
      name: 'POST /api/rooms/[roomId]/transfer',
      perRoom: true,
      fresh: true,
      run: ({ creds, room }) => write(creds, 'POST', `/api/rooms/${room.id}/transfer`, { userId: w().target.id }),
      expected: roomAct('owner', 200),
    },
    {
      // Adding people: any member of a public room or a group, moderators and up in a private room; never a direct room.
      name: 'POST /api/rooms/[roomId]/members',
      perRoom: true,
      fresh: true,
      run: ({ creds, room }) => write(creds, 'POST', `/api/rooms/${room.id}/members`, { userIds: [w().bystander.id] }),
      expected: (actor, kind) => {
        if (!hasSession(actor)) return UNAUTHORIZED;
        if (kind === 'group') return canRead(actor, kind) ? 200 : 404;
        if (kind === 'direct') return canRead(actor, kind) ? 403 : 404;
        if (kind === 'public') return canRead(actor, kind) ? 200 : 403;
        return roleRank(roleIn(actor, kind)) >= roleRank('moderator') ? 200 : 403;
      },
    },
    {
      // Kick the target, a plain member (lower than every role that may kick).
      name: 'DELETE /api/rooms/[roomId]/members/[userId]',
      perRoom: true,
      fresh: true,
      run: ({ creds, room }) => write(creds, 'DELETE', `/api/rooms/${room.id}/members/${w().target.id}`),
      expected: roomAct('moderator', 204),
    },
    {
      name: 'PUT /api/rooms/[roomId]/members/[userId]/role',
      perRoom: true,
      fresh: true,
      run: ({ creds, room }) => write(creds, 'PUT', `/api/rooms/${room.id}/members/${w().target.id}/role`, { role: 'moderator' }),
      expected: roomAct('admin', 200),
    },
    {
      name: 'PUT /api/rooms/[roomId]/members/[userId]/mute',
      perRoom: true,
      fresh: true,
      run: ({ creds, room }) => write(creds, 'PUT', `/api/rooms/${room.id}/members/${w().target.id}/mute`, { durationSeconds: 60 }),
      expected: roomAct('moderator', 200),
    },
    {
      // Unmute the muted member (their own cell: acting on themselves, 403 like any member's).
      name: 'DELETE /api/rooms/[roomId]/members/[userId]/mute',
      perRoom: true,
      fresh: true,
      run: ({ creds, room }) => write(creds, 'DELETE', `/api/rooms/${room.id}/members/${w().muted.id}/mute`),
      expected: roomAct('moderator', 200),
    },
    {
      name: 'GET /api/rooms/[roomId]/bans',
      perRoom: true,
      run: ({ creds, room }) => t.http(creds, 'GET', `/api/rooms/${room.id}/bans`),
      expected: roomAct('moderator', 200),
    },
    {
      name: 'PUT /api/rooms/[roomId]/bans/[userId]',
      perRoom: true,
      fresh: true,
      run: ({ creds, room }) => write(creds, 'PUT', `/api/rooms/${room.id}/bans/${w().target.id}`, { reason: 'matrix' }),
      expected: roomAct('moderator', 200),
    },
    {
      // Unban the banned actor (their own cell: not a member, 403).
      name: 'DELETE /api/rooms/[roomId]/bans/[userId]',
      perRoom: true,
      fresh: true,
      run: ({ creds, room }) => write(creds, 'DELETE', `/api/rooms/${room.id}/bans/${w().banned.id}`),
      expected: roomAct('moderator', 204),
    },
    {
      name: 'GET /api/rooms/[roomId]/invites',
      perRoom: true,
      run: ({ creds, room }) => t.http(creds, 'GET', `/api/rooms/${room.id}/invites`),
      expected: roomAct('moderator', 200),
    },
    {
      name: 'POST /api/rooms/[roomId]/invites',
      perRoom: true,
      run: ({ creds, room }) => write(creds, 'POST', `/api/rooms/${room.id}/invites`, { maxUses: 1 }),
      expected: roomAct('moderator', 201),
    },
    {
      // Revoking someone else's link (a moderator of the room made it): admins and the owner only; 403 for the
      // room's other members, 404 for anyone outside the room (§4.13).
      name: 'DELETE /api/invites/[token]',
      perRoom: true,
      kinds: ['public', 'private'],
      fresh: true,
      run: async ({ creds, room }) => write(creds, 'DELETE', `/api/invites/${(await inviteOf(room)).id}`),
      expected: (actor, kind) => {
        if (!hasSession(actor)) return UNAUTHORIZED;
        if (!canRead(actor, kind)) return 404;
        return roleRank(roleIn(actor, kind)) >= roleRank('admin') ? 204 : 403;
      },
    },
    {
      // The preview needs no session: everyone gets it, and nothing of the content (the leak check).
      name: 'GET /api/invites/[token]',
      perRoom: true,
      kinds: ['public', 'private'],
      run: async ({ creds, room }) => {
        let token = previewTokens.get(room.id);
        if (!token) previewTokens.set(room.id, (token = inviteOf(room).then((i) => i.token)));
        return t.http(creds, 'GET', `/api/invites/${await token}`);
      },
      expected: () => 200,
    },
    {
      name: 'POST /api/invites/[token]/accept',
      perRoom: true,
      kinds: ['public', 'private'],
      fresh: true,
      run: async ({ creds, room }) => {
        const answer = await write(creds, 'POST', `/api/invites/${(await inviteOf(room)).token}/accept`);
        if (answer.outcome !== 200) return answer;
        return { outcome: (JSON.parse(answer.text) as { joined: boolean }).joined ? 'joined' : 'already a member', text: answer.text };
      },
      expected: (actor, kind) => {
        if (!hasSession(actor)) return UNAUTHORIZED;
        if (actor === 'banned') return 403;
        return canRead(actor, kind) ? 'already a member' : 'joined';
      },
    },
    {
      name: 'POST /api/groups',
      perRoom: false,
      run: ({ creds }) => write(creds, 'POST', '/api/groups', { userIds: [w().bystander.id, w().filler.id] }),
      expected: signedIn(201),
    },
  ];
}

/** §4.15: registration modes and instance administration (the account routes' rows are with the REST rows). */
export function adminRows(t: RowTools): Row[] {
  const w = () => t.world();
  const write = (creds: ActorCredentials, method: string, path: string, body?: unknown) =>
    t.http(creds, method, path, body, { 'content-type': 'application/json' });
  const row = (name: string, cells: Omit<Row, 'name'>): Row => ({ name, ...cells });
  /** Someone for the admin acts to act on (never an actor, never an admin). */
  const someone = async () => (await createTestUser()).id;

  return [
    row('GET /api/register', { perRoom: false, run: ({ creds }) => t.http(creds, 'GET', '/api/register'), expected: () => 200 }),
    row('GET /api/admin/users', { perRoom: false, run: ({ creds }) => t.http(creds, 'GET', '/api/admin/users?limit=5'), expected: instanceAdminOnly(200) }),
    row('PUT /api/admin/users/[userId]/disabled', {
      perRoom: false,
      run: async ({ creds }) => write(creds, 'PUT', `/api/admin/users/${await someone()}/disabled`),
      expected: instanceAdminOnly(200),
    }),
    row('DELETE /api/admin/users/[userId]/disabled', {
      perRoom: false,
      run: async ({ creds }) => write(creds, 'DELETE', `/api/admin/users/${await someone()}/disabled`),
      expected: instanceAdminOnly(200),
    }),
    row('POST /api/admin/users/[userId]/password', {
      perRoom: false,
      run: async ({ creds }) => write(creds, 'POST', `/api/admin/users/${await someone()}/password`),
      expected: instanceAdminOnly(200),
    }),
    row('GET /api/admin/rooms', { perRoom: false, run: ({ creds }) => t.http(creds, 'GET', '/api/admin/rooms?limit=5'), expected: instanceAdminOnly(200) }),
    row('GET /api/admin/audit', { perRoom: false, run: ({ creds }) => t.http(creds, 'GET', '/api/admin/audit?limit=5'), expected: instanceAdminOnly(200) }),
    row('GET /api/admin/settings', { perRoom: false, run: ({ creds }) => t.http(creds, 'GET', '/api/admin/settings'), expected: instanceAdminOnly(200) }),
    row('PATCH /api/admin/settings', {
      perRoom: false,
      run: ({ creds }) => write(creds, 'PATCH', '/api/admin/settings', { registrationMode: 'open' }),
      expected: instanceAdminOnly(200),
    }),
    row('GET /api/admin/invites', { perRoom: false, run: ({ creds }) => t.http(creds, 'GET', '/api/admin/invites'), expected: instanceAdminOnly(200) }),
    row('POST /api/admin/invites', {
      perRoom: false,
      run: ({ creds }) => write(creds, 'POST', '/api/admin/invites', { maxUses: 1 }),
      expected: instanceAdminOnly(201),
    }),
    row('DELETE /api/invites/[token] (sign-up invitation)', {
      // Revoking a sign-up invitation (made by the instance admin): instance admins only.
      perRoom: false,
      run: async ({ creds }) => {
        const made = await write(w().actors.instanceAdmin, 'POST', '/api/admin/invites', { maxUses: 1 });
        if (made.outcome !== 201) return { outcome: `could not create: ${String(made.outcome)}`, text: made.text };
        return write(creds, 'DELETE', `/api/invites/${(JSON.parse(made.text) as { invite: { id: string } }).invite.id}`);
      },
      expected: instanceAdminOnly(204),
    }),
  ];
}
