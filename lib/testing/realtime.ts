/** Integration-test helpers: the realtime server on a bare HTTP server (no Next) and real clients. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encode } from 'next-auth/jwt';
import { io as connect, type Socket } from 'socket.io-client';
import { registerUser } from '../data/users';
import { getEnv } from '../env';
import { getLogger } from '../logger';
import { createRealtimeServer, type ParleyServer } from '../realtime/server';
import type { PublicUser } from '../schemas/user';

export interface TestRealtime {
  url: string;
  io: ParleyServer;
  close(): Promise<void>;
}

export async function startTestRealtime(): Promise<TestRealtime> {
  const httpServer = createServer();
  const io = createRealtimeServer(httpServer, { env: getEnv(), log: getLogger() });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    io,
    close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
  };
}

let counter = 0;
export function uniqueName(prefix = 'u'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`.slice(0, 32);
}

export async function createTestUser(overrides: { username?: string; password?: string } = {}): Promise<PublicUser & { password: string }> {
  const password = overrides.password ?? 'correct horse battery';
  const username = overrides.username ?? uniqueName();
  const user = await registerUser({
    data: { username, displayName: `Test ${username}`, password, confirmPassword: password },
    ip: `10.${Math.floor(Math.random() * 255)}.${Math.floor(Math.random() * 255)}.1`,
  });
  return { ...user, password };
}

/** A session cookie exactly as Auth.js would set it after sign-in. */
export async function sessionCookie(user: PublicUser): Promise<string> {
  const token = await encode({
    token: { sub: user.id, name: user.displayName, username: user.username },
    secret: getEnv().AUTH_SECRET,
    salt: 'authjs.session-token',
  });
  return `authjs.session-token=${token}`;
}

export interface ConnectOptions {
  cookie?: string;
  origin?: string;
  namespace?: string;
  auth?: Record<string, unknown>;
}

/** A real socket.io-client over WebSocket, sending the headers a browser would. */
export function connectClient(base: string, options: ConnectOptions = {}): Socket {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin) headers.origin = options.origin;
  return connect(`${base}${options.namespace ?? '/'}`, {
    transports: ['websocket'],
    extraHeaders: headers,
    auth: options.auth,
    reconnection: false,
    forceNew: true,
  });
}

/** Resolves on `connect`, rejects with the `connect_error` (message and data) otherwise. */
export function waitForConnect(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
}
