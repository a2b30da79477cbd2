/**
 * Parley started the way a git-push platform (a buildpack: Heroku, Render, Railway…) starts it: the build
 * made beforehand, then `npm start` with production settings, a random PORT, HOST, DATABASE_URL and
 * AUTH_SECRET from the platform, files in object storage, WebSocket-only transport (no sticky sessions),
 * and the application directory READ-ONLY (a read-only bind mount in a mount namespace of its own, which
 * binds root too). Two instances start at the same moment against a fresh database, and one of them is
 * stopped as the platform stops it: SIGTERM to npm alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Ack } from '../lib/errors';
import type { ChatMessage } from '../lib/schemas/message';
import { freePort } from '../lib/testing/free-port';
import { createEmptyDatabase, type OwnDatabase } from '../lib/testing/own-database';
import { startS3Server, type TestS3Server } from '../lib/testing/s3-server';
import { buildIfStale } from './build-if-stale';

const ROOT = path.resolve(import.meta.dirname, '..');
/** What the issue allows for a clean exit after SIGTERM (platforms give 10–30 s before SIGKILL). */
const EXIT_WITHIN_MS = 10_000;
const READY_WITHIN_MS = 120_000;

interface Instance {
  npm: ChildProcess;
  port: number;
  base: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const instances: Instance[] = [];
let s3: TestS3Server;
let database: OwnDatabase | undefined;
const authSecret = randomBytes(32).toString('base64url');

async function query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: database!.url });
  await client.connect();
  try {
    return await client.query<T>(sql, values);
  } finally {
    await client.end();
  }
}

/** The environment a platform gives the process: nothing inherited from the test run. */
function platformEnv(port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: database!.url,
    AUTH_SECRET: authSecret,
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    REALTIME_TRANSPORTS: 'websocket',
    LOG_LEVEL: 'info',
    NEXT_TELEMETRY_DISABLED: '1',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

/**
 * Runs `command` (with `args`) in `dir`, with `dir` bind-mounted read-only in a mount namespace of its own:
 * read-only for root too. The pid is the command's (unshare and sh exec it).
 */
function spawnOnReadOnly(dir: string, command: string, args: string[], env: NodeJS.ProcessEnv): Omit<Instance, 'port' | 'base'> {
  const npm = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind -o ro "$0" "$0" && cd "$0" && exec "$@"', dir, command, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { npm, output: () => output, exited };
}

/** `npm start` on the application directory mounted read-only. */
function startReadOnly(env: NodeJS.ProcessEnv): Omit<Instance, 'port' | 'base'> {
  return spawnOnReadOnly(ROOT, 'npm', ['start'], env);
}

async function launch(): Promise<Instance> {
  const port = await freePort();
  const instance = { ...startReadOnly(platformEnv(port)), port, base: `http://127.0.0.1:${port}` };
  instances.push(instance);
  return instance;
}

async function waitReady(instance: Instance): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  let gone = false;
  void instance.exited.then(() => (gone = true));
  while (Date.now() < deadline && !gone) {
    const status = await fetch(`${instance.base}/api/ready`).then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`instance on ${instance.port} never became ready:\n${instance.output().slice(-4000)}`);
}

function cookieOf(response: Response, name: RegExp): string | undefined {
  return response.headers.getSetCookie().find((c) => name.test(c))?.split(';')[0];
}

/** docs/protocol.md §2: register, CSRF token, credentials callback. */
async function signUpAndIn(registerOn: string, signInOn: string, username: string, password: string): Promise<string> {
  const registered = await fetch(`${registerOn}/api/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, displayName: username, password, confirmPassword: password }),
  });
  expect(registered.status, await registered.clone().text()).toBe(201);
  const csrf = await fetch(`${signInOn}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const signedIn = await fetch(`${signInOn}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookieOf(csrf, /csrf-token=/) ?? '' },
    body: new URLSearchParams({ csrfToken, username, password }),
  });
  const session = cookieOf(signedIn, /^(__Secure-)?authjs\.session-token=/);
  if (!session) throw new Error(`sign-in failed: ${signedIn.status} ${signedIn.headers.get('location')}`);
  return session;
}

function openRoomSocket(base: string, roomId: string, cookie: string): Promise<Socket> {
  const socket = io(`${base}/r/${roomId}`, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, auth: { lastSeq: 0 } });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function send(socket: Socket, body: string): Promise<Ack<ChatMessage>> {
  return socket.timeout(10_000).emitWithAck('message:send', { clientId: randomUUID(), body }) as Promise<Ack<ChatMessage>>;
}

function stopAll(): Promise<unknown> {
  return Promise.all(
    instances.map(async (instance) => {
      if (instance.npm.exitCode !== null || instance.npm.signalCode !== null) return;
      instance.npm.kill('SIGTERM');
      const done = await Promise.race([instance.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 15_000))]);
      if (!done && instance.npm.pid) process.kill(-instance.npm.pid, 'SIGKILL');
    }),
  );
}

describe('on a git-push platform (npm start, read-only app directory, two instances)', () => {
  let a: Instance;
  let b: Instance;
  let cookie: string;
  let roomId: string;

  beforeAll(async () => {
    // The platform's build step; scripts/test.ts has normally made it already.
    expect(await buildIfStale(process.env, { root: ROOT })).toBe(0);
    s3 = await startS3Server();
    database = await createEmptyDatabase(inject('databaseUrl'), 'platform');
    // Both at the same moment, on a database nothing has migrated yet.
    [a, b] = await Promise.all([launch(), launch()]);
    await Promise.all([waitReady(a), waitReady(b)]);
  }, 4 * READY_WITHIN_MS);

  afterAll(async () => {
    await stopAll();
    await database?.drop();
    await s3?.close();
  }, 60_000);

  it('migrates the fresh database exactly once between them, and writes nothing into the application directory', async () => {
    const migrations = readdirSync(path.join(ROOT, 'prisma', 'migrations'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    const rows = await query<{ migration_name: string; finished: boolean }>(`SELECT migration_name, finished_at IS NOT NULL AS finished FROM "_prisma_migrations"`);
    expect(rows.rows.map((r) => r.migration_name).sort()).toEqual([...migrations].sort());
    expect(rows.rows.every((r) => r.finished)).toBe(true);
    // Each migration was applied by one instance; the other found it applied (the advisory lock).
    const appliedLines = [a, b].flatMap((i) => i.output().split('\n').filter((line) => line.includes('"msg":"applied migration ')));
    expect(appliedLines).toHaveLength(migrations.length);
    for (const instance of [a, b]) {
      expect(instance.output()).toContain('"msg":"Parley is ready"');
      expect(instance.output()).not.toMatch(/EROFS|read-only file system/i);
      expect((await fetch(`${instance.base}/api/health`)).status).toBe(200);
    }
  });

  it('serves WebSockets only (no sticky sessions needed) and refuses long-polling with a clear 400', async () => {
    const polling = await fetch(`${a.base}/socket.io/?EIO=4&transport=polling`);
    expect(polling.status).toBe(400);
    expect(await polling.json()).toMatchObject({ message: 'Transport unknown' });
  });

  it('lets a user sign up on one instance, sign in on the other, and share a file through object storage', async () => {
    const username = `plat${randomBytes(3).toString('hex')}`;
    cookie = await signUpAndIn(a.base, b.base, username, 'a long platform password');
    const created = await fetch(`${a.base}/api/rooms`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'public', name: `Platform ${username}` }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    roomId = ((await created.json()) as { room: { id: string } }).room.id;

    // Received into the temp directory (not DATA_DIR, which is the read-only app directory here), then stored in S3.
    const bytes = Buffer.from(`platform upload ${randomUUID()}\n`);
    const uploaded = await fetch(`${b.base}/api/rooms/${roomId}/uploads?name=notes.txt`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(uploaded.status, await uploaded.clone().text()).toBe(201);
    const attachment = (await uploaded.json()) as { attachment: { url: string } };
    const downloaded = await fetch(`${a.base}${attachment.attachment.url}`, { headers: { cookie } });
    expect(downloaded.status).toBe(200);
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('exits within 10 s of SIGTERM to npm alone, losing no acknowledged message, while the other instance serves on', async () => {
    expect(roomId, 'the previous test made the room').toBeDefined();
    const socket = await openRoomSocket(a.base, roomId, cookie);
    const acked: ChatMessage[] = [];
    let stoppedAt = 0;
    // Sends one after another until the instance is gone; the signal goes out once 20 are acknowledged.
    const sending = (async () => {
      for (let n = 0; socket.connected; n += 1) {
        const ack = await send(socket, `before the stop ${n}`).catch(() => undefined);
        if (!ack?.ok) return;
        acked.push(ack.data);
        if (acked.length === 20) {
          stoppedAt = Date.now();
          a.npm.kill('SIGTERM');
        }
      }
    })();
    const { code } = await a.exited;
    const tookMs = Date.now() - stoppedAt;
    await sending;
    socket.close();
    expect(stoppedAt).toBeGreaterThan(0);
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(EXIT_WITHIN_MS);
    expect(a.output()).toContain('"msg":"shutdown complete"');
    expect(await fetch(`${a.base}/api/health`).then((r) => r.status, () => 0)).toBe(0); // the port is closed

    // Every acknowledged message is stored, once; the other instance has them and takes new ones.
    const stored = await query<{ client_id: string; copies: number }>(`SELECT client_id, count(*)::int AS copies FROM messages WHERE room_id = $1 GROUP BY client_id`, [roomId]);
    const copies = new Map(stored.rows.map((r) => [r.client_id, r.copies]));
    expect(acked.length).toBeGreaterThanOrEqual(20);
    for (const message of acked) expect(copies.get(message.clientId), `message ${message.seq}`).toBe(1);
    const history = await fetch(`${b.base}/api/rooms/${roomId}/messages?limit=100`, { headers: { cookie } });
    expect(history.status).toBe(200);
    const seqs = new Set(((await history.json()) as { messages: ChatMessage[] }).messages.map((m) => m.seq));
    for (const message of acked) expect(seqs.has(message.seq), `message ${message.seq} in B's history`).toBe(true);
    const onB = await openRoomSocket(b.base, roomId, cookie);
    const after = await send(onB, 'after the stop');
    onB.close();
    expect(after.ok).toBe(true);
  }, 60_000);

  it('on a read-only disk, starts the build it finds even if sources look newer, and never tries to build', async () => {
    // A checkout in miniature: the build check reads only .next/BUILD_ID and the sources' file times.
    const root = mkdtempSync(path.join(tmpdir(), 'parley-readonly-'));
    try {
      mkdirSync(path.join(root, 'lib'));
      writeFileSync(path.join(root, 'lib', 'changed.ts'), '');
      const script = `import(${JSON.stringify(path.join(ROOT, 'scripts', 'build-if-stale.ts'))}).then((m) => m.buildIfStale(process.env, { root: process.cwd() })).then((code) => process.exit(code))`;
      // `--import tsx` resolves from the working directory, which is the temp root here: name the loader itself.
      const tsx = pathToFileURL(createRequire(path.join(ROOT, 'package.json')).resolve('tsx')).href;
      const check = async () => {
        const run = spawnOnReadOnly(root, process.execPath, ['--import', tsx, '-e', script], process.env);
        const { code } = await run.exited;
        return { code, output: run.output() };
      };
      const noBuild = await check();
      expect(noBuild.code, noBuild.output).toBe(1);
      expect(noBuild.output).toContain('run `npm run build` in the build step');
      mkdirSync(path.join(root, '.next'));
      writeFileSync(path.join(root, '.next', 'BUILD_ID'), 'older-than-the-sources');
      utimesSync(path.join(root, '.next', 'BUILD_ID'), new Date(0), new Date(0));
      const stale = await check();
      expect(stale.code, stale.output).toBe(0);
      expect(stale.output).toContain('starting the existing build');
      expect(stale.output).not.toContain('building the web app');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses to start without AUTH_SECRET, saying what to set, when it has nowhere to keep a generated one', async () => {
    const port = await freePort();
    const env = platformEnv(port);
    delete env.AUTH_SECRET;
    const started = startReadOnly(env);
    const { code } = await started.exited;
    expect(code).toBe(1);
    expect(started.output()).toMatch(/AUTH_SECRET is not set, and no generated one can be kept in \.data \(E[A-Z]+\)\. Set AUTH_SECRET/);
  }, 60_000);
});
