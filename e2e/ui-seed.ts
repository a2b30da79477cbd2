/**
 * One realistic workspace, seeded over HTTP and the room protocol (never through the UI), for the specs
 * that look at screens: e2e/accessibility.spec.ts, e2e/screens.spec.ts, e2e/keyboard.spec.ts. Each spec
 * seeds it once in `beforeAll` and opens every test's browser context with a member's saved sign-in
 * (`storageState`), so a test spends its time on the page it checks, not on signing up and typing history.
 */
import { expect, request, type APIRequestContext, type Browser, type BrowserContext, type Page } from '@playwright/test';
import pg from 'pg';
import sharp from 'sharp';
import type { Socket } from 'socket.io-client';
import type { Ack } from '../lib/errors';
import type { ChatMessage } from '../lib/schemas/message';
import { PASSWORD, randomRoomName, randomUsername } from './helpers';
import { connectRoomSocketAs, send } from './room-socket';

type StorageState = Awaited<ReturnType<APIRequestContext['storageState']>>;

export interface SeedUser {
  id: string;
  username: string;
  displayName: string;
  /** Cookies of a signed-in session: `browser.newContext({ storageState })`. */
  storageState: StorageState;
}

export interface Workspace {
  alice: SeedUser;
  bob: SeedUser;
  carol: SeedUser;
  /** Signed up a moment ago: no rooms, no conversations (home's empty state). */
  newcomer: SeedUser;
  /** The instance admin (ADMIN_USERNAMES in playwright.config.ts). */
  admin: SeedUser;
  /** Alice's room with a conversation of three people: code, an image, a thread, reactions, receipts. */
  room: { id: string; name: string };
  /** A second room of Alice's, next to the first in her sidebar (Alt+↓). */
  otherRoom: { id: string; name: string };
  /** Alice and Bob's direct conversation. */
  dm: { id: string };
  /** Alice, Bob and Carol's group conversation. */
  group: { id: string };
  /** A public room the newcomer is not in (its preview with Join). */
  publicRoom: { id: string; name: string };
  /** A password-protected private room the newcomer is not in (its gate). */
  lockedRoom: { id: string; name: string };
  /** An invitation link (path) to a private room of Alice's. */
  invitePath: string;
  /** A word only the seeded conversation contains, for search. */
  searchWord: string;
}

export const ADMIN_USERNAME = 'e2e-admin';

function baseURL(): string {
  return `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3210)}`;
}

async function signIn(api: APIRequestContext, username: string): Promise<void> {
  const { csrfToken } = (await (await api.get('/api/auth/csrf')).json()) as { csrfToken: string };
  await api.post('/api/auth/callback/credentials', { form: { username, password: PASSWORD, csrfToken, callbackUrl: '/' }, maxRedirects: 0 });
}

/** Signs a user up (a taken name is fine for the fixed admin) and in; returns their session's storage state. */
async function seedUser(username: string, displayName: string): Promise<SeedUser & { api: APIRequestContext }> {
  const api = await request.newContext({ baseURL: baseURL() });
  const created = await api.post('/api/register', { data: { username, displayName, password: PASSWORD, confirmPassword: PASSWORD } });
  expect([201, 409], await created.text()).toContain(created.status());
  await signIn(api, username);
  const session = (await (await api.get('/api/auth/session')).json()) as { user?: { id: string; displayName?: string } };
  expect(session.user?.id, `${username} is signed in`).toBeTruthy();
  return { api, id: session.user!.id, username, displayName: session.user?.displayName ?? displayName, storageState: await api.storageState() };
}

async function post<T>(api: APIRequestContext, path: string, data: unknown): Promise<T> {
  const response = await api.post(path, { data });
  expect(response.ok(), `${path}: ${response.status()} ${await response.text()}`).toBe(true);
  return (await response.json()) as T;
}

/** A member's socket in a room's namespace, with their session cookie (from an API context). */
function roomSocket(user: SeedUser, roomId: string): Promise<Socket> {
  return connectRoomSocketAs(baseURL(), user.storageState.cookies.map((c) => `${c.name}=${c.value}`).join('; '), roomId);
}

async function call<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  const ack = (await socket.timeout(20_000).emitWithAck(event, payload)) as Ack<T>;
  if (!ack.ok) throw new Error(`${event} refused: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/** A small chart, so the image in the conversation looks like something a team would share. */
async function chartPng(): Promise<Buffer> {
  const bars = [38, 52, 47, 61, 58, 72, 69, 84]
    .map((h, i) => `<rect x="${30 + i * 70}" y="${300 - h * 3}" width="44" height="${h * 3}" rx="4" fill="hsl(${210 + i * 6},70%,${48 + i}%)"/>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="340"><rect width="100%" height="100%" fill="#f8fafc"/>${bars}<line x1="20" y1="300" x2="590" y2="300" stroke="#64748b" stroke-width="2"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Moves a room's first messages to yesterday, so the timeline shows two day separators (needs the e2e database's URL). */
async function backdate(roomId: string, seqs: number[]): Promise<void> {
  if (!process.env.DATABASE_URL) return; // `npx playwright test` on the embedded dev database: everything stays "Today"
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`UPDATE messages SET created_at = created_at - interval '1 day' - interval '3 hours' WHERE room_id = $1 AND seq = ANY($2::int[])`, [
      roomId,
      seqs,
    ]);
  } finally {
    await client.end();
  }
}

/**
 * Seeds the workspace: four people and the instance admin, two rooms with history, a DM, a group, a
 * public and a locked room to look at from outside, and an invitation. ~2–4 s on a quiet machine.
 */
export async function seedWorkspace(): Promise<Workspace> {
  const tag = randomUsername('').slice(-6);
  const [alice, bob, carol, newcomer, admin] = await Promise.all([
    seedUser(randomUsername('alice'), 'Alice Moreau'),
    seedUser(randomUsername('bob'), 'Bob Okafor'),
    seedUser(randomUsername('carol'), 'Carol Lindqvist'),
    seedUser(randomUsername('new'), 'Nia Newcomer'),
    seedUser(ADMIN_USERNAME, 'Instance Admin'),
  ]);
  const sockets: Socket[] = [];
  try {
    const roomName = `launch-${tag}`;
    const { room } = await post<{ room: { id: string; name: string } }>(alice.api, '/api/rooms', {
      kind: 'public',
      name: roomName,
      description: 'Thursday’s release: checklist, deploys and sign-off',
    });
    const { room: otherRoom } = await post<{ room: { id: string; name: string } }>(alice.api, '/api/rooms', {
      kind: 'public',
      name: `launch-${tag}-design`,
      description: 'Design review',
    });
    for (const member of [bob, carol]) await post(member.api, `/api/rooms/${room.id}/join`, {});

    const [a, b, c] = await Promise.all([roomSocket(alice, room.id), roomSocket(bob, room.id), roomSocket(carol, room.id)]);
    sockets.push(a, b, c);
    const searchWord = 'deployment';
    const m1 = await send(a, { body: 'Morning all! The release checklist for Thursday is in the shared doc.' });
    await send(b, { body: 'I’ll take the migration dry-run tonight.' });
    const m3 = await send(c, { body: 'Staging is green 🎉' });
    const code = await send(a, {
      body: `Here is the ${searchWord} command we agreed on:\n\n\`\`\`bash\nnpm run deploy -- --env=production --canary 10%\n\`\`\``,
    });
    await send(b, { body: `Do we still need the \`--canary\` flag for this ${searchWord}?`, threadRootSeq: code.seq });
    await send(a, { body: 'Yes, for the first hour. Then we roll out to everyone.', threadRootSeq: code.seq });
    const upload = await bob.api.post(`/api/rooms/${room.id}/uploads?name=latency.png`, {
      data: await chartPng(),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(upload.status(), await upload.text()).toBe(201);
    const { attachment } = (await upload.json()) as { attachment: { id: string } };
    await send(b, { body: `p95 latency since the ${searchWord} went out: flat.`, attachments: [attachment.id] });
    await send(c, { body: `@${alice.username} can we get **sign-off** from support before 3 pm?` });
    const last = await send(a, { body: 'On it: I will post an update at noon.' });
    await call<ChatMessage>(b, 'reaction:add', { seq: code.seq, emoji: '👍' });
    await call<ChatMessage>(c, 'reaction:add', { seq: code.seq, emoji: '👍' });
    await call<ChatMessage>(a, 'reaction:add', { seq: m3.seq, emoji: '🎉' });
    await call<ChatMessage>(b, 'reaction:add', { seq: m3.seq, emoji: '🚀' });
    // Receipts: Bob has read everything, Carol up to her own question.
    await call(b, 'read:mark', { seq: last.seq });
    await call(c, 'read:mark', { seq: last.seq - 1 });
    await backdate(room.id, [m1.seq, m1.seq + 1, m3.seq]);

    const o = await roomSocket(alice, otherRoom.id);
    sockets.push(o);
    await send(o, { body: 'New sidebar mock-ups are up for review.' });

    const { room: dm } = await post<{ room: { id: string } }>(alice.api, '/api/direct', { userId: bob.id });
    const [da, db] = await Promise.all([roomSocket(alice, dm.id), roomSocket(bob, dm.id)]);
    sockets.push(da, db);
    await send(db, { body: 'Have you got a minute for the rollback plan?' });
    await send(da, { body: 'Sure, call in five?' });
    const dmLast = await send(da, { body: 'I’ll share my screen.' });
    await call(db, 'read:mark', { seq: dmLast.seq });

    const { room: group } = await post<{ room: { id: string } }>(alice.api, '/api/groups', { userIds: [bob.id, carol.id] });
    const ga = await roomSocket(alice, group.id);
    sockets.push(ga);
    await send(ga, { body: 'Lunch after the release? My treat.' });

    const { room: publicRoom } = await post<{ room: { id: string; name: string } }>(bob.api, '/api/rooms', {
      kind: 'public',
      name: randomRoomName('book club'),
      description: 'What we are reading this month',
    });
    const { room: lockedRoom } = await post<{ room: { id: string; name: string } }>(bob.api, '/api/rooms', {
      kind: 'private',
      name: randomRoomName('leadership'),
      description: '',
      password: 'open sesame',
    });
    const { room: invited } = await post<{ room: { id: string } }>(alice.api, '/api/rooms', {
      kind: 'private',
      name: randomRoomName('offsite'),
      description: 'Planning the spring offsite',
      password: 'not guessable',
    });
    const invite = await post<{ path: string }>(alice.api, `/api/rooms/${invited.id}/invites`, {});

    const strip = ({ api: _api, ...user }: SeedUser & { api: APIRequestContext }): SeedUser => user;
    return {
      alice: strip(alice),
      bob: strip(bob),
      carol: strip(carol),
      newcomer: strip(newcomer),
      admin: strip(admin),
      room: { id: room.id, name: room.name },
      otherRoom: { id: otherRoom.id, name: otherRoom.name },
      dm: { id: dm.id },
      group: { id: group.id },
      publicRoom: { id: publicRoom.id, name: publicRoom.name },
      lockedRoom: { id: lockedRoom.id, name: lockedRoom.name },
      invitePath: invite.path,
      searchWord,
    };
  } finally {
    sockets.forEach((s) => s.close());
    await Promise.all([alice, bob, carol, newcomer, admin].map((u) => u.api.dispose()));
  }
}

export const devices = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844 },
} as const;
export type Device = keyof typeof devices;
export const themes = ['light', 'dark'] as const;
export type ThemeName = (typeof themes)[number];

/** A browser context as `user` (or signed out), in one theme (the OS preference; the app's default follows it) and size. */
export async function contextFor(
  browser: Browser,
  options: { user?: SeedUser; theme: ThemeName; device: Device; reducedMotion?: boolean; serviceWorkers?: 'allow' | 'block' },
): Promise<BrowserContext> {
  const phone = options.device === 'phone';
  return browser.newContext({
    baseURL: baseURL(),
    viewport: devices[options.device],
    colorScheme: options.theme,
    // The phone is a touch device with a phone's pixel ratio, as a reviewer's emulated iPhone would be.
    ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    reducedMotion: options.reducedMotion ? 'reduce' : 'no-preference',
    ...(options.user ? { storageState: options.user.storageState } : {}),
    // Once public/sw.js controls a page, its requests no longer pass page.route(): tests that intercept them block it.
    ...(options.serviceWorkers ? { serviceWorkers: options.serviceWorkers } : {}),
  });
}

/** Waits until a room's timeline is live: the composer usable and the room's socket connected. */
export async function roomReady(page: Page): Promise<void> {
  await expect(page.getByTestId('room-view')).toHaveAttribute('data-connected', 'true');
  await expect(page.getByTestId('message').first()).toBeVisible();
}

/** Opens the rooms drawer where the sidebar is one (phone); a no-op where the sidebar is always shown. */
export async function showSidebar(page: Page): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Rooms' });
  if (await nav.isVisible()) return;
  await page.getByRole('banner').getByRole('button', { name: 'Rooms', exact: true }).click();
  await expect(nav).toBeVisible();
}
