/**
 * The account (docs/protocol.md §4.15 "Avatars", "Account", "Deleting an account"; §6 rows; §7 limits), through
 * the route handlers against a real PostgreSQL and real storage backends:
 *
 * - the account view and renaming (the new name on every path: history, member lists, user search, sessions);
 * - pictures: a real image made with sharp goes in, a 256 × 256 WebP with no metadata comes out, cached for a
 *   year under its version; replaced and removed pictures' bytes leave storage; what is not a picture, too big,
 *   too many pixels, or sent with the wrong content type is refused; uploads are rate-limited;
 * - deleting an account: every session ends (open sockets close), the row is anonymised ("Deleted user") on
 *   history, search and member lists, rooms pass to their successor or are deleted, calls, uploads and
 *   invitations go, the username is free again, and wrong passwords are limited.
 */
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as members from '@/app/api/rooms/[roomId]/members/route';
import * as messages from '@/app/api/rooms/[roomId]/messages/route';
import * as register from '@/app/api/register/route';
import * as users from '@/app/api/users/route';
import * as userAvatar from '@/app/api/users/[userId]/avatar/route';
import { uploadPolicy } from '@/lib/data/attachments';
import { createMessage } from '@/lib/data/messages';
import { createRoom, getRoomForUser, joinRoom, newRoomId, startDirect } from '@/lib/data/rooms';
import { searchMessages } from '@/lib/data/search';
import { validateSession } from '@/lib/data/sessions';
import { authenticate } from '@/lib/data/users';
import { getDb } from '@/lib/db';
import { crossOriginRefusal } from '@/lib/http/origin-guard';
import { sharedLimiter } from '@/lib/rate-limit';
import type { AccountView } from '@/lib/schemas/account';
import type { HistoryPage } from '@/lib/schemas/message';
import type { RoomMember } from '@/lib/schemas/room';
import type { PublicUser } from '@/lib/schemas/user';
import { jpegWithPrivateMetadata, png, pngBomb, randomBytes, svg, truncated } from '@/lib/testing/file-fixtures';
import {
  apiRequest,
  collect,
  createTestUser,
  eventually,
  openRoom,
  openSession,
  roomParams,
  signInAs,
  startTestRealtime,
  uniqueName,
  type TestRealtime,
} from '@/lib/testing/realtime';
import { collectFileGarbage, ownDataDir, uploadOk, useStorage, type Backend, type TestStorage } from '@/lib/testing/uploads';
import * as avatar from './avatar/route';
import * as account from './route';

vi.stubEnv('DATA_DIR', ownDataDir());
vi.stubEnv('RATE_LIMIT_UPLOADS_PER_MINUTE', '100000');
vi.stubEnv('RATE_LIMIT_ROOMS_PER_HOUR', '100000');
vi.stubEnv('RATE_LIMIT_DIRECTS_PER_HOUR', '100000');
vi.stubEnv('RATE_LIMIT_SIGNUPS_PER_IP', '100000');

let rt: TestRealtime;
const sockets: Socket[] = [];
beforeAll(async () => {
  rt = await startTestRealtime();
  rt.handleRequestsHere();
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await rt?.close();
});

async function body<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** PUT /api/account/avatar with raw bytes, as the settings page sends them. */
async function putAvatar(cookie: string, bytes: Buffer | null, headers: Record<string, string> = {}): Promise<Response> {
  return avatar.PUT(
    new Request('http://localhost/api/account/avatar', {
      method: 'PUT',
      headers: { cookie, 'content-type': 'application/octet-stream', 'x-parley-client-ip': '10.20.30.40', ...headers },
      body: bytes ? new Uint8Array(bytes) : null,
    }),
  );
}

async function getAvatar(cookie: string | null, userId: string, query = '', headers: Record<string, string> = {}): Promise<Response> {
  return userAvatar.GET(
    new Request(`http://localhost/api/users/${userId}/avatar${query}`, { headers: { ...(cookie ? { cookie } : {}), ...headers } }),
    { params: Promise.resolve({ userId }) },
  );
}

async function history(cookie: string, roomId: string): Promise<HistoryPage> {
  const response = await messages.GET(await apiRequest({ cookie }, 'GET', `/api/rooms/${roomId}/messages`), roomParams(roomId));
  expect(response.status).toBe(200);
  return body<HistoryPage>(response);
}

async function memberList(cookie: string, roomId: string): Promise<RoomMember[]> {
  const response = await members.GET(await apiRequest({ cookie }, 'GET', `/api/rooms/${roomId}/members`), roomParams(roomId));
  expect(response.status).toBe(200);
  return (await body<{ members: RoomMember[] }>(response)).members;
}

async function say(roomId: string, author: PublicUser, text: string): Promise<void> {
  await createMessage({ roomId, authorId: author.id, clientId: randomUUID(), body: text });
}

async function publicRoom(owner: PublicUser, ...others: PublicUser[]): Promise<string> {
  const room = await createRoom({ ownerId: owner.id, data: { kind: 'public', name: uniqueName('acc'), description: '' }, ip: null });
  for (const other of others) await joinRoom({ roomId: room.id, userId: other.id, ip: null });
  return room.id;
}

describe('GET and PATCH /api/account', () => {
  it('shows my account; renaming changes my name on every path at once', async () => {
    const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
    const { cookie, sessionId } = await signInAs(alice);
    const roomId = await publicRoom(alice, bob);
    await say(roomId, alice, 'before the rename');

    const view = await body<AccountView>(await account.GET(await apiRequest({ cookie }, 'GET', '/api/account')));
    expect(view.user).toEqual({ id: alice.id, username: alice.username, displayName: alice.displayName, avatar: null });
    expect(typeof view.isAdmin).toBe('boolean');
    expect(Date.parse(view.createdAt)).toBeGreaterThan(Date.now() - 60_000);

    const renamed = await account.PATCH(await apiRequest({ cookie }, 'PATCH', '/api/account', { displayName: '  Alice Liddell ' }));
    expect(renamed.status).toBe(200);
    expect((await body<{ user: PublicUser }>(renamed)).user).toEqual({ ...view.user, displayName: 'Alice Liddell' });

    const bobCookie = (await signInAs(bob)).cookie;
    expect((await history(bobCookie, roomId)).messages.at(-1)?.author.displayName).toBe('Alice Liddell');
    expect((await memberList(bobCookie, roomId)).find((m) => m.user.id === alice.id)?.user.displayName).toBe('Alice Liddell');
    const found = await body<{ users: PublicUser[] }>(await users.GET(await apiRequest({ cookie: bobCookie }, 'GET', '/api/users?q=Liddell')));
    expect(found.users.map((u) => u.id)).toContain(alice.id);
    expect((await validateSession(sessionId))?.user.displayName).toBe('Alice Liddell');
    const audit = await getDb().auditEvent.findMany({ where: { actorId: alice.id, kind: 'user.updated' } });
    expect(audit.map((a) => a.details)).toEqual([{ fields: ['displayName'] }]);
  });

  it('refuses what is not a display name, and anyone signed out', async () => {
    const alice = await createTestUser();
    const { cookie } = await signInAs(alice);
    for (const [payload, path] of [
      [{ displayName: '   ' }, 'displayName'],
      [{ displayName: 'x'.repeat(65) }, 'displayName'],
      [{ displayName: 'evil\u202Eexe.txt' }, 'displayName'],
      [{ displayName: 'ok', username: 'root' }, ''],
      [{}, 'displayName'],
    ] as const) {
      const response = await account.PATCH(await apiRequest({ cookie }, 'PATCH', '/api/account', payload));
      expect(response.status, JSON.stringify(payload)).toBe(422);
      expect((await body<{ error: { issues: { path: string }[] } }>(response)).error.issues[0]?.path).toBe(path);
    }
    expect((await account.GET(await apiRequest(null, 'GET', '/api/account'))).status).toBe(401);
    expect((await account.PATCH(await apiRequest(null, 'PATCH', '/api/account', { displayName: 'x' }))).status).toBe(401);
    const unchanged = await body<AccountView>(await account.GET(await apiRequest({ cookie }, 'GET', '/api/account')));
    expect(unchanged.user.displayName).toBe(alice.displayName);
  });
});

for (const backend of ['local', 's3'] as Backend[]) {
  describe(`pictures (${backend} storage)`, () => {
    let storage: TestStorage;
    beforeAll(async () => {
      storage = await useStorage(backend);
    });
    afterAll(async () => {
      await storage?.close();
    });

    it('upload, serve, replace and remove: a 256 px WebP without metadata, cached by version; old bytes leave storage', async () => {
      const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
      const { cookie, sessionId } = await signInAs(alice);
      const bobCookie = (await signInAs(bob)).cookie;
      const roomId = await publicRoom(alice, bob);
      await say(roomId, alice, 'with a face');

      // A phone photo: EXIF with GPS, XMP, rotated 90° by its orientation tag, 600 × 400 stored.
      const put = await putAvatar(cookie, await jpegWithPrivateMetadata());
      expect(put.status).toBe(200);
      const { user } = await body<{ user: PublicUser }>(put);
      expect(user).toMatchObject({ id: alice.id, avatar: expect.stringMatching(/^[A-Za-z0-9_-]{8,40}$/) });
      const first = user.avatar!;

      const served = await getAvatar(bobCookie, alice.id, `?v=${first}`);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/webp');
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
      const bytes = Buffer.from(await served.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      expect(meta).toMatchObject({ format: 'webp', width: 256, height: 256 });
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(bytes.includes(Buffer.from('ParleyCam'))).toBe(false);
      expect(bytes.includes(Buffer.from('parley-fixture-location'))).toBe(false);
      // Upright: the red mark of the stored top-left is on the right after rotating 90° clockwise (centre crop keeps it).
      const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
      expect(pixel(250, 5)[0]).toBeGreaterThan(200);
      expect(pixel(5, 250)[2]).toBeGreaterThan(200);

      // Without the version, or with another one: today's picture, briefly cached. A revalidation: 304.
      for (const query of ['', '?v=stale']) {
        const response = await getAvatar(bobCookie, alice.id, query);
        expect(response.status).toBe(200);
        expect(response.headers.get('cache-control')).toBe('private, max-age=60');
      }
      const etag = served.headers.get('etag')!;
      expect((await getAvatar(bobCookie, alice.id, `?v=${first}`, { 'if-none-match': etag })).status).toBe(304);

      // Every path carries the version.
      expect((await history(bobCookie, roomId)).messages.at(-1)?.author.avatar).toBe(first);
      expect((await memberList(bobCookie, roomId)).find((m) => m.user.id === alice.id)?.user.avatar).toBe(first);
      expect((await validateSession(sessionId))?.user.avatar).toBe(first);
      expect((await storage.probe.keys(`avatars/${alice.id}/`)).includes(`avatars/${alice.id}/${first}.webp`)).toBe(true);

      // Replace with a PNG: a new version, and the old picture's bytes go.
      const replaced = await putAvatar(cookie, await png(64, 64, { alpha: true }));
      expect(replaced.status).toBe(200);
      const second = (await body<{ user: PublicUser }>(replaced)).user.avatar!;
      expect(second).not.toBe(first);
      const upscaled = await sharp(Buffer.from(await (await getAvatar(bobCookie, alice.id, `?v=${second}`)).arrayBuffer())).metadata();
      expect(upscaled).toMatchObject({ format: 'webp', width: 256, height: 256 });
      await collectFileGarbage();
      expect((await storage.probe.keys(`avatars/${alice.id}/`)).includes(`avatars/${alice.id}/${first}.webp`)).toBe(false);
      expect((await storage.probe.keys(`avatars/${alice.id}/`)).includes(`avatars/${alice.id}/${second}.webp`)).toBe(true);

      // Remove: initials again, 404, bytes gone; removing twice is fine.
      const removed = await avatar.DELETE(await apiRequest({ cookie }, 'DELETE', '/api/account/avatar'));
      expect(removed.status).toBe(200);
      expect((await body<{ user: PublicUser }>(removed)).user.avatar).toBeNull();
      expect((await avatar.DELETE(await apiRequest({ cookie }, 'DELETE', '/api/account/avatar'))).status).toBe(200);
      expect((await getAvatar(bobCookie, alice.id, `?v=${second}`)).status).toBe(404);
      await collectFileGarbage();
      expect((await storage.probe.keys(`avatars/${alice.id}/`)).includes(`avatars/${alice.id}/${second}.webp`)).toBe(false);
      const audit = await getDb().auditEvent.count({ where: { actorId: alice.id, kind: 'user.updated' } });
      expect(audit).toBe(3);
    });
  });
}

describe('pictures: what is refused', () => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await useStorage('local');
  });
  afterAll(async () => {
    await storage?.close();
  });

  it('not a picture, damaged, too many pixels, too big, empty, the wrong content type: refused, nothing stored', async () => {
    const alice = await createTestUser();
    const { cookie } = await signInAs(alice);
    const cases: [string, Buffer | null, Record<string, string>, number][] = [
      ['random bytes', randomBytes(4096), {}, 422],
      ['an SVG (a document, not pixels)', svg(), {}, 422],
      ['text', Buffer.from('hello, I am not a picture'), {}, 422],
      ['a truncated PNG', truncated(await png(400, 300)), {}, 422],
      ['42 million pixels', await pngBomb(7000, 6000), {}, 422],
      ['empty', Buffer.alloc(0), {}, 422],
      ['5 MiB and one byte', Buffer.alloc(5 * 1024 * 1024 + 1, 1), {}, 413],
      ['a declared length over 5 MiB', await png(32, 32), { 'content-length': String(6 * 1024 * 1024) }, 413],
      ['application/json', await png(32, 32), { 'content-type': 'application/json' }, 415],
      ['image/png', await png(32, 32), { 'content-type': 'image/png' }, 415],
    ];
    for (const [what, bytes, headers, status] of cases) {
      const response = await putAvatar(cookie, bytes, headers);
      expect(response.status, what).toBe(status);
      expect((await body<{ error: { code: string } }>(response)).error.code, what).toBeTruthy();
    }
    expect((await getDb().user.findUniqueOrThrow({ where: { id: alice.id } })).avatar).toBeNull();
    expect(await storage.probe.keys(`avatars/${alice.id}/`)).toEqual([]);

    // server.ts's gate says the same before the route runs: octet-stream for PUT, JSON for DELETE.
    const gate = (method: string, type: string) =>
      crossOriginRefusal({ method, url: '/api/account/avatar', headers: new Headers({ 'content-type': type }) })?.code ?? null;
    expect(gate('PUT', 'application/octet-stream')).toBeNull();
    expect(gate('PUT', 'application/json')).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(gate('DELETE', 'application/json')).toBeNull();
    expect(gate('DELETE', 'application/octet-stream')).toBe('UNSUPPORTED_MEDIA_TYPE');
    // Signed out: 401 before anything else.
    expect((await putAvatar('', await png(32, 32))).status).toBe(401);
  });

  it('serving: a session is needed; no picture, no such user, not an id: 404; unknown query parameters: 422', async () => {
    const alice = await createTestUser();
    const { cookie } = await signInAs(alice);
    expect((await putAvatar(cookie, await png(32, 32))).status).toBe(200);
    expect((await getAvatar(null, alice.id)).status).toBe(401);
    const bob = await createTestUser();
    expect((await getAvatar(cookie, bob.id)).status).toBe(404);
    expect((await getAvatar(cookie, randomUUID())).status).toBe(404);
    expect((await getAvatar(cookie, 'not-a-user')).status).toBe(404);
    expect((await getAvatar(cookie, alice.id, '?size=1024')).status).toBe(422);
  });

  it('uploads spend the uploads budget (§7): once it is spent, 429 with Retry-After, before a byte is read', async () => {
    const alice = await createTestUser();
    const { cookie } = await signInAs(alice);
    await sharedLimiter(uploadPolicy()).penalty(alice.id, 1_000_000);
    const response = await putAvatar(cookie, await png(32, 32));
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await getDb().user.findUniqueOrThrow({ where: { id: alice.id } })).avatar).toBeNull();
  });
});

describe('DELETE /api/account', () => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await useStorage('local');
  });
  afterAll(async () => {
    await storage?.close();
  });

  async function deleteMe(cookie: string, password: unknown): Promise<Response> {
    return account.DELETE(await apiRequest({ cookie }, 'DELETE', '/api/account', { password }));
  }

  it('deletes an account as §4.15 says, on every path at once', async () => {
    const [alice, bob, carol, dave] = await Promise.all([createTestUser(), createTestUser(), createTestUser(), createTestUser()]);
    const laptop = await signInAs(alice);
    const phone = await signInAs(alice);
    const bobCookie = (await signInAs(bob)).cookie;
    const carolCookie = (await signInAs(carol)).cookie;

    // Alice owns `shared` (bob joined first as a member, carol later and is made admin: carol takes over),
    // owns `alone` (nobody else: deleted), is a member of bob's room, in a group, and talks to bob directly.
    const shared = await publicRoom(alice, bob, carol);
    await getDb().membership.update({ where: { roomId_userId: { roomId: shared, userId: carol.id } }, data: { role: 'admin' } });
    const alone = (await createRoom({ ownerId: alice.id, data: { kind: 'private', name: uniqueName('alone'), description: '', password: 'hunter22' }, ip: null })).id;
    const bobs = await publicRoom(bob, alice, dave);
    const group = await getDb().room.create({
      data: {
        id: newRoomId(),
        name: '',
        kind: 'group',
        ownerId: alice.id,
        members: { create: [{ userId: alice.id }, { userId: bob.id }, { userId: carol.id }] },
      },
      select: { id: true },
    });
    const direct = (await startDirect({ userId: bob.id, peerId: alice.id })).room.id;
    const word = `farewell${Date.now().toString(36)}`;
    for (const roomId of [shared, bobs, direct, group.id]) await say(roomId, alice, `${word} from alice`);
    await createMessage({ roomId: bobs, authorId: alice.id, clientId: randomUUID(), body: 'a quote', replyToSeq: 1 });

    // Her picture, an unsent upload, an invitation she made, a call she is ringing in.
    expect((await putAvatar(laptop.cookie, await png(48, 48))).status).toBe(200);
    const picture = (await getDb().user.findUniqueOrThrow({ where: { id: alice.id } })).avatar!;
    const unsent = await uploadOk(rt.url, laptop.cookie, bobs, await png(40, 40), { name: 'never-sent.png' });
    const invite = await getDb().invite.create({
      data: { id: randomUUID(), tokenHash: randomUUID().replace(/-/g, '').padEnd(64, '0'), roomId: shared, createdBy: alice.id },
    });
    const tab = await openSession(rt.url, alice, { cookie: phone.cookie });
    sockets.push(tab);
    const ended: string[] = [];
    tab.on('session:ended', () => ended.push('session:ended'));
    // Bob's tab hears about his rooms; he is looking at his room, where he sees her leave under her new name.
    const bobsTab = await openSession(rt.url, bob, { cookie: bobCookie });
    sockets.push(bobsTab);
    const updated = collect<{ room: { id: string; ownerId: string } }>(bobsTab, 'room:updated');
    const { socket: bobsView } = await openRoom(rt.url, bob, bobs, { cookie: bobCookie });
    sockets.push(bobsView);
    const left = collect<{ user: PublicUser }>(bobsView, 'member:left');
    const live = collect<{ call?: { callId: string } | null }>(bobsView, 'message:new');
    const call = (await tab.timeout(5_000).emitWithAck('call:start', { roomId: bobs, kind: 'audio' })) as { ok: boolean; data: { call: { id: string } } };
    expect(call.ok).toBe(true);

    const response = await deleteMe(laptop.cookie, alice.password);
    expect(response.status).toBe(204);

    // Every session ends; the open tab hears it and is closed; nothing works with the old cookies.
    await eventually(() => ended.length === 1 && tab.disconnected, 2_000);
    for (const cookie of [laptop.cookie, phone.cookie]) expect((await account.GET(await apiRequest({ cookie }, 'GET', '/api/account'))).status).toBe(401);
    expect(await getDb().session.count({ where: { userId: alice.id } })).toBe(0);

    // The row stays, anonymised.
    const row = await getDb().user.findUniqueOrThrow({ where: { id: alice.id } });
    expect(row).toMatchObject({ displayName: 'Deleted user', avatar: null, isAdmin: false });
    expect(row.username).toMatch(/^deleted-[0-9a-f]{8}$/);
    expect(row.deletedAt).not.toBeNull();
    expect(row.disabledAt).not.toBeNull();
    const ghost: PublicUser = { id: alice.id, username: row.username, displayName: 'Deleted user', avatar: null };
    await eventually(() => left.length === 1);
    expect(left[0]?.user).toEqual(ghost);

    // Her messages stay, under "Deleted user": history (also a quote's author and a call entry), search, the
    // conversation's member list and peer. The call's entry is written once the hang-up is announced, after
    // the response: it is in the history from when it reaches the room.
    await eventually(() => live.some((m) => m.call?.callId === call.data.call.id));
    const bobsHistory = await history(bobCookie, bobs);
    // Two messages, and the entry of the call she was ringing in, which her leaving ended.
    const hers = bobsHistory.messages.filter((m) => m.author.id === alice.id);
    expect(hers.map((m) => m.author)).toEqual([ghost, ghost, ghost]);
    expect(hers.at(-1)?.call).toMatchObject({ callId: call.data.call.id });
    expect(bobsHistory.messages.find((m) => m.replyTo)?.replyTo?.author).toEqual(ghost);
    expect((await history(carolCookie, shared)).messages.find((m) => m.body.startsWith(word))?.author).toEqual(ghost);
    expect((await history(bobCookie, direct)).messages.find((m) => m.body.startsWith(word))?.author).toEqual(ghost);
    const hits = await searchMessages({ userId: bob.id, q: word, scope: 'mine', sort: 'newest', limit: 20, tz: 'UTC' });
    expect(hits.hits.length).toBe(4);
    for (const hit of hits.hits) expect(hit.message.author).toEqual(ghost);
    expect((await memberList(bobCookie, direct)).map((m) => m.user)).toContainEqual(ghost);
    expect((await getRoomForUser({ roomId: direct, userId: bob.id })).peer).toEqual(ghost);

    // She left every room and the group; `shared` is carol's now (admin before member), `alone` is gone.
    expect((await memberList(bobCookie, bobs)).map((m) => m.user.id)).not.toContain(alice.id);
    expect((await memberList(bobCookie, group.id)).map((m) => m.user.id).sort()).toEqual([bob.id, carol.id].sort());
    const sharedMembers = await memberList(carolCookie, shared);
    expect(sharedMembers.map((m) => [m.user.id, m.role]).sort()).toEqual([[bob.id, 'member'], [carol.id, 'owner']].sort());
    expect((await getRoomForUser({ roomId: shared, userId: carol.id })).ownerId).toBe(carol.id);
    await eventually(() => updated.some((u) => u.room.id === shared));
    expect(updated.find((u) => u.room.id === shared)?.room.ownerId).toBe(carol.id);
    // Each room she left with a line says so under her new face: the transfer, and the group's `left`.
    const transferLine = (await history(carolCookie, shared)).messages.find((m) => m.event?.type === 'ownership_transferred');
    expect(transferLine).toMatchObject({ author: ghost, event: { type: 'ownership_transferred', to: { id: carol.id } } });
    expect((await history(bobCookie, group.id)).messages.find((m) => m.event?.type === 'left')?.author).toEqual(ghost);
    expect(await getDb().room.findUnique({ where: { id: alone } })).toBeNull();

    // Her call ended; her unsent upload and picture are gone; her invitation is revoked.
    expect((await getDb().call.findUniqueOrThrow({ where: { id: call.data.call.id } })).state).toBe('ended');
    expect(await getDb().attachment.findUnique({ where: { id: unsent.id } })).toBeNull();
    expect((await getDb().invite.findUniqueOrThrow({ where: { id: invite.id } })).revokedAt).not.toBeNull();
    await collectFileGarbage();
    expect((await storage.probe.keys(`avatars/${alice.id}/`)).includes(`avatars/${alice.id}/${picture}.webp`)).toBe(false);
    expect((await getAvatar(bobCookie, alice.id)).status).toBe(404);

    // Nobody finds her, nobody starts a conversation with her (bob's existing one stays in his sidebar).
    for (const q of ['Deleted', alice.username, row.username]) {
      const found = await body<{ users: PublicUser[] }>(await users.GET(await apiRequest({ cookie: carolCookie }, 'GET', `/api/users?q=${q}`)));
      expect(found.users.map((u) => u.id), q).not.toContain(alice.id);
    }
    for (const someone of [carol, bob]) await expect(startDirect({ userId: someone.id, peerId: alice.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // Her sign-in stops working (by either name), and her username is free again.
    await expect(authenticate({ username: alice.username, password: alice.password, ip: '10.1.2.3' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(authenticate({ username: row.username, password: alice.password, ip: '10.1.2.3' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const again = await register.POST(
      new Request('http://localhost/api/register', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-parley-client-ip': '10.9.8.7' },
        body: JSON.stringify({ username: alice.username, displayName: 'New Alice', password: 'another password', confirmPassword: 'another password' }),
      }),
    );
    expect(again.status).toBe(201);
    expect((await body<{ user: PublicUser }>(again)).user.id).not.toBe(alice.id);

    const audit = await getDb().auditEvent.findFirstOrThrow({ where: { actorId: alice.id, kind: 'user.deleted' } });
    expect(audit.details).toMatchObject({ deletedRooms: [alone], transferredRooms: [{ roomId: shared, toUserId: carol.id }], unsentUploads: 1 });
    expect(await getDb().auditEvent.count({ where: { actorId: alice.id, kind: 'room.ownership_transferred' } })).toBe(1);
  });

  it('a wrong password is 403 and changes nothing; five wrong ones in 15 minutes, then 429 even for the right one', async () => {
    const alice = await createTestUser();
    const { cookie } = await signInAs(alice);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await deleteMe(cookie, `wrong password ${attempt}`);
      expect(response.status).toBe(403);
      expect((await body<{ error: { issues: { path: string }[] } }>(response)).error.issues[0]?.path).toBe('password');
    }
    const limited = await deleteMe(cookie, alice.password);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(60);
    const row = await getDb().user.findUniqueOrThrow({ where: { id: alice.id } });
    expect(row).toMatchObject({ username: alice.username, deletedAt: null });
    expect((await account.GET(await apiRequest({ cookie }, 'GET', '/api/account'))).status).toBe(200);
  });

  it('refuses a body without a password, and anyone signed out', async () => {
    const alice = await createTestUser();
    const { cookie } = await signInAs(alice);
    expect((await account.DELETE(await apiRequest({ cookie }, 'DELETE', '/api/account', {}))).status).toBe(422);
    expect((await account.DELETE(await apiRequest({ cookie }, 'DELETE', '/api/account'))).status).toBe(422);
    expect((await account.DELETE(await apiRequest(null, 'DELETE', '/api/account', { password: alice.password }))).status).toBe(401);
    expect((await getDb().user.findUniqueOrThrow({ where: { id: alice.id } })).deletedAt).toBeNull();
  });

  it('deleting twice at once: one deletion, the other request is refused', async () => {
    const alice = await createTestUser();
    const [one, two] = await Promise.all([signInAs(alice), signInAs(alice)]);
    const statuses = (await Promise.all([deleteMe(one.cookie, alice.password), deleteMe(two.cookie, alice.password)])).map((r) => r.status).sort();
    expect(statuses).toEqual([204, 401]);
    expect(await getDb().auditEvent.count({ where: { actorId: alice.id, kind: 'user.deleted' } })).toBe(1);
  });
});
