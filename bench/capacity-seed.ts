/**
 * The `capacity` scenario's workspace, set-based (as bench/search-seed.ts): `population` users (one bcrypt
 * hash for all: nobody pays bcrypt at seeding; the model's real sign-ins use that password), the rooms and
 * memberships of capacity-model.ts buildWorkspace (a few large rooms, most small, direct conversations), some
 * history per room, and one session per user whose cookie is minted exactly as Auth.js would set it
 * (lib/testing/realtime.ts signInAs: a `sessions` row, the JWE naming it), in bulk.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { encode } from 'next-auth/jwt';
import pg from 'pg';
import { buildWorkspace, HISTORY, type Workspace } from './capacity-model';
import { prng, textGenerator } from './search-text';

export interface CapacitySeed {
  users: { id: string; username: string; cookie: string }[];
  rooms: { id: string; kind: 'public' | 'direct'; large: boolean; members: number }[];
  workspace: Workspace;
  password: string;
  memberships: number;
  historyMessages: number;
  seconds: number;
}

const BATCH = 10_000;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const roomId = () => Array.from(randomBytes(10), (b) => ALPHABET[b % 62]).join('');

async function inBatches<T>(rows: T[], insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let at = 0; at < rows.length; at += BATCH) await insert(rows.slice(at, at + BATCH));
}

export async function seedCapacity(options: { url: string; population: number; authSecret: string; seed: number; log: (m: string) => void }): Promise<CapacitySeed> {
  const t0 = performance.now();
  const random = prng(options.seed);
  const workspace = buildWorkspace(options.population, random);
  const { hashPassword } = await import('../lib/password');
  const password = randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password);
  const client = new pg.Client({ connectionString: options.url });
  await client.connect();
  try {
    const users = Array.from({ length: options.population }, (_, i) => ({ id: randomUUID(), username: `cap${i}`, cookie: '' }));
    await inBatches(users, (b) =>
      client.query(
        `INSERT INTO users (id, username, display_name, password_hash)
         SELECT id, username, 'Capacity ' || username, $3 FROM unnest($1::uuid[], $2::text[]) AS t(id, username)`,
        [b.map((u) => u.id), b.map((u) => u.username), passwordHash],
      ),
    );
    const rooms = workspace.rooms.map((r, i) => ({ id: roomId(), kind: r.kind, large: r.large, members: r.members.length, index: i }));
    const live = rooms.filter((r) => r.members > 0);
    await inBatches(live, (b) =>
      client.query(
        `INSERT INTO rooms (id, name, name_key, direct_key, description, kind, owner_id)
         SELECT id, name, name_key, direct_key, '', kind::room_kind, owner_id
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[]) AS t(id, name, name_key, direct_key, kind, owner_id)`,
        [
          b.map((r) => r.id),
          b.map((r) => (r.kind === 'direct' ? '' : `${r.large ? 'all' : 'team'}-${r.index}`)),
          b.map((r) => (r.kind === 'direct' ? null : `${r.large ? 'all' : 'team'}-${r.index}`)),
          b.map((r) => {
            if (r.kind !== 'direct') return null;
            const [a, c] = workspace.rooms[r.index]!.members.map((m) => users[m]!.id).sort();
            return `${a}:${c}`;
          }),
          b.map((r) => r.kind),
          b.map((r) => users[workspace.rooms[r.index]!.members[0]!]!.id),
        ],
      ),
    );
    const memberships = workspace.rooms.flatMap((r, i) =>
      r.members.map((m, k) => ({ roomId: rooms[i]!.id, userId: users[m]!.id, role: k === 0 && r.kind !== 'direct' ? 'owner' : 'member' })),
    );
    await inBatches(memberships, (b) =>
      client.query(
        `INSERT INTO memberships (room_id, user_id, role) SELECT room_id, user_id, role::member_role FROM unnest($1::text[], $2::uuid[], $3::text[]) AS t(room_id, user_id, role)`,
        [b.map((m) => m.roomId), b.map((m) => m.userId), b.map((m) => m.role)],
      ),
    );
    // History: realistic text, authors among the members; every member has read it all.
    const text = textGenerator(options.seed);
    const history: { roomId: string; seq: number; authorId: string; body: string }[] = [];
    const lastSeq = new Map<string, number>();
    workspace.rooms.forEach((r, i) => {
      const n = r.kind === 'direct' ? HISTORY.direct : r.large ? HISTORY.large : HISTORY.small;
      if (r.members.length === 0) return;
      for (let s = 1; s <= n; s += 1) history.push({ roomId: rooms[i]!.id, seq: s, authorId: users[r.members[Math.floor(random() * r.members.length)]!]!.id, body: text.message() });
      lastSeq.set(rooms[i]!.id, n);
    });
    await inBatches(history, (b) =>
      client.query(
        `INSERT INTO messages (room_id, seq, author_id, client_id, body)
         SELECT room_id, seq, author_id, gen_random_uuid(), body FROM unnest($1::text[], $2::int[], $3::uuid[], $4::text[]) AS t(room_id, seq, author_id, body)`,
        [b.map((m) => m.roomId), b.map((m) => m.seq), b.map((m) => m.authorId), b.map((m) => m.body)],
      ),
    );
    await client.query(
      `UPDATE rooms r SET last_seq = t.n FROM unnest($1::text[], $2::int[]) AS t(id, n) WHERE r.id = t.id`,
      [[...lastSeq.keys()], [...lastSeq.values()]],
    );
    await client.query(`UPDATE memberships m SET last_read_seq = r.last_seq, last_delivered_seq = r.last_seq FROM rooms r WHERE r.id = m.room_id`);
    // One session per user, as a sign-in makes it (lib/data/sessions.ts createSession), and its cookie.
    const sessionIds = users.map(() => randomUUID());
    await inBatches(
      users.map((u, i) => ({ id: sessionIds[i]!, userId: u.id })),
      (b) =>
        client.query(
          `INSERT INTO sessions (id, user_id, expires_at, ip, user_agent)
           SELECT id, user_id, now() + interval '14 days', '127.0.0.1', 'parley-bench-capacity' FROM unnest($1::uuid[], $2::uuid[]) AS t(id, user_id)`,
          [b.map((s) => s.id), b.map((s) => s.userId)],
        ),
    );
    for (let i = 0; i < users.length; i += 1) {
      const u = users[i]!;
      const token = await encode({
        token: { sub: u.id, name: `Capacity ${u.username}`, username: u.username, sid: sessionIds[i] },
        secret: options.authSecret,
        salt: 'authjs.session-token',
      });
      u.cookie = `authjs.session-token=${token}`;
    }
    await client.query('VACUUM ANALYZE');
    await client.query('CHECKPOINT');
    return {
      users,
      rooms: rooms.map(({ id, kind, large, members }) => ({ id, kind, large, members })),
      workspace,
      password,
      memberships: memberships.length,
      historyMessages: history.length,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
  } finally {
    await client.end();
  }
}
