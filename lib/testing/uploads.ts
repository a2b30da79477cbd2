/**
 * Integration-test helpers for files (issue 12), written as an outside client of docs/protocol.md §4.11 and
 * §6 would use the API: raw HTTP uploads and downloads with full control of the request (Content-Length,
 * chunked bodies, `Expect: 100-continue`, a client that goes away mid-body), `message:send` with
 * attachments, the Next routes through the test router, and a look at what is left in the database, the
 * storage backend and the upload temp folder (for "nothing left behind" checks).
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll } from 'vitest';
import { createRoom, joinRoom, startDirect } from '../data/rooms';
import { getDb } from '../db';
import { getEnv } from '../env';
import type { Ack, ErrorBody } from '../errors';
import type { Attachment } from '../schemas/attachment';
import type { ChatMessage } from '../schemas/message';
import type { PublicUser } from '../schemas/user';
import { createLocalStorage } from '../storage/local';
import { createS3Storage } from '../storage/s3';
import { getStorage, setStorageForTests } from '../storage';
import { dispatch, loadApiRoutes, type ApiRoute } from './api-router';
import { rawRequest, type HttpResult } from './raw-http';
import { createTestUser, signInAs, uniqueName } from './realtime';
import { startS3Server } from './s3-server';
import { sweepStorage } from '../files/garbage';

export { generatedBytes, rawRequest, type HttpResult, type RawRequestOptions, type RawResult } from './raw-http';

export interface UploadOptions {
  name?: string;
  /** Other query parameters (voice, durationMs, waveform…), or a whole query string to send as given. */
  query?: Record<string, string> | string;
  /** Default `application/octet-stream`; null sends none. */
  contentType?: string | null;
  headers?: Record<string, string | number>;
  /** Send the body chunked (no Content-Length). */
  chunked?: boolean;
}

export type UploadAnswer = HttpResult & { attachment?: Attachment; error?: ErrorBody };

export function uploadUrl(base: string, roomId: string, options: Pick<UploadOptions, 'name' | 'query'> = {}): string {
  if (typeof options.query === 'string') return `${base}/api/rooms/${roomId}/uploads?${options.query}`;
  const params = new URLSearchParams();
  if (options.name !== undefined) params.set('name', options.name);
  for (const [k, v] of Object.entries(options.query ?? {})) params.set(k, v);
  return `${base}/api/rooms/${roomId}/uploads?${params.toString()}`;
}

/** POST /api/rooms/:roomId/uploads with the whole body; the answer with `attachment` or `error` picked out. */
export async function upload(base: string, cookie: string | undefined, roomId: string, bytes: Buffer, options: UploadOptions = {}): Promise<UploadAnswer> {
  const headers: Record<string, string | number> = { ...options.headers };
  if (cookie) headers.cookie = cookie;
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/octet-stream';
  if (!options.chunked) headers['content-length'] = bytes.length;
  const result = await rawRequest(uploadUrl(base, roomId, { name: options.name ?? 'file.bin', query: options.query }), {
    method: 'POST',
    headers,
    body: options.chunked ? chunksOf(bytes, 64 * 1024) : bytes,
  });
  if (!result.response) throw new Error(`upload got no answer: ${String(result.error)}`);
  return withPicked(result.response);
}

function* chunksOf(bytes: Buffer, size: number): Generator<Buffer> {
  if (bytes.length === 0) return;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export function withPicked(response: HttpResult): UploadAnswer {
  const json = response.json as { attachment?: Attachment; error?: ErrorBody } | undefined;
  return { ...response, attachment: json?.attachment, error: json?.error };
}

/** An upload that must succeed: its Attachment. */
export async function uploadOk(base: string, cookie: string, roomId: string, bytes: Buffer, options: UploadOptions = {}): Promise<Attachment> {
  const answer = await upload(base, cookie, roomId, bytes, options);
  if (answer.status !== 201 || !answer.attachment) throw new Error(`upload failed: ${answer.status} ${answer.body.toString('utf8').slice(0, 300)}`);
  return answer.attachment;
}

/** GET (or HEAD) of a file URL (`/api/files/…`, relative to `base`) as a session, or anonymous. */
export async function getFile(base: string, cookie: string | undefined, url: string, options: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  const result = await rawRequest(`${base}${url}`, { method: options.method ?? 'GET', headers: { ...(cookie ? { cookie } : {}), ...options.headers } });
  if (!result.response) throw new Error(`GET ${url} got no answer: ${String(result.error)}`);
  return result.response;
}

/** message:send with files. */
export async function sendFiles(socket: Socket, payload: { attachments?: unknown; body?: unknown; clientId?: string; [key: string]: unknown }): Promise<Ack<ChatMessage>> {
  return (await socket.timeout(10_000).emitWithAck('message:send', { clientId: randomUUID(), ...payload })) as Ack<ChatMessage>;
}

// ── The Next routes of §6 (GET /api/uploads, DELETE /api/uploads/:id, GET /api/rooms/:roomId/files) ──

let routes: Promise<ApiRoute[]> | undefined;

/** A REST call through the route handler Next would call, as a session (or anonymous), JSON as the app sends it. */
export async function api(cookie: string | undefined, method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }> {
  routes ??= loadApiRoutes();
  const headers: Record<string, string> = { 'x-parley-client-ip': '10.20.30.41' };
  if (cookie) headers.cookie = cookie;
  if (method !== 'GET' && method !== 'HEAD') headers['content-type'] = 'application/json';
  const response = await dispatch(
    await routes,
    new Request(`http://localhost${urlPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
  );
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

// ── What is left behind ──

/** Where a storage backend keeps objects, for tests to look inside without going through the app. */
export interface StorageProbe {
  /** Every object key under the prefix (`<roomId>/` for one room's files). */
  keys(prefix?: string): Promise<string[]>;
}

async function walk(dir: string, base: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full, base)));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out;
}

/** The local backend's folder: every file below it, its own temp folder included (a leftover there counts too). */
export function localProbe(root: string): StorageProbe {
  return { keys: async (prefix = '') => (await walk(root, root)).filter((key) => key.startsWith(prefix) || key.startsWith('.tmp/')) };
}

export function s3Probe(config: { endpoint: string; bucket: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } }): StorageProbe & { close(): void } {
  const client = new S3Client({ endpoint: config.endpoint, region: config.region, credentials: config.credentials, forcePathStyle: true });
  return {
    keys: async (prefix = '') => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: config.bucket, Prefix: prefix, ContinuationToken: token }));
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    close: () => client.destroy(),
  };
}

/** Files in the upload pipeline's temp folders (under DATA_DIR/tmp), with their sizes. */
export async function tempFiles(): Promise<{ file: string; size: number }[]> {
  const root = path.join(path.resolve(getEnv().DATA_DIR), 'tmp');
  const files = await walk(root, root);
  const sized = await Promise.all(
    files.map(async (file) => {
      try {
        return { file, size: (await stat(path.join(root, file))).size };
      } catch {
        return { file, size: -1 }; // removed meanwhile
      }
    }),
  );
  return sized.filter((f) => f.size >= 0);
}

/** The attachment rows of a room (every state: uploading, ready, sent). */
export function attachmentRows(roomId: string) {
  return getDb().attachment.findMany({ where: { roomId }, orderBy: { createdAt: 'asc' } });
}

/** What a room leaves behind: rows, objects, and the temp folder's files. */
export async function leftovers(roomId: string, probe: StorageProbe): Promise<{ rows: number; objects: string[]; temp: string[] }> {
  const [rows, objects, temp] = await Promise.all([attachmentRows(roomId), probe.keys(`${roomId}/`), tempFiles()]);
  return { rows: rows.length, objects, temp: temp.map((t) => t.file) };
}

/**
 * Waits (up to `timeoutMs`) until the room has left nothing anywhere — the server may clean up just after
 * answering — and returns what is left then, for the test to compare with nothing.
 */
export async function settledLeftovers(roomId: string, probe: StorageProbe, timeoutMs = 15_000): Promise<{ rows: number; objects: string[]; temp: string[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await leftovers(roomId, probe);
    if ((left.rows === 0 && left.objects.length === 0 && left.temp.length === 0) || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A UUID no upload has. */
export const unknownId = (): string => randomUUID();

// ── People, rooms and the storage backend of a test file ──

export interface Person extends PublicUser {
  password: string;
  cookie: string;
}

/** A new user with a session of their own. */
export async function person(): Promise<Person> {
  const user = await createTestUser();
  const { cookie } = await signInAs(user);
  return { ...user, cookie };
}

export const ROOM_PASSWORD = 'files test password';

/** A public or private room of `owner` with `members` in it; its id. */
export async function roomOf(owner: PublicUser, kind: 'public' | 'private', ...members: PublicUser[]): Promise<string> {
  const name = uniqueName('fl');
  const data = kind === 'private' ? { kind, name, description: '', password: ROOM_PASSWORD } : { kind, name, description: '' };
  const room = await createRoom({ ownerId: owner.id, data, ip: null });
  for (const member of members) await joinRoom({ roomId: room.id, userId: member.id, password: kind === 'private' ? ROOM_PASSWORD : undefined, ip: null });
  return room.id;
}

export async function directOf(a: PublicUser, b: PublicUser): Promise<string> {
  return (await startDirect({ userId: a.id, peerId: b.id })).room.id;
}

/**
 * A fresh DATA_DIR for this test file (the upload temp folder and the local backend live there): set it
 * before anything reads the environment, i.e. at the top of the file. Removed after the file's tests.
 */
export function ownDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-files-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export type Backend = 'local' | 's3';

export interface TestStorage {
  backend: Backend;
  probe: StorageProbe;
  close(): Promise<void>;
}

/**
 * Makes the process store files in a backend of its own: a local folder, or a real S3-compatible server
 * (s3rver) started for the test. The probe looks at the objects directly.
 */
export async function useStorage(backend: Backend): Promise<TestStorage> {
  if (backend === 'local') {
    const root = path.join(path.resolve(getEnv().DATA_DIR), `files-${randomUUID().slice(0, 8)}`);
    const storage = createLocalStorage({ root });
    setStorageForTests(storage);
    return {
      backend,
      probe: localProbe(root),
      close: async () => {
        setStorageForTests(undefined);
        await storage.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  }
  const s3 = await startS3Server();
  const storage = createS3Storage({ bucket: s3.bucket, region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  setStorageForTests(storage);
  const probe = s3Probe(s3);
  return {
    backend,
    probe,
    close: async () => {
      setStorageForTests(undefined);
      await storage.close();
      probe.close();
      await s3.close();
    },
  };
}

/**
 * One pass of the file garbage collector, as its timer would run it: uploads no message took within
 * UPLOAD_UNATTACHED_HOURS are deleted, then the objects of deleted rows are removed from storage.
 */
export async function collectFileGarbage(): Promise<void> {
  await sweepStorage({ storage: getStorage(), unattachedHours: getEnv().UPLOAD_UNATTACHED_HOURS });
}
