/**
 * Uploads at their limits, from the contract (docs/protocol.md §4.11, §6 `POST /api/rooms/:roomId/uploads`,
 * §7): the size limit before and while the bytes stream, `Expect: 100-continue`, empty and aborted uploads
 * (nothing left behind: no row, no object, no temp file), the order of checks, the per-user rate limit
 * under 50 parallel uploads, and the quota reserved atomically by parallel uploads.
 *
 * The server runs in this process (startTestRealtime serves the upload handler beside the sockets) with a
 * 2 MiB file limit and a 5 MiB quota, its DATA_DIR and storage folder its own.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UploadLimits } from '@/lib/schemas/attachment';
import { eventuallyAsync, startTestRealtime, type TestRealtime } from '@/lib/testing/realtime';
import { png, randomBytes } from '@/lib/testing/file-fixtures';
import {
  api,
  attachmentRows,
  directOf,
  generatedBytes,
  ownDataDir,
  person,
  rawRequest,
  roomOf,
  settledLeftovers,
  tempFiles,
  upload,
  uploadOk,
  uploadUrl,
  useStorage,
  withPicked,
  type Person,
  type TestStorage,
} from '@/lib/testing/uploads';

const MiB = 1024 * 1024;
const LIMIT = 2 * MiB;
const QUOTA = 5 * MiB;
// Read once, on first use (lib/env.ts); every test file runs in its own process.
vi.stubEnv('DATA_DIR', ownDataDir());
vi.stubEnv('UPLOAD_MAX_BYTES', String(LIMIT));
vi.stubEnv('UPLOAD_QUOTA_BYTES', String(QUOTA));
vi.stubEnv('RATE_LIMIT_ROOMS_PER_HOUR', '100000');
vi.stubEnv('MAX_ROOMS_PER_USER', '100000');

/** The limit as a person would read it in the message ("2 MiB", "2 MB", or the bytes). */
const NAMES_THE_LIMIT = /\b2(\.0+)? ?(MiB|MB)\b|2,?097,?152/;

let rt: TestRealtime;
let storage: TestStorage;

beforeAll(async () => {
  rt = await startTestRealtime();
  rt.handleRequestsHere();
  storage = await useStorage('local');
});

afterAll(async () => {
  await rt?.close();
  await storage?.close();
});

async function emptyRoom(): Promise<{ owner: Person; roomId: string }> {
  const owner = await person();
  return { owner, roomId: await roomOf(owner, 'public') };
}

async function expectNothingLeft(roomId: string): Promise<void> {
  expect(await settledLeftovers(roomId, storage.probe)).toEqual({ rows: 0, objects: [], temp: [] });
}

async function usedBytes(who: Person): Promise<number> {
  const answer = await api(who.cookie, 'GET', '/api/uploads');
  expect(answer.status).toBe(200);
  return (answer.json as UploadLimits).usedBytes;
}

describe('the size limit', () => {
  it('a Content-Length over the limit is refused with 413 naming the limit, before any of the body is sent', async () => {
    const { owner, roomId } = await emptyRoom();
    // Headers only: the body never comes, so an answer proves the server did not wait for it.
    const result = await rawRequest(uploadUrl(rt.url, roomId, { name: 'big.bin' }), {
      method: 'POST',
      headers: { cookie: owner.cookie, 'content-type': 'application/octet-stream', 'content-length': LIMIT + 1 },
      timeoutMs: 15_000,
    });
    expect(result.error?.message ?? '').not.toMatch(/no complete answer/);
    const answer = withPicked(result.response!);
    expect(answer.status).toBe(413);
    expect(answer.error?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(answer.error?.message).toMatch(NAMES_THE_LIMIT);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    await expectNothingLeft(roomId);
    expect(await usedBytes(owner)).toBe(0);
  });

  it('with Expect: 100-continue the 413 comes instead of 100 Continue: not one byte of the body is sent', async () => {
    const { owner, roomId } = await emptyRoom();
    const result = await rawRequest(uploadUrl(rt.url, roomId, { name: 'big.bin' }), {
      method: 'POST',
      headers: { cookie: owner.cookie, 'content-type': 'application/octet-stream', 'content-length': 50 * MiB },
      expectContinue: true,
      body: generatedBytes(50 * MiB),
      timeoutMs: 15_000,
    });
    expect(result.continued).toBe(false);
    expect(result.bytesSent).toBe(0);
    const answer = withPicked(result.response!);
    expect(answer.status).toBe(413);
    expect(answer.error?.message).toMatch(NAMES_THE_LIMIT);
    await expectNothingLeft(roomId);
  });

  it('with Expect: 100-continue every check before the bytes answers without asking for them', async () => {
    const { owner, roomId } = await emptyRoom();
    const outsider = await person();
    const privateRoom = await roomOf(owner, 'private');
    const cases: { what: string; url: string; cookie?: string; status: number }[] = [
      { what: 'no session', url: uploadUrl(rt.url, roomId, { name: 'a.bin' }), status: 401 },
      { what: 'bad query', url: uploadUrl(rt.url, roomId, { name: 'a.bin', query: { colour: 'red' } }), cookie: owner.cookie, status: 422 },
      { what: 'not a member', url: uploadUrl(rt.url, privateRoom, { name: 'a.bin' }), cookie: outsider.cookie, status: 403 },
      { what: 'no such room', url: uploadUrl(rt.url, 'AAAAAAAAAA', { name: 'a.bin' }), cookie: owner.cookie, status: 404 },
    ];
    for (const c of cases) {
      const result = await rawRequest(c.url, {
        method: 'POST',
        headers: { ...(c.cookie ? { cookie: c.cookie } : {}), 'content-type': 'application/octet-stream', 'content-length': 1000 },
        expectContinue: true,
        body: randomBytes(1000),
        timeoutMs: 15_000,
      });
      expect({ what: c.what, status: result.response?.status, continued: result.continued, sent: result.bytesSent }).toEqual({ what: c.what, status: c.status, continued: false, sent: 0 });
    }
    await expectNothingLeft(privateRoom);
  });

  it('with Expect: 100-continue an acceptable upload is asked for its bytes and stored', async () => {
    const { owner, roomId } = await emptyRoom();
    const bytes = randomBytes(300_000, 7);
    const result = await rawRequest(uploadUrl(rt.url, roomId, { name: 'ok.bin' }), {
      method: 'POST',
      headers: { cookie: owner.cookie, 'content-type': 'application/octet-stream', 'content-length': bytes.length },
      expectContinue: true,
      body: bytes,
    });
    expect(result.continued).toBe(true);
    const answer = withPicked(result.response!);
    expect(answer.status).toBe(201);
    expect(answer.attachment?.size).toBe(bytes.length);
  });

  it('exactly the limit is accepted; one byte more, sent chunked, is 413 and leaves nothing', async () => {
    const { owner, roomId } = await emptyRoom();
    const atLimit = await uploadOk(rt.url, owner.cookie, roomId, randomBytes(LIMIT, 3), { name: 'exact.bin', chunked: true });
    expect(atLimit.size).toBe(LIMIT);

    const other = await emptyRoom();
    const over = await upload(rt.url, other.owner.cookie, other.roomId, randomBytes(LIMIT + 1, 4), { name: 'over.bin', chunked: true });
    expect(over.status).toBe(413);
    expect(over.error?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(over.error?.message).toMatch(NAMES_THE_LIMIT);
    await expectNothingLeft(other.roomId);
    expect(await usedBytes(other.owner)).toBe(0);
  });

  it('a chunked body that grows past the limit is cut off with 413 as soon as it does, leaving nothing', async () => {
    const { owner, roomId } = await emptyRoom();
    const total = LIMIT + 32 * MiB;
    const result = await rawRequest(uploadUrl(rt.url, roomId, { name: 'stream.bin' }), {
      method: 'POST',
      headers: { cookie: owner.cookie, 'content-type': 'application/octet-stream' },
      body: generatedBytes(total, 64 * 1024),
      timeoutMs: 30_000,
    });
    expect(result.response?.status, String(result.error)).toBe(413);
    expect(withPicked(result.response!).error?.code).toBe('PAYLOAD_TOO_LARGE');
    // Cut off: the server did not read on to the end (socket buffers aside, far less than 32 MiB more).
    expect(result.bytesSent).toBeLessThan(total);
    await expectNothingLeft(roomId);
    expect(await usedBytes(owner)).toBe(0);
  });

  it('a zero-byte file is refused with 422, with a Content-Length and chunked alike, and nothing is stored', async () => {
    const { owner, roomId } = await emptyRoom();
    for (const chunked of [false, true]) {
      const answer = await upload(rt.url, owner.cookie, roomId, Buffer.alloc(0), { name: 'empty.txt', chunked });
      expect({ chunked, status: answer.status, code: answer.error?.code }).toEqual({ chunked, status: 422, code: 'INVALID_PAYLOAD' });
    }
    await expectNothingLeft(roomId);
  });
});

describe('an upload cut off by the client', () => {
  for (const framing of ['content-length', 'chunked'] as const) {
    it(`leaves no row, no object and no temp file (${framing})`, async () => {
      const { owner, roomId } = await emptyRoom();
      const declared = LIMIT - 1000;
      const tempBefore = new Set((await tempFiles()).map((t) => t.file));
      const result = await rawRequest(uploadUrl(rt.url, roomId, { name: 'half.bin' }), {
        method: 'POST',
        headers: { cookie: owner.cookie, 'content-type': 'application/octet-stream', ...(framing === 'content-length' ? { 'content-length': declared } : {}) },
        body: generatedBytes(declared, 32 * 1024),
        abortAfterBytes: Math.floor(declared / 2),
        // Go away only once the server is holding part of the file: a row or a temp file with bytes in it.
        beforeAbort: () =>
          eventuallyAsync(async () => {
            const temp = (await tempFiles()).filter((t) => !tempBefore.has(t.file) && t.size > 0);
            return temp.length > 0 || (await attachmentRows(roomId)).length > 0;
          }, 15_000),
      });
      expect(result.response).toBeUndefined();
      expect(result.error?.message).toBe('aborted by the test');
      await expectNothingLeft(roomId);
      expect(await usedBytes(owner)).toBe(0);
      // The user can upload again right away: nothing stayed reserved.
      await uploadOk(rt.url, owner.cookie, roomId, randomBytes(1000), { name: 'again.bin' });
    });
  }
});

describe('checks, in the documented order', () => {
  it('the content type must be application/octet-stream (415); a foreign origin is refused (403)', async () => {
    const { owner, roomId } = await emptyRoom();
    const bytes = await png(8, 8);
    for (const contentType of [null, 'application/json', 'image/png', 'multipart/form-data; boundary=x', 'text/plain']) {
      const answer = await upload(rt.url, owner.cookie, roomId, bytes, { name: 'a.png', contentType });
      expect({ contentType, status: answer.status, code: answer.error?.code }).toEqual({ contentType, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    const withCharset = await upload(rt.url, owner.cookie, roomId, bytes, { name: 'a.png', contentType: 'Application/Octet-Stream; x=1' });
    expect(withCharset.status).toBe(201);
    for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }] as Record<string, string>[]) {
      const answer = await upload(rt.url, owner.cookie, roomId, bytes, { name: 'a.png', headers });
      expect({ headers, status: answer.status, code: answer.error?.code }).toEqual({ headers, status: 403, code: 'FORBIDDEN' });
    }
    expect((await attachmentRows(roomId)).length).toBe(1);
  });

  it('session (401), room id (404), query (422), size (413), room and membership (404/403)', async () => {
    const owner = await person();
    const outsider = await person();
    const roomId = await roomOf(owner, 'private');
    const direct = await directOf(owner, await person());
    const small = randomBytes(100);
    const expectations: { what: string; answer: Promise<Awaited<ReturnType<typeof upload>>>; status: number; code: string }[] = [
      { what: 'anonymous', answer: upload(rt.url, undefined, roomId, small), status: 401, code: 'UNAUTHORIZED' },
      { what: 'a garbage session', answer: upload(rt.url, 'authjs.session-token=garbage', roomId, small), status: 401, code: 'UNAUTHORIZED' },
      // Session before everything else: an anonymous upload with a bad query and a huge size is still 401.
      { what: 'anonymous, bad query', answer: upload(rt.url, undefined, 'bad', small, { query: 'x=1' }), status: 401, code: 'UNAUTHORIZED' },
      { what: 'malformed room id', answer: upload(rt.url, owner.cookie, 'not-a-room', small), status: 404, code: 'NOT_FOUND' },
      { what: 'no name', answer: upload(rt.url, owner.cookie, roomId, small, { query: '' }), status: 422, code: 'INVALID_PAYLOAD' },
      { what: 'unknown parameter', answer: upload(rt.url, owner.cookie, roomId, small, { name: 'a', query: { name: 'a', admin: '1' } }), status: 422, code: 'INVALID_PAYLOAD' },
      { what: 'voice fields without voice', answer: upload(rt.url, owner.cookie, roomId, small, { query: { name: 'a.webm', durationMs: '1000' } }), status: 422, code: 'INVALID_PAYLOAD' },
      { what: 'no such room', answer: upload(rt.url, owner.cookie, 'AAAAAAAAAA', small), status: 404, code: 'NOT_FOUND' },
      { what: 'someone else’s direct room', answer: upload(rt.url, outsider.cookie, direct, small), status: 404, code: 'NOT_FOUND' },
      { what: 'not a member', answer: upload(rt.url, outsider.cookie, roomId, small), status: 403, code: 'FORBIDDEN' },
    ];
    for (const e of expectations) {
      const answer = await e.answer;
      expect({ what: e.what, status: answer.status, code: answer.error?.code }).toEqual({ what: e.what, status: e.status, code: e.code });
      expect(typeof answer.error?.message).toBe('string');
    }
    // The query is checked before the size; the size before membership.
    const badQueryTooBig = await rawRequest(uploadUrl(rt.url, roomId, { query: 'nope=1' }), {
      method: 'POST',
      headers: { cookie: outsider.cookie, 'content-type': 'application/octet-stream', 'content-length': LIMIT * 10 },
      timeoutMs: 15_000,
    });
    expect(badQueryTooBig.response?.status).toBe(422);
    const tooBigNotMember = await rawRequest(uploadUrl(rt.url, roomId, { name: 'a.bin' }), {
      method: 'POST',
      headers: { cookie: outsider.cookie, 'content-type': 'application/octet-stream', 'content-length': LIMIT * 10 },
      timeoutMs: 15_000,
    });
    expect(tooBigNotMember.response?.status).toBe(413);
    await expectNothingLeft(roomId);
  });
});

describe('the upload rate limit', () => {
  it('50 parallel uploads from one user: RATE_LIMIT_UPLOADS_PER_MINUTE (30) succeed, the rest are 429 with Retry-After, none fails otherwise', async () => {
    const { owner, roomId } = await emptyRoom();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => upload(rt.url, owner.cookie, roomId, randomBytes(1024, i + 1), { name: `burst-${i}.bin` })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 201 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(30);
    for (const refused of answers.filter((a) => a.status === 429)) {
      expect(refused.error?.code).toBe('RATE_LIMITED');
      expect(refused.error?.retryAfter).toBeGreaterThanOrEqual(1);
      expect(refused.error?.retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers['retry-after']).toBe(String(refused.error?.retryAfter));
    }
    await eventuallyAsync(async () => (await tempFiles()).length === 0, 15_000);
    expect((await attachmentRows(roomId)).length).toBe(30);
    expect((await storage.probe.keys(`${roomId}/`)).length).toBe(30);
    // Another user is not affected.
    const other = await person();
    const theirRoom = await roomOf(other, 'public');
    await uploadOk(rt.url, other.cookie, theirRoom, randomBytes(10), { name: 'mine.bin' });
  });

  it('refusals before the limit (size by Content-Length, membership) do not spend it', async () => {
    const { owner, roomId } = await emptyRoom();
    const closed = await roomOf(await person(), 'private');
    for (let i = 0; i < 20; i += 1) {
      const tooBig = await rawRequest(uploadUrl(rt.url, roomId, { name: 'big.bin' }), {
        method: 'POST',
        headers: { cookie: owner.cookie, 'content-type': 'application/octet-stream', 'content-length': LIMIT + 1 },
        timeoutMs: 15_000,
      });
      expect(tooBig.response?.status).toBe(413);
      expect((await upload(rt.url, owner.cookie, closed, randomBytes(10))).status).toBe(403);
    }
    // 40 refusals, then still the whole budget.
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => upload(rt.url, owner.cookie, roomId, randomBytes(100, i + 9), { name: `n${i}.bin` })));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 30 }, () => 201));
  });

  it('an empty upload counts against it (it passed the checks before the bytes)', async () => {
    const { owner, roomId } = await emptyRoom();
    for (let i = 0; i < 30; i += 1) expect((await upload(rt.url, owner.cookie, roomId, Buffer.alloc(0), { name: 'e.txt' })).status).toBe(422);
    const answer = await upload(rt.url, owner.cookie, roomId, randomBytes(10), { name: 'late.bin' });
    expect(answer.status).toBe(429);
  });
});

describe('the quota', () => {
  it('parallel uploads that would together exceed it: the reservation is atomic, exactly as many fit as the quota allows', async () => {
    const { owner, roomId } = await emptyRoom();
    const size = 1.5 * MiB;
    const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => upload(rt.url, owner.cookie, roomId, randomBytes(size, i + 21), { name: `q${i}.bin` })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 201, 201, 413]);
    const refused = answers.find((a) => a.status === 413)!;
    expect(refused.error?.code).toBe('QUOTA_EXCEEDED');
    expect(typeof refused.error?.message).toBe('string');
    await eventuallyAsync(async () => (await tempFiles()).length === 0, 15_000);
    expect(await usedBytes(owner)).toBe(3 * size);
    expect((await attachmentRows(roomId)).length).toBe(3);

    // GET /api/uploads tells the limits.
    const limits = (await api(owner.cookie, 'GET', '/api/uploads')).json as UploadLimits;
    expect(limits).toEqual({ maxBytes: LIMIT, maxFilesPerMessage: 10, quotaBytes: QUOTA, usedBytes: 3 * size });

    // Without a Content-Length an upload reserves UPLOAD_MAX_BYTES while it runs: 4.5 + 2 MiB > 5 MiB.
    const chunked = await upload(rt.url, owner.cookie, roomId, randomBytes(10), { name: 'small.bin', chunked: true });
    expect(chunked.status).toBe(413);
    expect(chunked.error?.code).toBe('QUOTA_EXCEEDED');
    // With one, only its size counts.
    await uploadOk(rt.url, owner.cookie, roomId, randomBytes(400 * 1024, 5), { name: 'fits.bin' });
    expect(await usedBytes(owner)).toBe(3 * size + 400 * 1024);

    // Removing an upload gives its bytes back.
    const first = answers.find((a) => a.status === 201)!.attachment!;
    expect((await api(owner.cookie, 'DELETE', `/api/uploads/${first.id}`)).status).toBe(204);
    expect(await usedBytes(owner)).toBe(2 * size + 400 * 1024);
    await uploadOk(rt.url, owner.cookie, roomId, randomBytes(size, 99), { name: 'after-delete.bin' });
  });

  it('an upload refused over the quota leaves nothing and reserves nothing', async () => {
    const { owner, roomId } = await emptyRoom();
    for (let i = 0; i < 3; i += 1) await uploadOk(rt.url, owner.cookie, roomId, randomBytes(1.5 * MiB, i + 40), { name: `f${i}.bin` });
    const other = await roomOf(owner, 'public');
    const refused = await upload(rt.url, owner.cookie, other, randomBytes(MiB, 50), { name: 'over.bin' });
    expect(refused.error?.code).toBe('QUOTA_EXCEEDED');
    await expectNothingLeft(other);
    expect(await usedBytes(owner)).toBe(4.5 * MiB);
  });
});
