/**
 * The scanner against a real clamd (a private one, lib/testing/clamd.ts). Needs no PostgreSQL; it is an
 * integration test because it runs an outside daemon. Skipped only where clamd is not installed: CI installs
 * it (.ci/run), so there it always runs.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../testing/free-port';
import { findClamd, startTestClamd, type TestClamd } from '../testing/clamd';
import { eicar } from '../testing/file-fixtures';
import { ClamdError } from './clamd';
import { createScanner, createScannerFromEnv, parseScanReply } from './scan';

const MiB = 1024 * 1024;
const STREAM_MAX = 20 * MiB;
const clamdMissing = !findClamd();
const SKIP_REASON = 'clamd is not installed (apt-get install clamav-daemon); CI installs it';

let dir: string;
let fileCount = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'parley-scan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(bytes: Buffer): Promise<string> {
  const name = path.join(dir, `f${++fileCount}`);
  await writeFile(name, bytes);
  return name;
}

/** A file of `size` random bytes, written in 1 MiB pieces (never whole in memory). */
async function bigFile(size: number, tail: Buffer = Buffer.alloc(0)): Promise<string> {
  const name = path.join(dir, `big${++fileCount}`);
  const out = createWriteStream(name);
  const piece = randomBytes(MiB);
  for (let left = size - tail.length; left > 0; left -= MiB) {
    if (!out.write(piece.subarray(0, Math.min(MiB, left)))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end(tail, () => resolve()).once('error', reject));
  return name;
}

describe('the none scanner', () => {
  it('finds every file clean and is always ready', async () => {
    const scanner = createScanner({ mode: 'none' });
    expect(scanner.name).toBe('none');
    expect(await scanner.scan(await file(eicar()))).toEqual({ clean: true });
    await expect(scanner.check()).resolves.toBeUndefined();
    expect(createScannerFromEnv({ UPLOAD_SCAN: 'none', CLAMAV_SOCKET: '/nowhere', CLAMAV_PORT: 3310 }).name).toBe('none');
  });
});

describe('clamd replies', () => {
  it('are clean, infected with a signature, or not an answer', () => {
    expect(parseScanReply('stream: OK')).toEqual({ clean: true });
    expect(parseScanReply('stream: Win.Test.EICAR_HDB-1 FOUND')).toEqual({ clean: false, signature: 'Win.Test.EICAR_HDB-1' });
    expect(() => parseScanReply('INSTREAM size limit exceeded. ERROR')).toThrow(ClamdError);
    expect(() => parseScanReply('stream: Can\'t allocate memory ERROR')).toThrow(ClamdError);
    expect(() => parseScanReply('')).toThrow(ClamdError);
    expect(() => parseScanReply('stream: OK FOUND?')).toThrow(ClamdError);
  });
});

describe.skipIf(clamdMissing)(`the clamav scanner with a real clamd${clamdMissing ? ` — skipped: ${SKIP_REASON}` : ''}`, () => {
  let clamd: TestClamd;
  beforeAll(async () => {
    clamd = await startTestClamd({ streamMaxLength: STREAM_MAX, tcpPort: await freePort() });
  });
  afterAll(async () => {
    await clamd?.stop();
  });

  it('answers PING (check) over its socket and over TCP', async () => {
    await expect(createScanner({ mode: 'clamav', socket: clamd.socket }).check()).resolves.toBeUndefined();
    await expect(createScanner({ mode: 'clamav', host: '127.0.0.1', port: clamd.port }).check()).resolves.toBeUndefined();
    const fromEnv = createScannerFromEnv({ UPLOAD_SCAN: 'clamav', CLAMAV_SOCKET: clamd.socket, CLAMAV_PORT: 3310 });
    expect(fromEnv.name).toBe('clamav');
    await expect(fromEnv.check()).resolves.toBeUndefined();
  });

  it('finds EICAR, alone and at the end of a larger file; a harmless file is clean', async () => {
    const scanner = createScanner({ mode: 'clamav', socket: clamd.socket });
    const infected = await scanner.scan(await file(eicar()));
    expect(infected.clean).toBe(false);
    expect(!infected.clean && infected.signature).toMatch(/Eicar/);

    // Found only if every chunk reached clamd in order.
    const hidden = await scanner.scan(await bigFile(3 * MiB + 12_345, eicar()));
    expect(hidden).toEqual({ clean: false, signature: expect.stringMatching(/Eicar/) });

    expect(await scanner.scan(await file(Buffer.from('hello, just a note\n')))).toEqual({ clean: true });
    const overTcp = createScanner({ mode: 'clamav', host: '127.0.0.1', port: clamd.port });
    expect(await overTcp.scan(await file(eicar()))).toEqual({ clean: false, signature: expect.stringMatching(/Eicar/) });
  });

  it('scans a 20 MiB file (exactly StreamMaxLength); one byte more is an error, not clean', async () => {
    const scanner = createScanner({ mode: 'clamav', socket: clamd.socket });
    expect(await scanner.scan(await bigFile(STREAM_MAX))).toEqual({ clean: true });
    const overLimit = await bigFile(STREAM_MAX + 1);
    await expect(scanner.scan(overLimit)).rejects.toBeInstanceOf(ClamdError);
  });

  it('gives every one of many parallel scans its own right answer', async () => {
    const scanner = createScanner({ mode: 'clamav', socket: clamd.socket });
    const infectedFile = await file(eicar());
    const cleanFile = await bigFile(MiB);
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => scanner.scan(i % 3 === 0 ? infectedFile : cleanFile)));
    results.forEach((result, i) => expect(result.clean).toBe(i % 3 !== 0));
  });
});

describe.skipIf(clamdMissing)('when clamd cannot answer, scan and check throw quickly', () => {
  it('a stopped clamd', async () => {
    const stopped = await startTestClamd();
    const scanner = createScanner({ mode: 'clamav', socket: stopped.socket });
    const target = await file(eicar());
    expect(await scanner.scan(target)).toEqual({ clean: false, signature: expect.stringMatching(/Eicar/) });
    await stopped.stop();
    const started = Date.now();
    await expect(scanner.scan(target)).rejects.toBeInstanceOf(ClamdError);
    await expect(scanner.check()).rejects.toBeInstanceOf(ClamdError);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('a file that cannot be read', () => {
  it('is an error (a server fault), not clean, found before clamd is contacted', async () => {
    let connections = 0;
    const listener: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const scanner = createScanner({ mode: 'clamav', host: '127.0.0.1', port: (listener.address() as { port: number }).port });
      await expect(scanner.scan(path.join(dir, 'does-not-exist'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  });
});

describe('when nothing answers, scan and check throw', () => {
  it('no socket, nothing listening on the port', async () => {
    await expect(createScanner({ mode: 'clamav', socket: path.join(dir, 'no.sock') }).scan(await file(eicar()))).rejects.toBeInstanceOf(ClamdError);
    await expect(createScanner({ mode: 'clamav', host: '127.0.0.1', port: await freePort() }).check()).rejects.toBeInstanceOf(ClamdError);
  });

  it('a server that stops reading: the file is not read ahead into memory, and the scan times out', async () => {
    const held: Socket[] = [];
    const stalled: Server = createServer((socket) => {
      held.push(socket);
      socket.pause(); // never reads: the client must wait for drain instead of queueing the whole file
    });
    const socketPath = path.join(dir, 'stalled.sock');
    await new Promise<void>((resolve) => stalled.listen(socketPath, resolve));
    try {
      const target = await bigFile(20 * MiB);
      const scanner = createScanner({ mode: 'clamav', socket: socketPath, timeoutMs: 1000 });
      const baseline = process.memoryUsage().arrayBuffers;
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      }, 5);
      try {
        await expect(scanner.scan(target)).rejects.toThrow(/did not answer INSTREAM within 1000 ms/);
      } finally {
        clearInterval(sampler);
      }
      expect(held.length).toBe(1);
      // Without backpressure all 20 MiB would sit in the socket's queue (live, so measured here).
      expect(peak - baseline).toBeLessThan(4 * MiB);
    } finally {
      held.forEach((socket) => socket.destroy());
      await new Promise((resolve) => stalled.close(resolve));
    }
  });

  it('a server that accepts and never replies times out', async () => {
    const held: Socket[] = [];
    const silent: Server = createServer((socket) => {
      held.push(socket);
      socket.resume(); // read and ignore
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const scanner = createScanner({ mode: 'clamav', host: '127.0.0.1', port, timeoutMs: 300 });
      const started = Date.now();
      await expect(scanner.scan(await file(Buffer.from('x')))).rejects.toThrow(/did not answer INSTREAM within 300 ms/);
      await expect(scanner.check()).rejects.toThrow(/did not answer PING/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      held.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
