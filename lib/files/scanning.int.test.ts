/**
 * Virus scanning with a real clamd (docs/protocol.md §4.11 "Scanning", §6 uploads): with
 * UPLOAD_SCAN=clamav every upload is scanned before it is stored and answered; the EICAR test file is
 * refused with 422 FILE_INFECTED naming the signature, stored nowhere and audited; a clean file is
 * accepted; and when clamd cannot answer, uploads are refused with 503 — never let through unscanned.
 *
 * The clamd is private to this file (lib/testing/clamd.ts: its own socket and a database holding only an
 * EICAR signature). Skipped, saying so, where clamd is not installed.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db';
import { startTestRealtime, type TestRealtime } from '@/lib/testing/realtime';
import { startClamd, type TestClamd } from '@/lib/testing/clamd';
import { png } from '@/lib/testing/sample-files';
import { getFile, ownDataDir, settledLeftovers, person, roomOf, upload, uploadOk, useStorage, type TestStorage } from '@/lib/testing/uploads';

/** The anti-virus test file (eicar.org): harmless, and detected by every scanner as a test signature. */
const EICAR = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*', 'latin1');

const CLAMD_INSTALLED = existsSync('/usr/sbin/clamd');
const socketDir = mkdtempSync(path.join(tmpdir(), 'parley-clamd-'));
const SOCKET = path.join(socketDir, 'clamd.sock');
vi.stubEnv('DATA_DIR', ownDataDir());
vi.stubEnv('UPLOAD_SCAN', 'clamav');
vi.stubEnv('CLAMAV_SOCKET', SOCKET);
vi.stubEnv('RATE_LIMIT_UPLOADS_PER_MINUTE', '100000');

let clamd: TestClamd | undefined;
let rt: TestRealtime;
let storage: TestStorage;

describe.skipIf(!CLAMD_INSTALLED)('scanning uploads with clamd', () => {
  beforeAll(async () => {
    clamd = await startClamd({ socket: SOCKET });
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
      const answer = await upload(rt.url, uploader.cookie, roomId, EICAR, { name });
      expect(answer.status).toBe(422);
      expect(answer.error?.code).toBe('FILE_INFECTED');
      expect(answer.error?.message).toMatch(/eicar/i);
    }
    expect(await settledLeftovers(roomId, storage.probe)).toEqual({ rows: 0, objects: [], temp: [] });
    const audited = await getDb().auditEvent.findMany({ where: { actorId: uploader.id, createdAt: { gte: startedAt } } });
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
