/**
 * Serving files, on BOTH storage backends (local disk, and a real S3-compatible server: s3rver), from the
 * contract (docs/protocol.md §4.11 "Reading", §6 `GET /api/files/:id` and `/thumbnail`):
 *
 * - the download authorization matrix: members read; the outsider, the former member of a private room, the
 *   third party of a direct conversation, anonymous requests, a revoked session, another member before the
 *   upload is sent — all get 404 with a body identical to that of an id that does not exist; the uploader
 *   reads their own upload before sending it; GET, HEAD, the thumbnail and ranged requests alike;
 * - ranges (206 with the right Content-Range and bytes, 416, several ranges → 200), HEAD, ETag and 304
 *   (never for someone who may no longer read), and the headers that make a file inert in a browser tab.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { leaveRoom } from '@/lib/data/rooms';
import { revokeAllSessions } from '@/lib/data/sessions';
import type { Attachment } from '@/lib/schemas/attachment';
import { openRoom, signInAs, startTestRealtime, type TestRealtime } from '@/lib/testing/realtime';
import { jpegWithPrivateMetadata, png, randomBytes } from '@/lib/testing/file-fixtures';
import {
  directOf,
  getFile,
  ownDataDir,
  person,
  roomOf,
  sendFiles,
  uploadOk,
  useStorage,
  type Backend,
  type HttpResult,
  type Person,
  type TestStorage,
} from '@/lib/testing/uploads';

vi.stubEnv('DATA_DIR', ownDataDir());
vi.stubEnv('RATE_LIMIT_UPLOADS_PER_MINUTE', '100000');
vi.stubEnv('RATE_LIMIT_ROOMS_PER_HOUR', '100000');
vi.stubEnv('RATE_LIMIT_DIRECTS_PER_HOUR', '100000');

const FILE_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox";

let rt: TestRealtime;
const sockets: Socket[] = [];

beforeAll(async () => {
  rt = await startTestRealtime();
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await rt?.close();
});

/** Uploads `bytes` as `who` into the room and sends them in a message; the attachment as sent. */
async function share(who: Person, roomId: string, bytes: Buffer, name: string): Promise<Attachment> {
  const attachment = await uploadOk(rt.url, who.cookie, roomId, bytes, { name });
  const { socket } = await openRoom(rt.url, who, roomId, { cookie: who.cookie });
  sockets.push(socket);
  const ack = await sendFiles(socket, { body: `here is ${name}`, attachments: [attachment.id] });
  if (!ack.ok) throw new Error(`send failed: ${ack.error.code} ${ack.error.message}`);
  socket.close();
  return ack.data.attachments[0]!;
}

type Actor = 'owner' | 'member' | 'outsider' | 'exMember' | 'dmA' | 'dmB' | 'anonymous' | 'garbageSession' | 'revokedSession';
const ACTORS: Actor[] = ['owner', 'member', 'outsider', 'exMember', 'dmA', 'dmB', 'anonymous', 'garbageSession', 'revokedSession'];

for (const backend of ['local', 's3'] as Backend[]) {
  describe(`serving files (${backend} storage)`, () => {
    let storage: TestStorage;
    const cookies = {} as Record<Actor, string | undefined>;
    let files: { privateRoom: Attachment; direct: Attachment; publicRoom: Attachment; unsent: Attachment; blob: Attachment };
    let blobBytes: Buffer;
    /** What a non-reader is told: the answer for an id that does not exist. */
    let notFound: HttpResult;

    beforeAll(async () => {
      storage = await useStorage(backend);
      const [owner, member, outsider, exMember, dmA, dmB, revoked] = await Promise.all(Array.from({ length: 7 }, () => person()));
      Object.assign(cookies, {
        owner: owner!.cookie,
        member: member!.cookie,
        outsider: outsider!.cookie,
        exMember: exMember!.cookie,
        dmA: dmA!.cookie,
        dmB: dmB!.cookie,
        anonymous: undefined,
        garbageSession: 'authjs.session-token=garbage',
        revokedSession: revoked!.cookie,
      });
      const privateRoom = await roomOf(owner!, 'private', member!, exMember!, revoked!);
      const publicRoom = await roomOf(owner!, 'public', member!);
      const direct = await directOf(dmA!, dmB!);
      blobBytes = randomBytes(1000, 77);
      files = {
        privateRoom: await share(owner!, privateRoom, await jpegWithPrivateMetadata(), 'private.jpg'),
        direct: await share(dmA!, direct, await png(900, 600), 'direct.png'),
        publicRoom: await share(owner!, publicRoom, await png(50, 50), 'public.png'),
        unsent: await uploadOk(rt.url, member!.cookie, privateRoom, await png(30, 30), { name: 'draft.png' }),
        blob: await share(member!, publicRoom, blobBytes, 'data.bin'),
      };
      // The former member read the room when the file was sent; now they have left it.
      await leaveRoom({ roomId: privateRoom, userId: exMember!.id });
      await revokeAllSessions({ userId: revoked!.id });
      notFound = await getFile(rt.url, undefined, `/api/files/${randomUUID()}`);
    }, 120_000);

    afterAll(async () => {
      await storage?.close();
    });

    const readers: Record<'privateRoom' | 'direct' | 'publicRoom' | 'unsent', Actor[]> = {
      privateRoom: ['owner', 'member'],
      direct: ['dmA', 'dmB'],
      publicRoom: ['owner', 'member'],
      // Only its uploader until it is sent: not even the room's owner.
      unsent: ['member'],
    };

    it('an id that does not exist is 404 NOT_FOUND in the error shape, for anyone', async () => {
      expect(notFound.status).toBe(404);
      expect((notFound.json as { error: { code: string } }).error.code).toBe('NOT_FOUND');
      for (const cookie of [cookies.owner, undefined]) {
        for (const path of [`/api/files/${randomUUID()}`, `/api/files/${randomUUID()}/thumbnail`, '/api/files/not-a-uuid', '/api/files/%00', '/api/files/..%2F..%2Fetc%2Fpasswd']) {
          const answer = await getFile(rt.url, cookie, path);
          expect({ path, status: answer.status, body: answer.body.toString() }).toEqual({ path, status: 404, body: notFound.body.toString() });
        }
      }
    });

    for (const which of ['privateRoom', 'direct', 'publicRoom', 'unsent'] as const) {
      it(`the authorization matrix: the ${which} file (GET, HEAD, Range, thumbnail)`, async () => {
        const file = files[which];
        const mismatches: string[] = [];
        for (const actor of ACTORS) {
          const cookie = cookies[actor];
          const allowed = readers[which].includes(actor);
          const requests: { label: string; url: string; method?: 'GET' | 'HEAD'; headers?: Record<string, string> }[] = [
            { label: 'GET', url: file.url },
            { label: 'HEAD', url: file.url, method: 'HEAD' },
            { label: 'Range', url: file.url, headers: { range: 'bytes=0-9' } },
            { label: 'thumbnail', url: file.thumbnail!.url },
            { label: 'download=1', url: `${file.url}?download=1` },
          ];
          for (const r of requests) {
            const answer = await getFile(rt.url, cookie, r.url, { method: r.method, headers: r.headers });
            const expected = allowed ? (r.label === 'Range' ? 206 : 200) : 404;
            if (answer.status !== expected) mismatches.push(`${actor} ${r.label}: expected ${expected}, got ${answer.status}`);
            if (!allowed) {
              // Identical to an id that does not exist: nothing tells the file exists.
              const same = r.method === 'HEAD' ? answer.body.length === 0 : answer.body.equals(notFound.body);
              if (!same) mismatches.push(`${actor} ${r.label}: a 404 unlike the unknown id's: ${answer.body.toString().slice(0, 200)}`);
              if (answer.headers['content-type'] !== notFound.headers['content-type']) mismatches.push(`${actor} ${r.label}: content-type ${answer.headers['content-type']}`);
              for (const header of ['etag', 'content-range', 'content-disposition', 'last-modified']) {
                if (answer.headers[header] !== undefined) mismatches.push(`${actor} ${r.label}: ${header} on a 404`);
              }
            }
          }
        }
        expect(mismatches).toEqual([]);
      });
    }

    it('a Bearer token works like the cookie', async () => {
      const token = cookies.member!.replace(/^authjs\.session-token=/, '');
      const answer = await getFile(rt.url, undefined, files.publicRoom.url, { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(200);
      const outsiderToken = cookies.outsider!.replace(/^authjs\.session-token=/, '');
      expect((await getFile(rt.url, undefined, files.publicRoom.url, { headers: { authorization: `Bearer ${outsiderToken}` } })).status).toBe(404);
    });

    it('ranges: one range is 206 with its Content-Range and bytes; past the end 416; several ranges the whole file', async () => {
      const { url, size } = files.blob;
      expect(size).toBe(1000);
      const read = (range: string) => getFile(rt.url, cookies.member, url, { headers: { range } });
      const cases: [string, number, number][] = [
        ['bytes=100-199', 100, 199],
        ['bytes=0-0', 0, 0],
        ['bytes=990-', 990, 999],
        ['bytes=-100', 900, 999],
        ['bytes=900-5000', 900, 999],
      ];
      for (const [range, start, end] of cases) {
        const answer = await read(range);
        expect({ range, status: answer.status, contentRange: answer.headers['content-range'], length: answer.headers['content-length'] }).toEqual({
          range,
          status: 206,
          contentRange: `bytes ${start}-${end}/1000`,
          length: String(end - start + 1),
        });
        expect(answer.body.equals(blobBytes.subarray(start, end + 1))).toBe(true);
      }
      for (const range of ['bytes=1000-', 'bytes=5000-6000']) {
        const answer = await read(range);
        expect({ range, status: answer.status, contentRange: answer.headers['content-range'] }).toEqual({ range, status: 416, contentRange: 'bytes */1000' });
      }
      const several = await read('bytes=0-1,5-6');
      expect(several.status).toBe(200);
      expect(several.body.equals(blobBytes)).toBe(true);
      const whole = await getFile(rt.url, cookies.member, url);
      expect(whole.status).toBe(200);
      expect(whole.headers['accept-ranges']).toBe('bytes');
      expect(whole.headers['content-length']).toBe('1000');
      expect(whole.body.equals(blobBytes)).toBe(true);
    });

    it('HEAD gives the headers of GET and no body', async () => {
      const get = await getFile(rt.url, cookies.member, files.publicRoom.url);
      const head = await getFile(rt.url, cookies.member, files.publicRoom.url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      for (const header of ['content-type', 'content-length', 'etag', 'content-disposition', 'cache-control', 'accept-ranges']) {
        expect({ header, value: head.headers[header] }).toEqual({ header, value: get.headers[header] });
      }
      const thumbHead = await getFile(rt.url, cookies.member, files.publicRoom.thumbnail!.url, { method: 'HEAD' });
      expect(thumbHead.status).toBe(200);
      expect(thumbHead.headers['content-type']).toBe('image/webp');
    });

    it('ETag and If-None-Match: 304 for a reader; never for someone who may no longer read (404)', async () => {
      const first = await getFile(rt.url, cookies.owner, files.privateRoom.url);
      const etag = String(first.headers.etag ?? '');
      expect(etag).not.toBe('');
      expect(first.headers['cache-control']).toBe('private, no-cache');
      const again = await getFile(rt.url, cookies.member, files.privateRoom.url, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
      const changed = await getFile(rt.url, cookies.member, files.privateRoom.url, { headers: { 'if-none-match': '"something-else"' } });
      expect(changed.status).toBe(200);
      for (const actor of ['exMember', 'outsider', 'anonymous'] as const) {
        const answer = await getFile(rt.url, cookies[actor], files.privateRoom.url, { headers: { 'if-none-match': etag } });
        expect({ actor, status: answer.status }).toEqual({ actor, status: 404 });
      }
      // The thumbnail has its own ETag.
      const thumb = await getFile(rt.url, cookies.owner, files.privateRoom.thumbnail!.url);
      expect(thumb.headers.etag).toBeDefined();
      expect(thumb.headers.etag).not.toBe(etag);
      expect((await getFile(rt.url, cookies.owner, files.privateRoom.thumbnail!.url, { headers: { 'if-none-match': String(thumb.headers.etag) } })).status).toBe(304);
    });

    it('the ETag is strong and stable (the bytes never change); If-Range with it is honoured, with another value the whole file', async () => {
      const first = await getFile(rt.url, cookies.member, files.blob.url);
      const again = await getFile(rt.url, cookies.owner, files.blob.url, { method: 'HEAD' });
      const etag = String(first.headers.etag ?? '');
      expect(etag).toMatch(/^"[^"]+"$/);
      expect(again.headers.etag).toBe(etag);
      const matching = await getFile(rt.url, cookies.member, files.blob.url, { headers: { range: 'bytes=10-19', 'if-range': etag } });
      expect(matching.status).toBe(206);
      expect(matching.body.equals(blobBytes.subarray(10, 20))).toBe(true);
      const stale = await getFile(rt.url, cookies.member, files.blob.url, { headers: { range: 'bytes=10-19', 'if-range': '"another"' } });
      expect(stale.status).toBe(200);
      expect(stale.body.equals(blobBytes)).toBe(true);
    });

    it('every file answer is inert in a browser tab: nosniff, a sandboxing CSP, same-origin CORP', async () => {
      for (const url of [files.publicRoom.url, files.publicRoom.thumbnail!.url, files.blob.url, `${files.blob.url}?download=1`]) {
        for (const headers of [{}, { range: 'bytes=0-3' }] as Record<string, string>[]) {
          const answer = await getFile(rt.url, cookies.member, url, { headers });
          expect({
            url,
            nosniff: answer.headers['x-content-type-options'],
            csp: answer.headers['content-security-policy'],
            corp: answer.headers['cross-origin-resource-policy'],
          }).toEqual({ url, nosniff: 'nosniff', csp: FILE_CSP, corp: 'same-origin' });
        }
      }
    });

    it('inline only for raster images, audio and video; download=1 always an attachment', async () => {
      const image = await getFile(rt.url, cookies.member, files.publicRoom.url);
      expect(String(image.headers['content-disposition'])).toMatch(/^inline;/);
      const forced = await getFile(rt.url, cookies.member, `${files.publicRoom.url}?download=1`);
      expect(String(forced.headers['content-disposition'])).toMatch(/^attachment;/);
      expect(forced.headers['content-type']).toBe('image/png');
      const blob = await getFile(rt.url, cookies.member, files.blob.url);
      expect(String(blob.headers['content-disposition'])).toMatch(/^attachment;/);
      expect(blob.headers['content-type']).toBe('application/octet-stream');
    });

    it('a session revoked after reading ends access at once; a new session of a member reads', async () => {
      const user = await person();
      const roomId = await roomOf(user, 'public');
      const file = await share(user, roomId, await png(5, 5), 'mine.png');
      const { cookie, sessionId } = await signInAs(user);
      expect((await getFile(rt.url, cookie, file.url)).status).toBe(200);
      await revokeAllSessions({ userId: user.id, keep: undefined });
      expect((await getFile(rt.url, cookie, file.url)).status).toBe(404);
      expect(sessionId).toBeTruthy();
      const fresh = await signInAs(user);
      expect((await getFile(rt.url, fresh.cookie, file.url)).status).toBe(200);
    });

    it('the bytes are exactly those stored (no double encoding across the backend)', async () => {
      const answer = await getFile(rt.url, cookies.member, files.blob.url);
      expect(answer.body.equals(blobBytes)).toBe(true);
      expect(await storage.probe.keys()).toEqual(expect.arrayContaining([expect.stringContaining(files.blob.id)]));
    });
  });
}
