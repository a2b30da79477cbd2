/**
 * A member's own Socket.IO connection to a room, opened with their browser context's session cookie:
 * the protocol the browser speaks (validation, rate limits, broadcast), for seeding history faster than
 * typing it.
 */
import { randomUUID } from 'node:crypto';
import { test, type BrowserContext } from '@playwright/test';
import { io, type Socket } from 'socket.io-client';
import type { Ack } from '../lib/errors';
import type { ChatMessage, SendMessageInput } from '../lib/schemas/message';

/** Connects to `/r/<roomId>` (a public room's namespace joins it). Close the socket when done. */
export async function connectRoomSocket(context: BrowserContext, roomId: string): Promise<Socket> {
  const base = String(test.info().project.use.baseURL);
  const cookie = (await context.cookies(base)).map((c) => `${c.name}=${c.value}`).join('; ');
  return connectRoomSocketAs(base, cookie, roomId);
}

/** The same, for a session given as its Cookie header (e.g. from a saved storageState). */
export async function connectRoomSocketAs(base: string, cookie: string, roomId: string): Promise<Socket> {
  const socket = io(`${base}/r/${roomId}`, {
    transports: ['websocket'],
    extraHeaders: { cookie },
    auth: { lastSeq: 0, lastRev: 0 },
    reconnection: false,
    // Its own connection: socket.io-client otherwise reuses a cached one to the same server, with the
    // cookie (the user) of whoever opened that one first.
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
  return socket;
}

/** Sends until acknowledged with one clientId, waiting out RATE_LIMITED for the `retryAfter` the server gives (§7). */
export async function send(socket: Socket, input: Omit<SendMessageInput, 'clientId'>): Promise<ChatMessage> {
  const clientId = randomUUID();
  for (;;) {
    const ack = (await socket.timeout(20_000).emitWithAck('message:send', { clientId, ...input })) as Ack<ChatMessage>;
    if (ack.ok) return ack.data;
    if (ack.error.code !== 'RATE_LIMITED') throw new Error(`message:send refused: ${ack.error.code} ${ack.error.message}`);
    await new Promise((resolve) => setTimeout(resolve, (ack.error.retryAfter ?? 1) * 1000));
  }
}
