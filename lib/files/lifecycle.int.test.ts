/**
 * A file's life after its upload, from the contract (docs/protocol.md §4.11, §5.2 `message:send`,
 * `message:edit`, `message:delete`, §6 `DELETE /api/uploads/:id`, `GET /api/rooms/:roomId/files`,
 * `GET /api/search`):
 *
 * - sending: `attachments` in order, the body optional with them; someone else's, another room's, an
 *   already sent, a removed and an unknown upload are NOT_FOUND with the issue on `attachments.<i>` and
 *   nothing is sent; a retried send returns the same message and files; the message arrives in the ack,
 *   in message:new, in the replay and in history with its files; files of thread replies;
 * - editing a file message to an empty caption; deleting it (tombstone with `attachments: []`, its files
 *   404 and their objects gone); deleting the room (every file gone); `DELETE /api/uploads/:id`;
 * - garbage collection of uploads no message took within UPLOAD_UNATTACHED_HOURS (with their objects);
 * - the room's Files view and `has:file` / `has:image` in search.
 *
 * Deletion cascades and garbage collection run on both storage backends (local and s3rver).
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db';
import { getEnv } from '@/lib/env';
import { startGarbageCollector } from '@/lib/files/garbage';
import { uploadTempDir } from '@/lib/files/upload';
import { getLogger } from '@/lib/logger';
import { getStorage } from '@/lib/storage';
import type { Attachment, RoomFilesPage, UploadLimits } from '@/lib/schemas/attachment';
import type { ChatMessage, HistoryPage } from '@/lib/schemas/message';
import type { SearchPage } from '@/lib/schemas/search';
import { collect, eventually, eventuallyAsync, openRoom, startTestRealtime, type TestRealtime } from '@/lib/testing/realtime';
import { pdf, png, randomBytes, webmHeader } from '@/lib/testing/file-fixtures';
import {
  api,
  attachmentRows,
  collectFileGarbage,
  getFile,
  ownDataDir,
  person,
  roomOf,
  sendFiles,
  unknownId,
  uploadOk,
  useStorage,
  type Backend,
  type Person,
  type TestStorage,
} from '@/lib/testing/uploads';

vi.stubEnv('DATA_DIR', ownDataDir());
vi.stubEnv('RATE_LIMIT_UPLOADS_PER_MINUTE', '100000');
vi.stubEnv('RATE_LIMIT_ROOMS_PER_HOUR', '100000');
vi.stubEnv('RATE_LIMIT_SEARCHES_PER_10S', '100000');
vi.stubEnv('UPLOAD_UNATTACHED_HOURS', '24');

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

async function open(who: Person, roomId: string, options: { lastSeq?: number } = {}) {
  const opened = await openRoom(rt.url, who, roomId, { cookie: who.cookie, ...options });
  sockets.push(opened.socket);
  return opened;
}

const up = (who: Person, roomId: string, bytes: Buffer, name: string) => uploadOk(rt.url, who.cookie, roomId, bytes, { name });

async function history(who: Person, roomId: string): Promise<ChatMessage[]> {
  const answer = await api(who.cookie, 'GET', `/api/rooms/${roomId}/messages?limit=100`);
  expect(answer.status).toBe(200);
  return (answer.json as HistoryPage).messages;
}

async function usedBytes(who: Person): Promise<number> {
  return ((await api(who.cookie, 'GET', '/api/uploads')).json as UploadLimits).usedBytes;
}

function sent(ack: Awaited<ReturnType<typeof sendFiles>>): ChatMessage {
  if (!ack.ok) throw new Error(`send refused: ${ack.error.code} ${ack.error.message} ${JSON.stringify(ack.error.issues ?? [])}`);
  return ack.data;
}

describe('sending files', () => {
  let alice: Person;
  let bob: Person;
  let roomId: string;
  let aliceSocket: Socket;
  let bobSocket: Socket;
  let bobHears: ChatMessage[];

  beforeAll(async () => {
    [alice, bob] = await Promise.all([person(), person()]);
    roomId = await roomOf(alice, 'public', bob);
    aliceSocket = (await open(alice, roomId)).socket;
    bobSocket = (await open(bob, roomId)).socket;
    bobHears = collect<ChatMessage>(bobSocket, 'message:new');
    expect(bobSocket.connected).toBe(true);
  });

  it('a message of files alone (no body) carries them in the order given, in the ack, message:new, the replay and history', async () => {
    const image = await up(alice, roomId, await png(120, 80), 'chart.png');
    const doc = await up(alice, roomId, pdf(), 'report.pdf');
    const message = sent(await sendFiles(aliceSocket, { attachments: [doc.id, image.id] }));
    expect(message.body).toBe('');
    // As the upload answered, in the order given.
    expect(message.attachments).toEqual([doc, image]);
    expect(message.attachments.map((a) => a.url)).toEqual([`/api/files/${doc.id}`, `/api/files/${image.id}`]);

    await eventually(() => bobHears.some((m) => m.seq === message.seq), 10_000);
    expect(bobHears.find((m) => m.seq === message.seq)).toEqual(message);

    const { replay } = await open(bob, roomId, { lastSeq: message.seq - 1 });
    expect(replay.messages.find((m) => m.seq === message.seq)).toEqual(message);
    expect((await history(bob, roomId)).find((m) => m.seq === message.seq)).toEqual(message);

    // Bob, a member, reads them now that they are sent.
    expect((await getFile(rt.url, bob.cookie, image.url)).status).toBe(200);
    expect((await getFile(rt.url, bob.cookie, image.thumbnail!.url)).status).toBe(200);
  });

  it('a caption with files; `body: ""` with files', async () => {
    const a = await up(alice, roomId, randomBytes(10), 'a.bin');
    const captioned = sent(await sendFiles(aliceSocket, { body: '  the numbers  ', attachments: [a.id] }));
    expect(captioned.body).toBe('the numbers');
    const b = await up(alice, roomId, randomBytes(10), 'b.bin');
    expect(sent(await sendFiles(aliceSocket, { body: '', attachments: [b.id] })).body).toBe('');
  });

  it('up to 10 files per message; 11, duplicates, an empty list or malformed ids are INVALID_PAYLOAD', async () => {
    const ten = await Promise.all(Array.from({ length: 10 }, (_, i) => up(alice, roomId, randomBytes(20, i + 1), `f${i}.bin`)));
    const eleventh = await up(alice, roomId, randomBytes(20, 99), 'f10.bin');
    const refusals: [string, unknown][] = [
      ['11 files', [...ten.map((a) => a.id), eleventh.id]],
      ['the same file twice', [ten[0]!.id, ten[0]!.id]],
      ['an empty list (1–10)', []],
      ['not a UUID', ['not-a-uuid']],
      ['not a list', ten[0]!.id],
      ['a number', [1]],
    ];
    for (const [what, attachments] of refusals) {
      const ack = await sendFiles(aliceSocket, { body: 'x', attachments });
      expect({ what, code: ack.ok ? 'ok' : ack.error.code }).toEqual({ what, code: 'INVALID_PAYLOAD' });
    }
    const message = sent(await sendFiles(aliceSocket, { attachments: ten.map((a) => a.id).reverse() }));
    expect(message.attachments.map((a) => a.id)).toEqual(ten.map((a) => a.id).reverse());
  });

  it('without files the body is required (INVALID_PAYLOAD on body)', async () => {
    for (const payload of [{ body: '' }, {}, { body: '   ' }]) {
      const ack = await sendFiles(aliceSocket, payload);
      expect(ack.ok).toBe(false);
      if (!ack.ok) {
        expect(ack.error.code).toBe('INVALID_PAYLOAD');
        expect(ack.error.issues?.map((i) => i.path)).toContain('body');
      }
    }
  });

  it('someone else’s, another room’s, an already sent, a removed and an unknown upload: NOT_FOUND on attachments.<i>, nothing sent', async () => {
    const otherRoom = await roomOf(alice, 'public', bob);
    const mine = await up(alice, roomId, randomBytes(30), 'mine.bin');
    const bobs = await up(bob, roomId, randomBytes(30), 'bobs.bin');
    const elsewhere = await up(alice, otherRoom, randomBytes(30), 'elsewhere.bin');
    const alreadySent = await up(alice, roomId, randomBytes(30), 'sent.bin');
    sent(await sendFiles(aliceSocket, { attachments: [alreadySent.id] }));
    const removed = await up(alice, roomId, randomBytes(30), 'removed.bin');
    expect((await api(alice.cookie, 'DELETE', `/api/uploads/${removed.id}`)).status).toBe(204);
    const lastSeqBefore = (await history(alice, roomId)).at(-1)!.seq;

    const cases: [string, string][] = [
      ['someone else’s', bobs.id],
      ['another room’s', elsewhere.id],
      ['already sent', alreadySent.id],
      ['removed', removed.id],
      ['never existed', unknownId()],
      ['upper-case form of someone else’s', bobs.id.toUpperCase()],
    ];
    for (const [what, id] of cases) {
      const ack = await sendFiles(aliceSocket, { body: 'with a file', attachments: [mine.id, id] });
      expect({ what, code: ack.ok ? 'ok' : ack.error.code, path: ack.ok ? null : ack.error.issues?.[0]?.path }).toEqual({ what, code: 'NOT_FOUND', path: 'attachments.1' });
    }
    const first = await sendFiles(aliceSocket, { attachments: [bobs.id, mine.id] });
    expect(first.ok ? null : first.error.issues?.[0]?.path).toBe('attachments.0');
    expect((await history(alice, roomId)).at(-1)!.seq).toBe(lastSeqBefore);
    // Nothing was taken: both uploads are still their owners' to send.
    expect(sent(await sendFiles(aliceSocket, { attachments: [mine.id] })).attachments[0]!.id).toBe(mine.id);
    expect(sent(await sendFiles(bobSocket, { attachments: [bobs.id] })).attachments[0]!.id).toBe(bobs.id);
    // Bob's upload, once sent, is readable by Alice; the other room's upload is still Alice's alone.
    expect((await getFile(rt.url, alice.cookie, bobs.url)).status).toBe(200);
    expect((await getFile(rt.url, bob.cookie, elsewhere.url)).status).toBe(404);
  });

  it('a retried send (same clientId) returns the stored message with its files, and takes nothing more', async () => {
    const a = await up(alice, roomId, await png(10, 10), 'retry.png');
    const clientId = randomUUID();
    const first = sent(await sendFiles(aliceSocket, { clientId, body: 'once', attachments: [a.id] }));
    const again = sent(await sendFiles(aliceSocket, { clientId, body: 'once', attachments: [a.id] }));
    expect(again).toEqual(first);
    // A retry naming other files still answers the original; the other upload stays unsent.
    const other = await up(alice, roomId, await png(10, 10), 'other.png');
    const third = sent(await sendFiles(aliceSocket, { clientId, body: 'changed', attachments: [other.id] }));
    expect(third).toEqual(first);
    const rows = await attachmentRows(roomId);
    expect(rows.find((r) => r.id === other.id)?.messageId).toBeNull();
    expect(rows.filter((r) => r.id === a.id)).toHaveLength(1);
    expect((await history(alice, roomId)).filter((m) => m.clientId === clientId)).toHaveLength(1);
  });

  it('sends racing for one upload (different clientIds): exactly one takes it, the others are NOT_FOUND', async () => {
    const a = await up(alice, roomId, await png(12, 12), 'contested.png');
    const secondTab = (await open(alice, roomId)).socket;
    const acks = await Promise.all(Array.from({ length: 8 }, (_, i) => sendFiles(i % 2 ? secondTab : aliceSocket, { body: `race ${i}`, attachments: [a.id] })));
    const outcomes = acks.map((ack) => (ack.ok ? 'ok' : ack.error.code)).sort();
    expect(outcomes).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'ok']);
    const winner = acks.find((ack) => ack.ok);
    const holders = (await history(alice, roomId)).filter((m) => m.attachments.some((x) => x.id === a.id));
    expect(holders.map((m) => m.seq)).toEqual([winner?.ok ? winner.data.seq : -1]);
  });

  it('a thread reply can carry files', async () => {
    const root = sent(await sendFiles(aliceSocket, { body: 'root' }));
    const a = await up(bob, roomId, pdf(), 'thread.pdf');
    const reply = sent(await sendFiles(bobSocket, { body: 'see attached', threadRootSeq: root.seq, attachments: [a.id] }));
    expect(reply.threadRootSeq).toBe(root.seq);
    expect(reply.attachments.map((x) => x.id)).toEqual([a.id]);
  });

  it('a quote of a file-only message says what files it carried (it has no text to quote)', async () => {
    const voice = await up(alice, roomId, pdf(), 'memo.pdf');
    const image = await up(alice, roomId, await png(40, 30), 'shot.png');
    const quoted = sent(await sendFiles(aliceSocket, { attachments: [voice.id, image.id] }));
    const reply = sent(await sendFiles(bobSocket, { body: 'about these', replyToSeq: quoted.seq }));
    expect(reply.replyTo).toMatchObject({ seq: quoted.seq, snippet: '', deleted: false });
    expect(reply.replyTo!.attachments).toEqual([
      { kind: 'file', name: 'memo.pdf', voice: false },
      { kind: 'image', name: 'shot.png', voice: false },
    ]);
  });

  it('editing a file message to an empty caption is allowed; a text message cannot be emptied; the files stay', async () => {
    const a = await up(alice, roomId, await png(10, 10), 'edit.png');
    const message = sent(await sendFiles(aliceSocket, { body: 'caption', attachments: [a.id] }));
    for (const body of ['', '   ']) {
      const edit = (await aliceSocket.timeout(10_000).emitWithAck('message:edit', { seq: message.seq, clientId: randomUUID(), body })) as Awaited<ReturnType<typeof sendFiles>>;
      const edited = sent(edit);
      expect(edited.body).toBe('');
      expect(edited.attachments).toEqual(message.attachments);
    }
    const text = sent(await sendFiles(aliceSocket, { body: 'just text' }));
    const refused = (await aliceSocket.timeout(10_000).emitWithAck('message:edit', { seq: text.seq, clientId: randomUUID(), body: '' })) as Awaited<ReturnType<typeof sendFiles>>;
    expect(refused.ok ? 'ok' : refused.error.code).toBe('INVALID_PAYLOAD');
    if (!refused.ok) expect(refused.error.issues?.map((i) => i.path)).toContain('body');
    // Attachments are not edited.
    const withFiles = (await aliceSocket.timeout(10_000).emitWithAck('message:edit', { seq: message.seq, clientId: randomUUID(), body: 'x', attachments: [] })) as Awaited<ReturnType<typeof sendFiles>>;
    expect(withFiles.ok ? 'ok' : withFiles.error.code).toBe('INVALID_PAYLOAD');
  });

  it('the Files view lists the room’s files newest first, by kind, in pages, with their message', async () => {
    const room = await roomOf(alice, 'private', bob);
    const socket = (await open(alice, room)).socket;
    const image = await up(alice, room, await png(20, 20), 'one.png');
    const first = sent(await sendFiles(socket, { body: 'one', attachments: [image.id] }));
    const doc = await up(alice, room, pdf(), 'two.pdf');
    const audio = await up(alice, room, webmHeader(), 'three.webm');
    const second = sent(await sendFiles(socket, { attachments: [doc.id, audio.id] }));
    const root = sent(await sendFiles(socket, { body: 'root' }));
    const threaded = await up(alice, room, await png(5, 5), 'four.png');
    const reply = sent(await sendFiles(socket, { body: 'r', threadRootSeq: root.seq, attachments: [threaded.id] }));
    await up(alice, room, await png(5, 5), 'unsent.png'); // not listed: no message took it

    const page = (await api(bob.cookie, 'GET', `/api/rooms/${room}/files`)).json as RoomFilesPage;
    // Newest first: by message, the newest message's files first (files of one message in either order).
    expect(page.files.map((f) => f.seq)).toEqual([reply.seq, second.seq, second.seq, first.seq]);
    expect(page.files.map((f) => f.attachment.id).sort()).toEqual([image.id, doc.id, audio.id, threaded.id].sort());
    expect(page.files[0]).toEqual({
      attachment: reply.attachments[0],
      seq: reply.seq,
      threadRootSeq: root.seq,
      author: { id: alice.id, username: alice.username, displayName: alice.displayName, avatar: null },
      createdAt: reply.createdAt,
    });
    expect(page.files.find((f) => f.attachment.id === image.id)).toMatchObject({ seq: first.seq, threadRootSeq: null });
    expect(page.files.find((f) => f.attachment.id === doc.id)?.seq).toBe(second.seq);
    expect(page.nextCursor).toBeNull();

    const images = (await api(bob.cookie, 'GET', `/api/rooms/${room}/files?kind=image`)).json as RoomFilesPage;
    expect(images.files.map((f) => f.attachment.id)).toEqual([threaded.id, image.id]);

    // Pages of one, following nextCursor, give the same files in the same order.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=1&before=${encodeURIComponent(cursor)}` : '?limit=1';
      const onePage = (await api(bob.cookie, 'GET', `/api/rooms/${room}/files${query}`)).json as RoomFilesPage;
      expect(onePage.files.length).toBeLessThanOrEqual(1);
      seen.push(...onePage.files.map((f) => f.attachment.id));
      cursor = onePage.nextCursor;
    } while (cursor && seen.length < 10);
    expect(seen).toEqual(page.files.map((f) => f.attachment.id));

    for (const query of ['?limit=0', '?limit=101', '?kind=pdf', '?before=garbage', '?sort=oldest']) {
      const answer = await api(bob.cookie, 'GET', `/api/rooms/${room}/files${query}`);
      expect({ query, status: answer.status }).toEqual({ query, status: 422 });
    }
    const outsider = await person();
    expect((await api(outsider.cookie, 'GET', `/api/rooms/${room}/files`)).status).toBe(403);
    expect((await api(undefined, 'GET', `/api/rooms/${room}/files`)).status).toBe(401);
    expect((await api(alice.cookie, 'GET', '/api/rooms/AAAAAAAAAA/files')).status).toBe(404);
  });

  it('has:file and has:image find messages with files (and of that kind) in search', async () => {
    const room = await roomOf(alice, 'private', bob);
    const socket = (await open(alice, room)).socket;
    // A made-up word no other test writes, that the stemmer leaves alone (consonant-vowel syllables, then "k").
    const syllable = () => 'bdfgkmprtvz'[Math.floor(Math.random() * 11)]! + 'aiou'[Math.floor(Math.random() * 4)]!;
    const marker = `zu${Array.from({ length: 6 }, syllable).join('')}k`;
    const image = await up(alice, room, await png(8, 8), 'pic.png');
    const withImage = sent(await sendFiles(socket, { body: `${marker} image`, attachments: [image.id] }));
    const doc = await up(alice, room, pdf(), 'doc.pdf');
    const withDoc = sent(await sendFiles(socket, { body: `${marker} document`, attachments: [doc.id] }));
    const plain = sent(await sendFiles(socket, { body: `${marker} nothing attached` }));
    const found = async (q: string) => {
      const answer = await api(bob.cookie, 'GET', `/api/search?${new URLSearchParams({ q, limit: '50' }).toString()}`);
      expect(answer.status, answer.text.slice(0, 200)).toBe(200);
      return (answer.json as SearchPage).hits.map((h) => h.message.seq).sort((a, b) => a - b);
    };
    expect(await found(`${marker} has:file`)).toEqual([withImage.seq, withDoc.seq]);
    expect(await found(`${marker} has:image`)).toEqual([withImage.seq]);
    expect(await found(`${marker} has:video`)).toEqual([]);
    expect(await found(`${marker}`)).toEqual([withImage.seq, withDoc.seq, plain.seq]);
    // A filter alone is a query; hits carry their files.
    const onlyFilter = await api(bob.cookie, 'GET', `/api/search?q=${encodeURIComponent(`has:image in:#${(await getDb().room.findUniqueOrThrow({ where: { id: room } })).name}`)}`);
    expect(((onlyFilter.json as SearchPage).hits.map((h) => h.message.attachments[0]?.id))).toEqual([image.id]);
    // A deleted message is not found, nor its files.
    sent((await socket.timeout(10_000).emitWithAck('message:delete', { seq: withImage.seq })) as Awaited<ReturnType<typeof sendFiles>>);
    expect(await found(`${marker} has:image`)).toEqual([]);
  });
});

describe('DELETE /api/uploads/:id', () => {
  it('removes one of your unsent uploads (204, its bytes gone, its quota back); 404 for anything else', async () => {
    const [alice, bob] = await Promise.all([person(), person()]);
    const roomId = await roomOf(alice, 'public', bob);
    const socket = (await open(alice, roomId)).socket;
    const mine = await up(alice, roomId, randomBytes(5000), 'mine.bin');
    const bobs = await up(bob, roomId, randomBytes(5000), 'bobs.bin');
    const sentOne = await up(alice, roomId, randomBytes(5000), 'sent.bin');
    sent(await sendFiles(socket, { attachments: [sentOne.id] }));
    expect(await usedBytes(alice)).toBe(10_000);

    const del = (who: Person | undefined, id: string) => api(who?.cookie, 'DELETE', `/api/uploads/${id}`);
    expect((await del(undefined, mine.id)).status).toBe(401);
    for (const [what, who, id] of [
      ['someone else’s', alice, bobs.id],
      ['already sent', alice, sentOne.id],
      ['unknown', alice, unknownId()],
      ['malformed', alice, 'not-a-uuid'],
    ] as const) {
      const answer = await del(who, id);
      expect({ what, status: answer.status }).toEqual({ what, status: 404 });
      expect((answer.json as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
    const removed = await del(alice, mine.id);
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expect((await del(alice, mine.id)).status).toBe(404);
    expect((await getFile(rt.url, alice.cookie, mine.url)).status).toBe(404);
    expect(await usedBytes(alice)).toBe(5000);
    // The others are untouched.
    expect((await getFile(rt.url, bob.cookie, bobs.url)).status).toBe(200);
    expect((await getFile(rt.url, bob.cookie, sentOne.url)).status).toBe(200);
  });
});

for (const backend of ['local', 's3'] as Backend[]) {
  describe(`deletion and garbage collection (${backend} storage)`, () => {
    let storage: TestStorage;

    beforeAll(async () => {
      storage = await useStorage(backend);
    });
    afterAll(async () => {
      await storage?.close();
    });

    const objectsOf = (roomId: string) => storage.probe.keys(`${roomId}/`);

    it('deleting a message: a tombstone with attachments [], its files 404 (thumbnails too), gone from the Files view, objects removed', async () => {
      const [alice, bob] = await Promise.all([person(), person()]);
      const roomId = await roomOf(alice, 'public', bob);
      const aliceSocket = (await open(alice, roomId)).socket;
      const bobSocket = (await open(bob, roomId)).socket;
      const bobUpdates = collect<ChatMessage>(bobSocket, 'message:updated');
      const image = await up(alice, roomId, await png(900, 300), 'gone.png');
      const doc = await up(alice, roomId, pdf(), 'gone.pdf');
      const kept = await up(alice, roomId, pdf(), 'kept.pdf');
      const message = sent(await sendFiles(aliceSocket, { body: 'both', attachments: [image.id, doc.id] }));
      const other = sent(await sendFiles(aliceSocket, { body: 'another', attachments: [kept.id] }));
      expect((await objectsOf(roomId)).length).toBe(4); // image, its thumbnail, two PDFs
      const before = await usedBytes(alice);

      const tombstone = sent((await aliceSocket.timeout(10_000).emitWithAck('message:delete', { seq: message.seq })) as Awaited<ReturnType<typeof sendFiles>>);
      expect(tombstone).toMatchObject({ seq: message.seq, body: '', attachments: [] });
      expect(tombstone.deletedAt).not.toBeNull();
      await eventually(() => bobUpdates.some((m) => m.seq === message.seq), 10_000);
      expect(bobUpdates.find((m) => m.seq === message.seq)?.attachments).toEqual([]);
      expect((await history(bob, roomId)).find((m) => m.seq === message.seq)?.attachments).toEqual([]);

      for (const who of [alice, bob]) {
        for (const url of [image.url, image.thumbnail!.url, doc.url]) expect({ url, status: (await getFile(rt.url, who.cookie, url)).status }).toEqual({ url, status: 404 });
      }
      const files = (await api(bob.cookie, 'GET', `/api/rooms/${roomId}/files`)).json as RoomFilesPage;
      expect(files.files.map((f) => f.attachment.id)).toEqual([kept.id]);
      expect(await usedBytes(alice)).toBe(before - image.size - doc.size);

      await collectFileGarbage();
      const left = await objectsOf(roomId);
      expect(left).toHaveLength(1);
      expect(left[0]).toContain(kept.id);
      expect((await getFile(rt.url, bob.cookie, other.attachments[0]!.url)).status).toBe(200);
    });

    it('with the server’s collector running, a deleted message’s, a deleted room’s and a removed upload’s bytes go within seconds, not at the next interval', async () => {
      // An interval far longer than the test: only the collector being told about the delete can explain a removal.
      const collector = startGarbageCollector({ storage: getStorage(), unattachedHours: 24, tempDirs: [uploadTempDir(getEnv())], log: getLogger(), intervalMs: 3_600_000 });
      try {
        const alice = await person();
        const roomId = await roomOf(alice, 'public');
        const socket = (await open(alice, roomId)).socket;
        const inMessage = await up(alice, roomId, await png(30, 30), 'message.png');
        const message = sent(await sendFiles(socket, { attachments: [inMessage.id] }));
        const draft = await up(alice, roomId, pdf(), 'draft.pdf');
        const otherRoom = await roomOf(alice, 'private');
        await up(alice, otherRoom, pdf(), 'room.pdf');
        // The collector's first sweep (at start) has run: nothing is queued now.
        await eventuallyAsync(async () => (await getDb().storageGarbage.count({ where: { key: { startsWith: roomId } } })) === 0, 10_000);
        expect((await objectsOf(roomId)).length).toBe(3);

        sent((await socket.timeout(10_000).emitWithAck('message:delete', { seq: message.seq })) as Awaited<ReturnType<typeof sendFiles>>);
        await eventuallyAsync(async () => (await objectsOf(roomId)).length === 1, 15_000);
        expect((await api(alice.cookie, 'DELETE', `/api/uploads/${draft.id}`)).status).toBe(204);
        await eventuallyAsync(async () => (await objectsOf(roomId)).length === 0, 15_000);
        expect((await api(alice.cookie, 'DELETE', `/api/rooms/${otherRoom}`)).status).toBe(204);
        await eventuallyAsync(async () => (await objectsOf(otherRoom)).length === 0, 15_000);
      } finally {
        await collector.stop();
      }
    });

    it('deleting a room deletes every file of the room, sent or not', async () => {
      const [alice, bob] = await Promise.all([person(), person()]);
      const roomId = await roomOf(alice, 'private', bob);
      const socket = (await open(bob, roomId)).socket;
      const sentFile = await up(bob, roomId, await png(40, 40), 'sent.png');
      sent(await sendFiles(socket, { attachments: [sentFile.id] }));
      const unsent = await up(alice, roomId, pdf(), 'draft.pdf');
      const elsewhere = await roomOf(alice, 'public');
      const survivor = await up(alice, elsewhere, pdf(), 'survivor.pdf');
      expect((await objectsOf(roomId)).length).toBe(3);

      expect((await api(alice.cookie, 'DELETE', `/api/rooms/${roomId}`)).status).toBe(204);
      expect(await attachmentRows(roomId)).toEqual([]);
      for (const [who, url] of [[bob, sentFile.url], [alice, unsent.url], [alice, sentFile.thumbnail!.url]] as const) {
        expect((await getFile(rt.url, who.cookie, url)).status).toBe(404);
      }
      expect(await usedBytes(bob)).toBe(0);
      await collectFileGarbage();
      expect(await objectsOf(roomId)).toEqual([]);
      expect((await getFile(rt.url, alice.cookie, survivor.url)).status).toBe(200);
      expect(await objectsOf(elsewhere)).toHaveLength(1);
    });

    it(`an upload no message took within UPLOAD_UNATTACHED_HOURS is deleted with its object; newer and sent ones stay`, async () => {
      const alice = await person();
      const roomId = await roomOf(alice, 'public');
      const socket = (await open(alice, roomId)).socket;
      const stale = await up(alice, roomId, await png(30, 30), 'stale.png');
      const fresh = await up(alice, roomId, pdf(), 'fresh.pdf');
      const oldButSent = await up(alice, roomId, pdf(), 'old-sent.pdf');
      sent(await sendFiles(socket, { attachments: [oldButSent.id] }));
      const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
      await getDb().attachment.updateMany({ where: { id: { in: [stale.id, oldButSent.id] } }, data: { createdAt: hoursAgo(25) } });
      await getDb().attachment.update({ where: { id: fresh.id }, data: { createdAt: hoursAgo(23) } });
      expect((await objectsOf(roomId)).length).toBe(4);

      await collectFileGarbage();
      const ids = (await attachmentRows(roomId)).map((r) => r.id).sort();
      expect(ids).toEqual([fresh.id, oldButSent.id].sort());
      const left = await objectsOf(roomId);
      expect(left).toHaveLength(2);
      expect(left.some((key) => key.includes(stale.id))).toBe(false);
      expect((await getFile(rt.url, alice.cookie, stale.url)).status).toBe(404);
      expect((await getFile(rt.url, alice.cookie, stale.thumbnail!.url)).status).toBe(404);
      expect((await getFile(rt.url, alice.cookie, fresh.url)).status).toBe(200);
      expect(await usedBytes(alice)).toBe(fresh.size + oldButSent.size);
      // It can no longer be sent.
      const ack = await sendFiles(socket, { attachments: [stale.id] });
      expect(ack.ok ? 'ok' : ack.error.code).toBe('NOT_FOUND');
      // A second pass finds nothing more to do.
      await collectFileGarbage();
      expect((await attachmentRows(roomId)).length).toBe(2);
    });

    it('an upload left half-done by a crash (still "uploading" after the grace period) is collected too', async () => {
      const alice = await person();
      const roomId = await roomOf(alice, 'public');
      const a: Attachment = await up(alice, roomId, randomBytes(2000), 'crashed.bin');
      await getDb().attachment.update({ where: { id: a.id }, data: { status: 'uploading', createdAt: new Date(Date.now() - 25 * 3_600_000) } });
      await collectFileGarbage();
      expect(await attachmentRows(roomId)).toEqual([]);
      expect(await objectsOf(roomId)).toEqual([]);
      expect(await usedBytes(alice)).toBe(0);
    });
  });
}
