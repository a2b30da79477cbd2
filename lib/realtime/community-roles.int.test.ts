/**
 * Roles (docs/protocol.md §4.13): nobody acts on someone of an equal or higher role, nobody on themselves,
 * and each act on a person (kick, ban, mute, unmute, set role) is allowed exactly to the roles the table
 * names. Every cell is a real REST call by a real member; the outcome is the status the protocol documents
 * (204 kick, 200 ban/mute/unmute/role, 403 otherwise), and a refused act changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MemberRole, RoomMember } from '../schemas/room';
import {
  ban,
  castRoom,
  createRoomAs,
  errorCode,
  expectStatus,
  joinAs,
  kick,
  membersOf,
  mute,
  people,
  setRole,
  unmute,
  type Answer,
  type Person,
} from '../testing/community';
import { startTestRealtime, type TestRealtime } from '../testing/realtime';

// Every cell gets a room of its own (and its own owner): the room limits have tests of their own.
vi.stubEnv('RATE_LIMIT_ROOMS_PER_HOUR', '100000');
vi.stubEnv('MAX_ROOMS_PER_USER', '100000');

type Role = Exclude<MemberRole, never>;
const RANK: Record<Role, number> = { member: 1, moderator: 2, admin: 3, owner: 4 };

let server: TestRealtime;
/** The same six people play admin, moderator and member (two each) in every room; only owners are new. */
let cast: { admin: [Person, Person]; moderator: [Person, Person]; member: [Person, Person] };

beforeAll(async () => {
  server = await startTestRealtime();
  server.handleRequestsHere();
  const [a1, a2, m1, m2, u1, u2] = await people(6);
  cast = { admin: [a1!, a2!], moderator: [m1!, m2!], member: [u1!, u2!] };
  a1!.label = 'admin1';
  a2!.label = 'admin2';
  m1!.label = 'moderator1';
  m2!.label = 'moderator2';
  u1!.label = 'member1';
  u2!.label = 'member2';
}, 60_000);
afterAll(async () => {
  await server?.close();
});

/** A public room with a new owner and the shared cast in their roles. */
async function room(): Promise<{ roomId: string; owner: Person }> {
  const [owner] = await people(1, 'owner');
  owner!.label = 'owner';
  const created = await createRoomAs(owner!);
  for (const p of [...cast.admin, ...cast.moderator, ...cast.member]) expectStatus(await joinAs(p, created.id), 200, `${p.label} joins`);
  for (const p of cast.admin) expectStatus(await setRole(owner!, created.id, p, 'admin'), 200, `make ${p.label} admin`);
  for (const p of cast.moderator) expectStatus(await setRole(owner!, created.id, p, 'moderator'), 200, `make ${p.label} moderator`);
  return { roomId: created.id, owner: owner! };
}

interface Cell {
  actorRole: Role;
  targetRole: Role;
  self: boolean;
  actor: Person;
  target: Person;
}

/** The actor of `actorRole` and, for each target role, someone of that role who is not the actor (or the actor, for self). */
function cellsFor(actorRole: Role, owner: Person): Cell[] {
  const first = (role: Role): Person => (role === 'owner' ? owner : cast[role][0]);
  const peer = (role: Role): Person => (role === 'owner' ? owner : cast[role][1]);
  const actor = first(actorRole);
  // Owner last: a successful act on them would not be undone, but none may succeed.
  const targets: Role[] = ['member', 'moderator', 'admin', 'owner'];
  const cells: Cell[] = targets.map((targetRole) => {
    const target = targetRole === actorRole ? peer(targetRole) : first(targetRole);
    return { actorRole, targetRole, self: target === actor, actor, target };
  });
  cells.push({ actorRole, targetRole: actorRole, self: true, actor, target: actor });
  return cells;
}

/** Kick, ban, mute, unmute: moderators and up, over lower roles only, never themselves. */
const overLower = (c: Cell) => !c.self && RANK[c.actorRole] >= RANK.moderator && RANK[c.actorRole] > RANK[c.targetRole];

function describeCell(c: Cell): string {
  return `${c.actorRole} (${c.actor.label}) on ${c.self ? 'themselves' : `${c.targetRole} (${c.target.label})`}`;
}

async function roleOf(reader: Person, roomId: string, who: Person): Promise<{ role: Role | null; member: RoomMember | undefined }> {
  const member = (await membersOf(reader, roomId)).find((m) => m.user.id === who.user.id);
  return { role: member?.role ?? null, member };
}

/** Runs `act` for every actor role × target, each actor in a room of its own; returns the mismatches. */
async function table(
  act: (c: Cell, roomId: string) => Promise<Answer<unknown>>,
  expected: (c: Cell) => number,
  check: (c: Cell, roomId: string, owner: Person, allowed: boolean) => Promise<string | undefined>,
  prepare?: (roomId: string, owner: Person) => Promise<void>,
): Promise<string[]> {
  const mismatches: string[] = [];
  for (const actorRole of ['member', 'moderator', 'admin', 'owner'] as const) {
    const { roomId, owner } = await room();
    await prepare?.(roomId, owner);
    for (const c of cellsFor(actorRole, owner)) {
      const answer = await act(c, roomId);
      const want = expected(c);
      if (answer.status !== want) mismatches.push(`${describeCell(c)}: expected ${want}, got ${answer.status} ${answer.text.slice(0, 160)}`);
      else if (want === 403 && errorCode(answer) !== 'FORBIDDEN') mismatches.push(`${describeCell(c)}: 403 without code FORBIDDEN: ${answer.text.slice(0, 160)}`);
      const problem = await check(c, roomId, owner, want < 300);
      if (problem) mismatches.push(`${describeCell(c)}: ${problem}`);
    }
  }
  return mismatches;
}

describe('roles: who may act on whom (§4.13)', () => {
  it('kick: moderators and up, over lower roles, never themselves (204; refused: 403, still a member)', async () => {
    const mismatches = await table(
      (c, roomId) => kick(c.actor, roomId, c.target, 'role test'),
      (c) => (overLower(c) ? 204 : 403),
      async (c, roomId, owner, allowed) => {
        const { role } = await roleOf(owner, roomId, c.target);
        if (allowed && role !== null) return `kicked, but still a member (${role})`;
        if (!allowed && role !== c.targetRole) return `refused, but their role is now ${String(role)}`;
        return undefined;
      },
    );
    expect(mismatches).toEqual([]);
  });

  it('ban: moderators and up, over lower roles, never themselves (200; refused: 403, still a member)', async () => {
    const mismatches = await table(
      (c, roomId) => ban(c.actor, roomId, c.target, 'role test'),
      (c) => (overLower(c) ? 200 : 403),
      async (c, roomId, owner, allowed) => {
        const { role } = await roleOf(owner, roomId, c.target);
        if (allowed && role !== null) return `banned, but still a member (${role})`;
        if (!allowed && role !== c.targetRole) return `refused, but their role is now ${String(role)}`;
        return undefined;
      },
    );
    expect(mismatches).toEqual([]);
    // The people banned above are in other rooms: unbanning is its own test (community-bans).
  });

  it('mute: moderators and up, over lower roles, never themselves (200 {member} with mutedUntil; refused: 403, not muted)', async () => {
    const mismatches = await table(
      (c, roomId) => mute(c.actor, roomId, c.target, 600),
      (c) => (overLower(c) ? 200 : 403),
      async (c, roomId, owner, allowed) => {
        const { member } = await roleOf(owner, roomId, c.target);
        const muted = member?.mutedUntil !== null && member?.mutedUntil !== undefined;
        if (allowed !== muted) return `mutedUntil is ${String(member?.mutedUntil)} after a${allowed ? 'n allowed' : ' refused'} mute`;
        if (member?.role !== c.targetRole) return `a mute changed their role to ${String(member?.role)}`;
        return undefined;
      },
    );
    expect(mismatches).toEqual([]);
  });

  it('unmute: moderators and up, over lower roles, never themselves (200; refused: 403, still muted)', async () => {
    const mismatches = await table(
      (c, roomId) => unmute(c.actor, roomId, c.target),
      (c) => (overLower(c) ? 200 : 403),
      async (c, roomId, owner, allowed) => {
        if (c.targetRole === 'owner') return undefined; // nobody can mute the owner: nothing to check
        const { member } = await roleOf(owner, roomId, c.target);
        const muted = member?.mutedUntil !== null && member?.mutedUntil !== undefined;
        if (allowed && muted) return 'unmuted (200), but still muted';
        if (!allowed && !muted) return 'refused (403), but no longer muted';
        return undefined;
      },
      // The owner mutes everyone they may (both of each lower role) before the cells run.
      async (roomId, owner) => {
        for (const p of [...cast.admin, ...cast.moderator, ...cast.member]) expectStatus(await mute(owner, roomId, p, 3600), 200, `owner mutes ${p.label}`);
      },
    );
    expect(mismatches).toEqual([]);
  });

  it('set role: admins make moderators and members of lower roles; only the owner makes admins or demotes them', async () => {
    /** The role each target is moved to: the one the table is about for that target. */
    const newRole = (c: Cell): 'admin' | 'moderator' | 'member' => (c.targetRole === 'member' ? 'moderator' : 'member');
    const allowed = (c: Cell, role: 'admin' | 'moderator' | 'member') =>
      !c.self && RANK[c.actorRole] >= RANK.admin && RANK[c.actorRole] > RANK[c.targetRole] && (role !== 'admin' || c.actorRole === 'owner');
    const mismatches = await table(
      (c, roomId) => setRole(c.actor, roomId, c.target, newRole(c)),
      (c) => (allowed(c, newRole(c)) ? 200 : 403),
      async (c, roomId, owner, ok) => {
        const { role } = await roleOf(owner, roomId, c.target);
        const want = ok ? newRole(c) : c.targetRole;
        return role === want ? undefined : `role is ${String(role)}, expected ${want}`;
      },
    );
    expect(mismatches).toEqual([]);

    // Making someone admin: the owner only (an admin may not, even of a member).
    const { roomId, owner } = await room();
    const [, member2] = cast.member;
    const byAdmin = await setRole(cast.admin[0], roomId, member2, 'admin');
    expect(byAdmin.status, byAdmin.text).toBe(403);
    const byModerator = await setRole(cast.moderator[0], roomId, member2, 'moderator');
    expect(byModerator.status, byModerator.text).toBe(403);
    const byOwner = expectStatus(await setRole(owner, roomId, member2, 'admin'), 200, 'owner makes a member admin') as { member: RoomMember };
    expect(byOwner.member).toMatchObject({ user: { id: member2.user.id }, role: 'admin' });
    // 'owner' is not a role one sets (ownership is transferred): 422.
    const toOwner = await setRole(owner, roomId, cast.member[0], 'owner' as 'admin');
    expect(toOwner.status, toOwner.text).toBe(422);
  });

  it('a refused act on someone of an equal or higher role is 403 FORBIDDEN, whatever the act', async () => {
    const { roomId } = await room();
    const [admin1, admin2] = cast.admin;
    const answers = [
      await kick(admin1, roomId, admin2),
      await ban(admin1, roomId, admin2),
      await mute(admin1, roomId, admin2),
      await unmute(admin1, roomId, admin2),
      await setRole(admin1, roomId, admin2, 'moderator'),
    ];
    expect(answers.map((a) => [a.status, errorCode(a)])).toEqual(Array.from({ length: 5 }, () => [403, 'FORBIDDEN']));
  });

  it('a member of another room has no role here: moderators elsewhere cannot act in this room', async () => {
    const other = await castRoom({ moderators: 1, members: 1 });
    const { roomId } = await room();
    const answer = await kick(other.moderators[0]!, roomId, cast.member[0]);
    expect(answer.status, answer.text).toBe(403);
    expect((await roleOf(cast.member[0], roomId, cast.member[0])).role).toBe('member');
  });
});
