/**
 * Virus scanning with a real clamd (docs/protocol.md §4.11 "Scanning", §6 uploads): with
 * UPLOAD_SCAN=clamav every upload is scanned before it is stored and answered; the EICAR test file is
 * refused with 422 FILE_INFECTED naming the signature, stored nowhere and audited; a clean file is
 * accepted; and when clamd cannot answer, uploads are refused with 503 — never let through unscanned.
 *
 * The clamd is private to this file (lib/testing/clamd.ts: its own socket and a database holding only an
 * EICAR signature). Skipped, saying so, where clamd is not installed.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db';
import { getEnv } from '@/lib/env';
import { findClamd, startTestClamd, type TestClamd } from '@/lib/testing/clamd';
import { eicar, png, randomBytes } from '@/lib/testing/file-fixtures';
import { startTestRealtime, type TestRealtime } from '@/lib/testing/realtime';
import { getFile, ownDataDir, person, roomOf, settledLeftovers, upload, uploadOk, useStorage, type TestStorage } from '@/lib/testing/uploads';

const CLAMD_INSTALLED = findClamd() !== undefined;
vi.stubEnv('DATA_DIR', ownDataDir());
vi.stubEnv('RATE_LIMIT_UPLOADS_PER_MINUTE', '100000');

let clamd: TestClamd | undefined;
let rt: TestRealtime;
let storage: TestStorage;

describe.skipIf(!CLAMD_INSTALLED)('scanning uploads with clamd', () => {
  beforeAll(async () => {
    clamd = await startTestClamd();
    // The server reads its settings once, on first use: set them before it starts, as an operator would.
    vi.stubEnv('UPLOAD_SCAN', 'clamav');
    vi.stubEnv('CLAMAV_SOCKET', clamd.socket);
    expect(getEnv()).toMatchObject({ UPLOAD_SCAN: 'clamav', CLAMAV_SOCKET: clamd.socket });
    rt = await startTestRealtime();
    storage = await useStorage('local');
  }, 120_000);

  afterAll(async () => {
    await rt?.close();
    await storage?.close();
    await clamd?.stop();
  });

  it('the EICAR test file is refused with 422 FILE_INFECTED naming the signature, stored nowhere, and audited', async () => {
    const uploader = await person();
    const roomId = await roomOf(uploader, 'public');
    const startedAt = new Date();
    for (const name of ['eicar.com', 'holiday.png']) {
      const answer = await upload(rt.url, uploader.cookie, roomId, eicar(), { name });
      expect(answer.status).toBe(422);
      expect(answer.error?.code).toBe('FILE_INFECTED');
      expect(answer.error?.message).toMatch(/eicar/i);
    }
    expect(await settledLeftovers(roomId, storage.probe)).toEqual({ rows: 0, objects: [], temp: [] });
    const audited = (await getDb().auditEvent.findMany({ where: { actorId: uploader.id, createdAt: { gte: startedAt } } })).map(({ kind, details }) => ({ kind, details }));
    const infected = audited.filter((event) => /infect|virus|malware/i.test(event.kind));
    expect(infected, JSON.stringify(audited)).toHaveLength(2);
    expect(JSON.stringify(infected[0]!.details)).toMatch(/eicar/i);
    expect(JSON.stringify(infected[0]!.details)).toContain(roomId);
  });

  it('a clean file passes the scan and is stored and served', async () => {
    const uploader = await person();
    const roomId = await roomOf(uploader, 'public');
    const bytes = await png(30, 20);
    const attachment = await uploadOk(rt.url, uploader.cookie, roomId, bytes, { name: 'clean.png' });
    expect(attachment).toMatchObject({ kind: 'image', width: 30, height: 20 });
    expect((await getFile(rt.url, uploader.cookie, attachment.url)).status).toBe(200);
    // EICAR inside a larger file is found too (clamd scans the whole stream, not a hash of the file).
    const padded = Buffer.concat([randomBytes(100_000, 5), eicar(), randomBytes(1000, 6)]);
    const infected = await upload(rt.url, uploader.cookie, roomId, padded, { name: 'archive.bin' });
    expect(infected.error?.code).toBe('FILE_INFECTED');
  });

  it('when clamd cannot answer, uploads are refused with 503 and nothing is stored', async () => {
    const uploader = await person();
    const roomId = await roomOf(uploader, 'public');
    await clamd!.stop();
    clamd = undefined;
    const answer = await upload(rt.url, uploader.cookie, roomId, await png(10, 10), { name: 'unscanned.png' });
    expect(answer.status).toBe(503);
    expect(answer.error?.code).toBe('UNAVAILABLE');
    expect(await settledLeftovers(roomId, storage.probe)).toEqual({ rows: 0, objects: [], temp: [] });
  });
});
