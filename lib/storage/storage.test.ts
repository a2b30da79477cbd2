/**
 * One contract, both backends, for real: local disk in a temp folder and S3 against s3rver. No PostgreSQL,
 * so this runs in the unit project. The 200 MB case proves puts and reads stream (bounded RSS).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type TestS3Server } from '../testing/s3-server';
import { createLocalStorage } from './local';
import { createS3Storage, type S3Timeouts } from './s3';
import type { Storage } from './storage';
import { InvalidStorageKeyError, StorageRangeError } from './validation';

const MiB = 1024 * 1024;
const BIG_SIZE = 20 * MiB;
const HUGE_SIZE = 200 * MiB;
const RSS_GROWTH_LIMIT = 100 * MiB;
const HEAVY = { timeout: 120_000 };
const contentType = 'application/octet-stream';

interface Started {
  storage: Storage;
  stop(): Promise<void>;
}

const backends: { name: string; start(): Promise<Started> }[] = [
  {
    name: 'local',
    async start() {
      const root = await mkdtemp(path.join(tmpdir(), 'parley-storage-'));
      const storage = createLocalStorage({ root: path.join(root, 'files') });
      return { storage, stop: () => rm(root, { recursive: true, force: true }) };
    },
  },
  {
    name: 's3',
    async start() {
      const server = await startS3Server();
      const storage = createS3Storage({ ...server, forcePathStyle: true });
      return {
        storage,
        async stop() {
          await storage.close();
          await server.close();
        },
      };
    },
  },
];

let work: string;
let big: { path: string; sha256: string };
let small: { a: string; b: string };

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'parley-storage-src-'));
  big = await writeRandomFile(path.join(work, 'big.bin'), BIG_SIZE);
  small = { a: path.join(work, 'a.txt'), b: path.join(work, 'b.txt') };
  await writeFile(small.a, 'first version');
  await writeFile(small.b, 'the second, longer version');
}, 60_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe.each(backends)('storage contract: $name', ({ start }) => {
  let started: Started;
  let storage: Storage;

  beforeAll(async () => {
    started = await start();
    storage = started.storage;
  });
  afterAll(async () => {
    await started?.stop();
  });

  it('passes its check', async () => {
    await expect(storage.check()).resolves.toBeUndefined();
  });

  it('stores a 20 MB file and gives back exactly its bytes', HEAVY, async () => {
    await storage.putFile('room-1/big', big.path, { contentType });
    const object = await storage.get('room-1/big');
    expect(object?.size).toBe(BIG_SIZE);
    expect(await sha256(object!.body)).toBe(big.sha256);
  });

  it('serves byte-exact ranges and reports the whole size', HEAVY, async () => {
    await storage.putFile('room-1/ranged', big.path, { contentType });
    const ranges = [
      { start: 0, end: 0 },
      { start: BIG_SIZE - 1, end: BIG_SIZE - 1 },
      { start: 1_234_567, end: 7_654_321 },
      { start: 0, end: BIG_SIZE - 1 },
    ];
    for (const range of ranges) {
      const object = await storage.get('room-1/ranged', range);
      expect(object?.size).toBe(BIG_SIZE);
      const bytes = await readAll(object!.body);
      expect(bytes.length).toBe(range.end - range.start + 1);
      expect(bytes.equals(await readFileRange(big.path, range.start, range.end))).toBe(true);
    }
  });

  it('cuts a range that runs past the end, and refuses one that starts there', async () => {
    await storage.putFile('room-1/short', small.a, { contentType });
    const object = await storage.get('room-1/short', { start: 6, end: 1_000 });
    expect((await readAll(object!.body)).toString()).toBe('version');
    await expect(storage.get('room-1/short', { start: 13, end: 20 })).rejects.toThrow(StorageRangeError);
    await expect(storage.get('room-1/short', { start: 5, end: 4 })).rejects.toThrow(StorageRangeError);
  });

  it('answers null for a missing key', async () => {
    expect(await storage.get('room-1/never-stored')).toBeNull();
    expect(await storage.get('no-such-room/never-stored', { start: 0, end: 9 })).toBeNull();
  });

  it('deletes, and deleting what is not there is fine', async () => {
    await storage.putFile('room-2/doomed', small.a, { contentType });
    (await storage.get('room-2/doomed'))!.body.destroy();
    await storage.delete('room-2/doomed');
    expect(await storage.get('room-2/doomed')).toBeNull();
    await expect(storage.delete('room-2/doomed')).resolves.toBeUndefined();
    await expect(storage.delete('no-such-room/nothing')).resolves.toBeUndefined();
  });

  it('stores an empty file', async () => {
    const empty = path.join(work, 'empty');
    await writeFile(empty, '');
    await storage.putFile('room-2/empty', empty, { contentType });
    const object = await storage.get('room-2/empty');
    expect(object?.size).toBe(0);
    expect((await readAll(object!.body)).length).toBe(0);
    await expect(storage.get('room-2/empty', { start: 0, end: 0 })).rejects.toThrow(StorageRangeError);
  });

  it('fails a put from a file that is not there, and stores nothing', async () => {
    await expect(storage.putFile('room-2/ghost', path.join(work, 'no-such-source'), { contentType })).rejects.toThrow(/ENOENT/);
    expect(await storage.get('room-2/ghost')).toBeNull();
  });

  it('replaces an object on a second put', async () => {
    await storage.putFile('room-2/replaced', small.b, { contentType });
    await storage.putFile('room-2/replaced', small.a, { contentType });
    const object = await storage.get('room-2/replaced');
    expect(object?.size).toBe('first version'.length);
    expect((await readAll(object!.body)).toString()).toBe('first version');
  });

  it('keeps keys with slashes, dots and dashes apart', async () => {
    await storage.putFile('room_3/01J8-att.thumb', small.a, { contentType });
    await storage.putFile('room_3/01J8-att', small.b, { contentType });
    await storage.putFile('room_3/deeper/still/x', small.a, { contentType });
    expect((await readAll((await storage.get('room_3/01J8-att.thumb'))!.body)).toString()).toBe('first version');
    expect((await readAll((await storage.get('room_3/01J8-att'))!.body)).toString()).toBe('the second, longer version');
    expect((await readAll((await storage.get('room_3/deeper/still/x'))!.body)).toString()).toBe('first version');
  });

  it('refuses keys that are not ours', async () => {
    const refused = ['../x', '/abs', '', 'a/../b', '..', 'a//b', 'a/./b', 'a/', '.tmp/x', 'a\\b', 'a b', 'x'.repeat(201)];
    for (const key of refused) {
      await expect(storage.get(key), key).rejects.toThrow(InvalidStorageKeyError);
      await expect(storage.putFile(key, small.a, { contentType }), key).rejects.toThrow(InvalidStorageKeyError);
      await expect(storage.delete(key), key).rejects.toThrow(InvalidStorageKeyError);
    }
  });

  it('puts and reads 200 MB with bounded memory', HEAVY, async () => {
    const huge = path.join(work, 'huge.bin');
    const file = await open(huge, 'w');
    await file.truncate(HUGE_SIZE); // sparse: zeros, no disk used for the source
    await file.close();
    try {
      const growth = await peakRssGrowth(async () => {
        await storage.putFile('room-5/huge', huge, { contentType });
        const object = await storage.get('room-5/huge');
        expect(object?.size).toBe(HUGE_SIZE);
        let bytes = 0;
        for await (const chunk of object!.body) bytes += (chunk as Buffer).length;
        expect(bytes).toBe(HUGE_SIZE);
      });
      expect(growth, `peak RSS growth ${(growth / MiB).toFixed(1)} MiB`).toBeLessThan(RSS_GROWTH_LIMIT);
    } finally {
      await rm(huge, { force: true });
      await storage.delete('room-5/huge');
    }
  });
});

describe('local storage on disk', () => {
  let root: string;
  let storage: Storage;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'parley-storage-local-'));
    storage = createLocalStorage({ root: path.join(root, 'files') });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('leaves no temp file behind, after a put or a failed one', async () => {
    await storage.putFile('room/a', small.a, { contentType });
    await expect(storage.putFile('room/b', path.join(work, 'no-such-source'), { contentType })).rejects.toThrow(/ENOENT/);
    await storage.check();
    expect(await readdir(path.join(root, 'files', '.tmp'))).toEqual([]);
  });

  it('writes nothing outside its root for a refused key', async () => {
    await expect(storage.putFile('../escaped', small.a, { contentType })).rejects.toThrow(InvalidStorageKeyError);
    expect(existsSync(path.join(root, 'escaped'))).toBe(false);
  });

  it('keeps objects private to the server user', async () => {
    await storage.putFile('private-room/secret', small.a, { contentType });
    expect((await stat(path.join(root, 'files', 'private-room', 'secret'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(root, 'files', 'private-room'))).mode & 0o777).toBe(0o700);
  });

  // Local only: on S3 this is the service's promise, and s3rver (which writes objects in place) breaks it.
  it('lets readers see the old object or the new one while a put runs, never a part', HEAVY, async () => {
    await storage.putFile('room-4/swap', small.a, { contentType });
    const versions = new Map([
      ['first version'.length, sha256Of(Buffer.from('first version'))],
      [BIG_SIZE, big.sha256],
    ]);
    let done = false;
    const put = storage.putFile('room-4/swap', big.path, { contentType }).finally(() => (done = true));
    let reads = 0;
    while (!done) {
      const object = await storage.get('room-4/swap');
      expect(versions.get(object!.size)).toBe(await sha256(object!.body));
      reads += 1;
    }
    await put;
    const last = await storage.get('room-4/swap');
    expect(await sha256(last!.body)).toBe(big.sha256);
    expect(reads).toBeGreaterThan(0);
  });

  it('lets a reader that started before a replace finish with the old bytes', HEAVY, async () => {
    await storage.putFile('room/replaced-while-read', big.path, { contentType });
    const before = await storage.get('room/replaced-while-read');
    await storage.putFile('room/replaced-while-read', small.b, { contentType });
    expect(await sha256(before!.body)).toBe(big.sha256);
  });

  it('fails its check when the folder cannot be written', async () => {
    const blocked = path.join(root, 'blocked');
    await writeFile(blocked, 'a file where the folder should be');
    await expect(createLocalStorage({ root: blocked }).check()).rejects.toThrow(/ENOTDIR|EEXIST/);
  });
});

describe('S3 storage against a failing or odd service', () => {
  const fast: S3Timeouts = { connectMs: 500, idleMs: 500, requestMs: 1_000 };
  let server: TestS3Server;
  const sockets = new Set<Socket>();
  let silent: NetServer;
  let fake: HttpServer;
  let respond: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;

  beforeAll(async () => {
    server = await startS3Server();
    // Accepts connections and never answers: a hung S3.
    silent = createNetServer((socket) => sockets.add(socket));
    // Answers as each test says.
    fake = createHttpServer((request, response) => respond(request, response));
    fake.on('connection', (socket) => sockets.add(socket));
    await Promise.all([listen(silent), listen(fake)]);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all([server?.close(), closeServer(silent), closeServer(fake)]);
  });

  function storageAt(at: NetServer | HttpServer): Storage {
    const { port } = at.address() as { port: number };
    return createS3Storage({ ...server, endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, timeouts: fast });
  }

  it('reports a missing bucket as an error, not as a missing object', async () => {
    const storage = createS3Storage({ ...server, bucket: 'no-such-bucket', forcePathStyle: true });
    await expect(storage.get('room/x')).rejects.toThrow(/bucket/i);
    await expect(storage.check()).rejects.toThrow(/no-such-bucket is not usable/);
    await storage.close();
  });

  it('fails its check within seconds once the server is gone', async () => {
    const storage = createS3Storage({ ...server, forcePathStyle: true });
    await storage.check();
    await server.close();
    const started = performance.now();
    await expect(storage.check()).rejects.toThrow(/S3 bucket parley-test is not usable/);
    expect(performance.now() - started).toBeLessThan(5_000);
    await storage.close();
  });

  it('gives up on a server that never answers instead of hanging', { timeout: 60_000 }, async () => {
    const storage = storageAt(silent);
    const started = performance.now();
    await expect(storage.check()).rejects.toThrow(/not usable/);
    await expect(storage.putFile('room/x', small.a, { contentType })).rejects.toThrow(/timed out|timeout/i);
    await expect(storage.get('room/x')).rejects.toThrow(/timed out|timeout/i);
    // Three calls of three attempts, each abandoned after ~0.5 s: nowhere near a hang.
    expect(performance.now() - started).toBeLessThan(45_000);
    await storage.close();
  });

  it('ends a download whose server stops sending', { timeout: 30_000 }, async () => {
    respond = (_request, response) => {
      response.writeHead(200, { 'Content-Length': '1000', 'Content-Type': contentType });
      response.write(Buffer.alloc(10));
    };
    const storage = storageAt(fake);
    const object = await storage.get('room/x');
    expect(object?.size).toBe(1_000);
    await expect(readAll(object!.body)).rejects.toThrow(/timed out|aborted/i);
    await storage.close();
  });

  it('asks for the range, and hands over exactly it when the server sends more', async () => {
    const whole = Buffer.from('0123456789abcdefghij');
    const asked: (string | undefined)[] = [];
    let widen = false;
    respond = (request, response) => {
      asked.push(request.headers.range);
      const ranged = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
      if (!ranged) return void response.writeHead(200, { 'Content-Length': whole.length }).end(whole);
      // A server that widens every range to the end (as s3rver does for 0-0).
      const start = Number(ranged[1]);
      const end = widen ? whole.length - 1 : Number(ranged[2]);
      response.writeHead(206, { 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${whole.length}` });
      response.end(whole.subarray(start, end + 1));
    };
    const storage = storageAt(fake);
    const exact = await storage.get('room/x', { start: 3, end: 5 });
    expect((await readAll(exact!.body)).toString()).toBe('345');
    widen = true;
    const widened = await storage.get('room/x', { start: 3, end: 5 });
    expect(widened?.size).toBe(whole.length);
    expect((await readAll(widened!.body)).toString()).toBe('345');
    expect(asked).toEqual(['bytes=3-5', 'bytes=3-5']);
    // A server that ignores Range altogether.
    respond = (request, response) => response.writeHead(200, { 'Content-Length': whole.length }).end(whole);
    const ignored = await storage.get('room/x', { start: 18, end: 30 });
    expect(ignored?.size).toBe(whole.length);
    expect((await readAll(ignored!.body)).toString()).toBe('ij');
    await storage.close();
  });
});

async function writeRandomFile(file: string, size: number): Promise<{ path: string; sha256: string }> {
  await mkdir(path.dirname(file), { recursive: true });
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  for (let written = 0; written < size; written += MiB) {
    const chunk = randomBytes(Math.min(MiB, size - written));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { path: file, sha256: hash.digest('hex') };
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function sha256(body: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of body) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readFileRange(file: string, start: number, end: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(end - start + 1);
    await handle.read(buffer, 0, buffer.length, start);
    return buffer;
  } finally {
    await handle.close();
  }
}

/** Peak resident memory above where it was when `work` started, sampled every few milliseconds. */
async function peakRssGrowth(work: () => Promise<void>): Promise<number> {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
    sample();
  }
  return peak - baseline;
}

function listen(server: NetServer | HttpServer): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function closeServer(server: NetServer | HttpServer | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}
