/**
 * Archiving (docs/protocol.md §4.13 "Archive"): an archived room keeps its history, readable by its members
 * (REST and the replay), leaves the directory, and refuses every write with 403 FORBIDDEN "This room is
 * archived: it is read-only." until restored. Archiving twice or restoring twice changes nothing. Admins,
 * the owner and instance admins (not members) may archive and restore.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { getDb } from '../db';
import type { ChatMessage, MessageReplay } from '../schemas/message';
import type { RoomSettings, RoomSummary } from '../schemas/room';
import {
  acceptInvite,
  addMembers,
  api,
  archive,
  castRoom,
  createInvite,
  deleteRoom,
  emitAck,
  expectEvent,
  expectStatus,
  historyOf,
  joinAs,
  mute,
  openMain,
  openRoomSocket,
  patchRoom,
  person,
  restore,
  sendMessage,
  setRole,
  type CreatedInvite,
  type ErrorBody,
  type Person,
  serveThisFile,
} from '../testing/community';
import { connectClient, waitForConnect } from '../testing/realtime';
import { png } from '../testing/file-fixtures';
import { upload } from '../testing/uploads';

vi.stubEnv('RATE_LIMIT_ROOMS_PER_HOUR', '100000');

const server = serveThisFile();

const READ_ONLY = 'This room is archived: it is read-only.';

async function inDirectory(who: Person, room: RoomSummary): Promise<boolean> {
  const page = expectStatus(await api<{ rooms: RoomSummary[] }>(who, 'GET', `/api/rooms/directory?q=${encodeURIComponent(room.name)}`), 200, 'directory');
  return page.rooms.some((r) => r.id === room.id);
}

async function instanceAdmin(): Promise<Person> {
  const admin = await person('instance admin');
  // An instance admin is a user with is_admin set (the first account or ADMIN_USERNAMES, §4.15): set directly.
  await getDb().user.update({ where: { id: admin.user.id }, data: { isAdmin: true } });
  return admin;
}

describe('archive', () => {
  it('refuses every write with the documented error while history and the replay stay readable; restore re-enables', async () => {
    const c = await castRoom({ admins: 1, members: 2 });
    const [writer, leaver] = c.members as [Person, Person];
    const outsider = await person('outsider');
    const socket = await openRoomSocket(server.url, writer, c.room.id);
    const sent = await sendMessage(socket, 'before the archive');
    if (!sent.ok) throw new Error(sent.error.message);
    expect((await emitAck(socket, 'reaction:add', { seq: sent.data.seq, emoji: '👍' })).ok).toBe(true);
    const invite = expectStatus(await createInvite(c.owner, c.room.id), 201, 'invite') as CreatedInvite;
    expect(await inDirectory(outsider, c.room)).toBe(true);

    const tab = await openMain(server.url, leaver);
    const updated = expectEvent<{ room: RoomSettings }>(tab, 'room:updated', (p) => p.room.id === c.room.id && p.room.archivedAt !== null, 'room:updated (archived)');
    const line = expectEvent<ChatMessage>(socket, 'message:new', (m) => m.event?.type === 'archived', 'the archived line');
    const archived = expectStatus(await archive(c.admins[0]!, c.room.id), 200, 'archive') as { room: RoomSummary };
    expect(archived.room.archivedAt).not.toBeNull();
    expect((await updated.within(2_000)).room.archivedAt).toBe(archived.room.archivedAt);
    expect((await line.within(2_000)).author.id).toBe(c.admins[0]!.user.id);

    // Every write through the room namespace: FORBIDDEN with the documented message.
    const seq = sent.data.seq;
    const writes: [string, unknown][] = [
      ['message:send', { clientId: randomUUID(), body: 'after the archive' }],
      ['message:edit', { seq, clientId: randomUUID(), body: 'edited after the archive' }],
      ['message:delete', { seq }],
      ['reaction:add', { seq, emoji: '🎉' }],
      ['reaction:remove', { seq, emoji: '👍' }],
    ];
    for (const [event, payload] of writes) {
      const ack = await emitAck(socket, event, payload);
      expect({ event, ack }).toEqual({ event, ack: { ok: false, error: expect.objectContaining({ code: 'FORBIDDEN', message: READ_ONLY }) } });
    }
    // …over REST: an upload, joining, adding people, invitations (creating and accepting).
    const forbidden = async (what: string, answer: Promise<{ status: number; body: unknown; text: string }>) => {
      const a = await answer;
      expect({ what, status: a.status, error: (a.body as ErrorBody | undefined)?.error }).toEqual({ what, status: 403, error: expect.objectContaining({ code: 'FORBIDDEN', message: READ_ONLY }) });
    };
    const uploaded = await upload(server.url, writer.cookie, c.room.id, await png(8, 8), { name: 'late.png' });
    expect({ status: uploaded.status, code: uploaded.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    await forbidden('join', joinAs(outsider, c.room.id));
    await forbidden('add people', addMembers(writer, c.room.id, [outsider]));
    await forbidden('create an invitation', createInvite(c.owner, c.room.id));
    await forbidden('accept an invitation', acceptInvite(outsider, invite.token));
    await forbidden('settings', patchRoom(c.owner, c.room.id, { topic: 'while archived' }));
    await forbidden('a mute', mute(c.owner, c.room.id, leaver, 60));
    await forbidden('a role', setRole(c.owner, c.room.id, leaver, 'moderator'));
    // A call cannot start (a live one would go on).
    const callTab = await openMain(server.url, writer);
    const call = await emitAck(callTab, 'call:start', { roomId: c.room.id, kind: 'audio', invite: [leaver.user.id] });
    expect(call).toEqual({ ok: false, error: expect.objectContaining({ code: 'FORBIDDEN', message: READ_ONLY }) });

    // Reading goes on: history (with the line), the room, and the replay of a reconnecting socket.
    const history = await historyOf(writer, c.room.id);
    expect(history.map((m) => m.body)).toContain('before the archive');
    expect(history.some((m) => m.event?.type === 'archived')).toBe(true);
    const replayed = connectClient(server.url, { cookie: writer.cookie, namespace: `/r/${c.room.id}`, auth: { lastSeq: 0 } });
    const replay = new Promise<MessageReplay>((resolve) => replayed.once('message:replay', resolve));
    await waitForConnect(replayed);
    expect((await replay).messages.map((m) => m.seq)).toEqual(history.map((m) => m.seq));
    replayed.close();
    // The directory no longer lists it; the room is still in its members' own list.
    expect(await inDirectory(outsider, c.room)).toBe(false);
    const mine = expectStatus(await api<{ mine: RoomSummary[] }>(writer, 'GET', '/api/rooms'), 200, 'my rooms').mine;
    expect(mine.find((r) => r.id === c.room.id)?.archivedAt).toBe(archived.room.archivedAt);
    // Members may still leave.
    expect((await api(leaver, 'POST', `/api/rooms/${c.room.id}/leave`)).status).toBe(200);

    // Archiving twice changes nothing: 200 and no second line.
    expect(expectStatus(await archive(c.owner, c.room.id), 200, 'archive again')).toMatchObject({ room: { archivedAt: archived.room.archivedAt } });
    expect((await historyOf(writer, c.room.id)).filter((m) => m.event?.type === 'archived')).toHaveLength(1);

    // Restore: writes work again, the directory lists it, the line says so.
    const restoredLine = expectEvent<ChatMessage>(socket, 'message:new', (m) => m.event?.type === 'restored', 'the restored line');
    expect(expectStatus(await restore(c.admins[0]!, c.room.id), 200, 'restore')).toMatchObject({ room: { archivedAt: null } });
    await restoredLine.within(2_000);
    expect((await sendMessage(socket, 'after the restore')).ok).toBe(true);
    expect(await inDirectory(outsider, c.room)).toBe(true);
    expect(expectStatus(await restore(c.owner, c.room.id), 200, 'restore again')).toMatchObject({ room: { archivedAt: null } });
    expect((await historyOf(writer, c.room.id)).filter((m) => m.event?.type === 'restored')).toHaveLength(1);
    socket.close();
    tab.close();
    callTab.close();
  });

  it('an instance admin who is not a member archives and restores, and the lines name them; the owner may delete an archived room', async () => {
    const c = await castRoom({ members: 1 });
    const admin = await instanceAdmin();
    expect(expectStatus(await archive(admin, c.room.id), 200, 'archive by instance admin')).toMatchObject({ room: { id: c.room.id } });
    expectStatus(await restore(admin, c.room.id), 200, 'restore by instance admin');
    const lines = (await historyOf(c.owner, c.room.id)).filter((m) => m.event);
    expect(lines.map((m) => [m.event?.type, m.author.id])).toEqual([
      ['archived', admin.user.id],
      ['restored', admin.user.id],
    ]);
    // Reading is not theirs: the table gives instance admins archive and delete, not the content.
    expect((await api(admin, 'GET', `/api/rooms/${c.room.id}/messages`)).status).toBe(403);

    expectStatus(await archive(c.owner, c.room.id), 200, 'archive');
    expect((await deleteRoom(c.owner, c.room.id)).status).toBe(204);
  });

  it('members and moderators may not archive (403), and the room stays as it was', async () => {
    const c = await castRoom({ moderators: 1, members: 1 });
    for (const who of [c.members[0]!, c.moderators[0]!]) {
      const answer = await archive(who, c.room.id);
      expect([answer.status, (answer.body as ErrorBody).error?.code]).toEqual([403, 'FORBIDDEN']);
    }
    const view = expectStatus(await api<{ room: RoomSummary }>(c.owner, 'GET', `/api/rooms/${c.room.id}`), 200, 'room');
    expect(view.room.archivedAt).toBeNull();
  });
});
