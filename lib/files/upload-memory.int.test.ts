/**
 * "The server streams uploads to storage (a 1 GB upload must not use 1 GB of memory)" (issue 12;
 * docs/protocol.md §4.11: any size up to UPLOAD_MAX_BYTES uses the same small amount of memory). A 200 MB
 * upload into the server running in this process, its RSS sampled while the bytes flow; the client makes
 * the bytes on demand, so what grows is the server's.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db';
import { eventuallyAsync, startTestRealtime, type TestRealtime } from '@/lib/testing/realtime';
import { generatedBytes, getFile, ownDataDir, person, rawRequest, roomOf, tempFiles, uploadUrl, useStorage, withPicked, type TestStorage } from '@/lib/testing/uploads';

const MB = 1000 * 1000;
const SIZE = 200 * MB;
vi.stubEnv('DATA_DIR', ownDataDir());
vi.stubEnv('UPLOAD_MAX_BYTES', String(256 * 1024 * 1024));

let rt: TestRealtime;
let storage: TestStorage;

beforeAll(async () => {
  rt = await startTestRealtime();
  storage = await useStorage('local');
});

afterAll(async () => {
  await rt?.close();
  await storage?.close();
});

/** What the sampled RSS did while `work` ran: its start and its peak, in MB. */
async function sampleRss<T>(work: () => Promise<T>): Promise<{ result: T; baseMb: number; peakMb: number }> {
  const baseMb = process.memoryUsage().rss / MB;
  let peakMb = baseMb;
  const timer = setInterval(() => {
    peakMb = Math.max(peakMb, process.memoryUsage().rss / MB);
  }, 10);
  try {
    const result = await work();
    peakMb = Math.max(peakMb, process.memoryUsage().rss / MB);
    return { result, baseMb, peakMb };
  } finally {
    clearInterval(timer);
  }
}

describe('memory while a large file uploads', () => {
  for (const framing of ['content-length', 'chunked'] as const) {
    it(`a 200 MB upload (${framing}) keeps the process's RSS within a small bound, and the bytes arrive intact`, async () => {
      const owner = await person();
      const roomId = await roomOf(owner, 'public');
      const hash = createHash('sha256');
      let tail = Buffer.alloc(0);
      for (const chunk of generatedBytes(SIZE, 256 * 1024)) {
        hash.update(chunk);
        tail = Buffer.concat([tail, chunk]).subarray(-1000);
      }
      const digest = hash.digest();

      const { result, baseMb, peakMb } = await sampleRss(() =>
        rawRequest(uploadUrl(rt.url, roomId, { name: 'large.bin' }), {
          method: 'POST',
          headers: { cookie: owner.cookie, 'content-type': 'application/octet-stream', ...(framing === 'content-length' ? { 'content-length': SIZE } : {}) },
          body: generatedBytes(SIZE, 256 * 1024),
          timeoutMs: 240_000,
        }),
      );
      const answer = withPicked(result.response!);
      expect(answer.status, answer.body.toString('utf8').slice(0, 300)).toBe(201);
      expect(answer.attachment?.size).toBe(SIZE);
      // Buffering the file would add ≥ 200 MB; streaming adds buffers of a few MB and the GC's slack.
      expect(peakMb - baseMb, `RSS went from ${baseMb.toFixed(0)} to ${peakMb.toFixed(0)} MB`).toBeLessThan(80);

      // The download streams too, and gives back exactly what was sent.
      const served = await sampleRss(() => getFile(rt.url, owner.cookie, answer.attachment!.url, { headers: { range: `bytes=${SIZE - 1000}-` } }));
      expect(served.result.status).toBe(206);
      expect(served.result.body.equals(tail)).toBe(true);
      expect(served.peakMb - served.baseMb).toBeLessThan(80);
      await eventuallyAsync(async () => (await tempFiles()).length === 0, 30_000);
      const head = await getFile(rt.url, owner.cookie, answer.attachment!.url, { method: 'HEAD' });
      expect(head.headers['content-length']).toBe(String(SIZE));
      // The server hashed exactly these 200 MB as they streamed by.
      const row = await getDb().attachment.findUniqueOrThrow({ where: { id: answer.attachment!.id } });
      expect(row.sha256).toBe(digest.toString('hex'));
    }, 300_000);
  }
});
