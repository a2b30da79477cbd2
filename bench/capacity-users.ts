/**
 * A `capacity` generator process (bench/capacity.ts starts several): simulated people, each a browser tab
 * as Parley's client makes it (one Socket.IO connection: the main namespace plus the open room's namespace),
 * acting by the model of bench/capacity-model.ts. It owns a slice of the population; the orchestrator tells
 * it how many of them should be active (`target`), and they come and go (sessions of minutes to hours).
 *
 * Measured here, per window (wall-clock times, `performance.timeOrigin + now()`, so they compare across
 * processes):
 * - message:new latency: send (the intended send time, written in the body) → every recipient with the
 *   room open, live deliveries only;
 * - exactly-once: every acked message (all generators' acks, relayed by the orchestrator) must reach, once,
 *   every room socket here that held the room from the ack until DELIVERY_GRACE_MS later, by replay or live
 *   (the sender's own socket: by its ack); a seq that arrives twice on one socket is a duplicate;
 * - room:activity latency and exactly-once on the main sockets of every member here that was up throughout;
 * - ack, connect and HTTP latencies; error codes; this process's CPU and event-loop delay.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { brotliDecompressSync, gunzipSync, inflateSync, zstdDecompressSync } from 'node:zlib';
import * as hdr from 'hdr-histogram-js';
import { computeCacheBustingSearchParam } from 'next/dist/shared/lib/router/utils/cache-busting-search-param';
import { Manager, type Socket } from 'socket.io-client';
import { createForwardThrottle, type ForwardThrottle } from '../lib/realtime/forward-throttle';
import { closeRoomSocket, keepRoomSocket } from '../lib/realtime/room-socket-close';
import { showsDelivery } from '../lib/schemas/limits';
import {
  BURST_CONTINUE,
  BURST_GAP_MS,
  DELIVERY_ACK_INTERVAL_MS,
  DELIVERY_ACK_SPREAD_MS,
  DELIVERY_GRACE_MS,
  HISTORY_PAGE,
  PREFETCH_FRESH_MS,
  READ_MARK_INTERVAL_MS,
  RECONNECT_DELAY_MAX_MS,
  RECONNECT_DELAY_MS,
  SESSION_GAP_MEAN_MS,
  TYPING_REPEAT_MS,
  idleMs,
  pickAction,
  sessionMs,
  typingMs,
  type Action,
  type Navigation,
} from './capacity-model';
import { exitWithParent } from './shared';
import { prng, QUERY_WORDS, textGenerator } from './search-text';

// ── IPC ──

export interface CapacityPlan {
  type: 'plan';
  worker: number;
  base: string;
  password: string;
  seed: number;
  spread: boolean;
  ackTimeoutMs: number;
  signinShare: number;
  navigation: Navigation;
  users: { id: string; username: string; cookie: string; rooms: number[]; peers: string[] }[];
  /** `drawn`: the members a room's member list draws (MEMBER_ROWS_PAGE), whose presence the tab watches while it is open. */
  rooms: { id: string; kind: 'public' | 'direct'; drawn: string[] }[];
}
/** [room, seq, sentAt, ackAt] — an acked message (wall ms). */
export type AckedEntry = [number, number, number, number];
export type CapacityCommand =
  | CapacityPlan
  | { type: 'target'; active: number; spreadMs: number }
  | { type: 'acked'; entries: AckedEntry[] }
  | { type: 'window-start'; t0: number }
  | { type: 'window-end'; t1: number }
  | { type: 'collect' }
  | { type: 'stop' };

export interface WindowStats {
  worker: number;
  active: number;
  sessionsStarted: number;
  sessionsEnded: number;
  signins: number;
  sent: number;
  acked: number;
  delivered: number;
  owed: number;
  lost: number;
  late: number;
  duplicates: number;
  /** The same seq by replay and live (or ack): documented (docs/protocol.md §4.3), deduped by seq, not a duplicate. */
  overlaps: number;
  signinRetries: number;
  sendRetries: number;
  replayRepeats: number;
  activityOwed: number;
  activityReceived: number;
  activityLost: number;
  activityDuplicates: number;
  replays: number;
  truncatedReplays: number;
  actions: Record<string, number>;
  /** Duplicates by how the two copies came: live+live, replay+replay, ack+live, … */
  dupKinds: Record<string, number>;
  emits: Record<string, number>;
  http: Record<string, number>;
  errors: Record<string, number>;
  /** Compressed HdrHistograms (µs). */
  e2e: string;
  activity: string;
  ack: string;
  connect: string;
  httpLatency: string;
  /** The same by request kind (`http`'s keys). */
  httpLatencyByKind: Record<string, string>;
  cpuPct: number;
  loopP99Ms: number;
  loopMaxMs: number;
}
export type CapacityReply = { type: 'ready' } | { type: 'acked'; entries: AckedEntry[] } | { type: 'window'; stats: WindowStats } | { type: 'fatal'; error: string };

// ── state ──

const wall = () => performance.timeOrigin + performance.now();
const send = (m: CapacityReply) => process.send?.(m);
const hist = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
const bump = (rec: Record<string, number>, key: string, n = 1) => (rec[key] = (rec[key] ?? 0) + n);

interface Segment {
  room: number;
  /** Seqs above this are owed (the handshake's lastSeq; or the replay's lastSeq when none was sent or it was truncated). */
  startSeq: number | undefined;
  readyAt?: number;
  closedAt?: number;
  /** seq → how it came (LIVE | REPLAY | ACK bits). */
  got: Map<number, number>;
  missing: Set<number>;
}
const LIVE = 1;
const REPLAY = 2;
const ACK = 4;

interface RoomView {
  room: number;
  socket: Socket;
  seg?: Segment;
  /** lastSeq the handshake is about to send (auth is read at each connect). */
  pendingStart?: number;
  readSent: number;
  readTimer?: NodeJS.Timeout;
  readAt: number;
  seen: number;
  lastOwn?: number;
  /** Its send time: an edit keeps the body's "c|<sent>|" head, so the message still counts for its window. */
  lastOwnSentAt?: number;
  oldest?: number;
}

interface Session {
  user: number;
  manager: Manager;
  main: Socket;
  cookie: string;
  startedAt: number;
  mainUpSince?: number;
  views: Map<number, RoomView>;
  open?: RoomView;
  /** Counts room switches, so a switch still reading its room is dropped when another one follows it. */
  switching: number;
  held: Map<number, number>;
  historyLoaded: Set<number>;
  /** Room → when this tab last prefetched it (the Next.js router's cache). */
  prefetchedAt: Map<number, number>;
  /** Room id → version of the member list this tab was sent for it (lib/stores/member-lists.ts; a reload forgets). */
  membersRevs: Map<string, number>;
  delivery: ForwardThrottle;
  timers: Set<NodeJS.Timeout>;
  ending: boolean;
  dropping: boolean;
  /** Disconnects of any of the session's sockets so far: an ack lost to one is retried, not an error. */
  drops: number;
}

let plan: CapacityPlan;
let random: () => number = Math.random;
const text = textGenerator(7);
const sessions = new Map<number, Session>();
const offline: number[] = [];
let target = 0;
let starting = 0;
const segsByRoom = new Map<number, Set<Segment>>();
const membersHere = new Map<number, number[]>();
/** Acked entries waiting for their check time. */
const pending: AckedEntry[] = [];
/** room:activity receipts waiting for their entry: "room:seq" → user → [count, first receipt]. */
const activity = new Map<string, Map<number, [number, number]>>();
let ownAcks: AckedEntry[] = [];

interface Window {
  t0: number;
  t1: number;
  stats: Omit<WindowStats, 'e2e' | 'activity' | 'ack' | 'connect' | 'httpLatency' | 'httpLatencyByKind' | 'cpuPct' | 'loopP99Ms' | 'loopMaxMs' | 'worker' | 'active'>;
  e2e: hdr.Histogram;
  activity: hdr.Histogram;
  ack: hdr.Histogram;
  connect: hdr.Histogram;
  httpLatency: hdr.Histogram;
  httpByKind: Map<string, hdr.Histogram>;
  cpu0: NodeJS.CpuUsage;
  cpuPct?: number;
  loopP99Ms?: number;
  loopMaxMs?: number;
}
let win: Window | undefined;
const loop = monitorEventLoopDelay({ resolution: 1 });
const inWin = (t: number) => win !== undefined && t >= win.t0 && t < win.t1;
const count = (key: keyof Window['stats'], t = wall(), n = 1) => {
  if (win && inWin(t)) (win.stats[key] as number) += n;
};
const countIn = (key: 'actions' | 'dupKinds' | 'emits' | 'http' | 'errors', name: string, t = wall()) => {
  if (win && inWin(t)) bump(win.stats[key], name);
};
const record = (h: 'e2e' | 'activity' | 'ack' | 'connect' | 'httpLatency', ms: number, t = wall()) => {
  if (win && inWin(t)) win[h].recordValue(Math.max(1, Math.round(ms * 1000)));
};
/** An HTTP request's latency, overall and by its kind. */
const recordHttp = (kind: string, ms: number, t: number) => {
  record('httpLatency', ms, t);
  recordByKind(kind, ms, t);
};
/** A request's latency by its kind (HTTP requests, and `room:load` on the main socket). */
const recordByKind = (kind: string, ms: number, t: number) => {
  if (!win || !inWin(t)) return;
  let h = win.httpByKind.get(kind);
  if (!h) win.httpByKind.set(kind, (h = hist()));
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
};
const error = (code: string) => countIn('errors', code);

function newWindow(t0: number): Window {
  loop.reset();
  loop.enable();
  return {
    t0,
    t1: Infinity,
    stats: {
      sessionsStarted: 0,
      sessionsEnded: 0,
      signins: 0,
      sent: 0,
      acked: 0,
      delivered: 0,
      owed: 0,
      lost: 0,
      late: 0,
      duplicates: 0,
      overlaps: 0,
      signinRetries: 0,
      sendRetries: 0,
      replayRepeats: 0,
      activityOwed: 0,
      activityReceived: 0,
      activityLost: 0,
      activityDuplicates: 0,
      replays: 0,
      truncatedReplays: 0,
      actions: {},
      dupKinds: {},
      emits: {},
      http: {},
      errors: {},
    },
    e2e: hist(),
    activity: hist(),
    ack: hist(),
    connect: hist(),
    httpLatency: hist(),
    httpByKind: new Map(),
    cpu0: process.cpuUsage(),
  };
}

// ── HTTP (node:http, so each user keeps its source address) ──

interface HttpAnswer {
  status: number;
  setCookies: string[];
  location?: string;
  /** Content-Encoding: set when the request offered compression (BROWSER_ACCEPT_ENCODING). */
  encoding?: string;
  body: Buffer;
}
function http(
  user: number,
  method: string,
  path: string,
  options: { cookie?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const url = new URL(path, plan.base);
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        headers: {
          ...options.headers,
          ...(options.cookie ? { cookie: options.cookie } : {}),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}),
        },
        ...(plan.spread ? { localAddress: localAddress(user) } : {}),
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const sc = res.headers['set-cookie'];
          resolve({ status: res.statusCode ?? 0, setCookies: sc ?? [], location: res.headers.location, encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('HTTP timeout')));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** A GET as the browser makes it: counted, timed, non-2xx an error (429 a documented limit). Its answer, unread. */
async function get(user: number, kind: string, path: string, cookie: string, headers?: Record<string, string>): Promise<HttpAnswer | undefined> {
  const t = wall();
  countIn('http', kind, t);
  try {
    const res = await http(user, 'GET', path, { cookie, headers });
    recordHttp(kind, wall() - t, t);
    if (res.status < 200 || res.status >= 300) {
      error(`HTTP_${res.status}`);
      return undefined;
    }
    return res;
  } catch (e) {
    error(`HTTP_${(e as Error).message.slice(0, 40)}`);
    return undefined;
  }
}

/** An API request: get(), its JSON parsed. */
async function api(user: number, kind: string, path: string, cookie: string, headers?: Record<string, string>): Promise<unknown> {
  const res = await get(user, kind, path, cookie, headers);
  if (res === undefined) return undefined;
  try {
    return JSON.parse(decode(res).toString('utf8')) as unknown;
  } catch (e) {
    error(`HTTP_${(e as Error).message.slice(0, 40)}`);
    return undefined;
  }
}

function decode(res: HttpAnswer): Buffer {
  switch (res.encoding) {
    case undefined:
    case 'identity':
      return res.body;
    case 'gzip':
      return gunzipSync(res.body);
    case 'deflate':
      return inflateSync(res.body);
    case 'br':
      return brotliDecompressSync(res.body);
    case 'zstd':
      return zstdDecompressSync(res.body);
    default:
      throw new Error(`content-encoding ${res.encoding}`);
  }
}

/** Chromium's: the server compresses what it answers (Next's compression); the generator unpacks only what it reads. */
const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';
/** The browser's REST calls (lib/api-client.ts apiFetch), as a client-side room switch makes them. */
const API_HEADERS: Record<string, string> = { accept: 'application/json', 'accept-encoding': BROWSER_ACCEPT_ENCODING };

const localAddress = (user: number) => `127.0.0.${1 + ((plan.worker * 97 + user) % 254)}`;

/** Auth.js's credentials flow over HTTP (docs/protocol.md §2): a real password check (bcrypt) on the server. */
async function signIn(user: number, attempt = 1): Promise<string | undefined> {
  const t = wall();
  countIn('http', 'sign-in', t);
  if (attempt === 1) count('signins', t);
  try {
    const csrf = await http(user, 'GET', '/api/auth/csrf');
    const csrfCookie = csrf.setCookies.map((c) => c.split(';')[0]!).join('; ');
    const { csrfToken } = JSON.parse(csrf.body.toString('utf8')) as { csrfToken: string };
    const res = await http(user, 'POST', '/api/auth/callback/credentials', {
      cookie: csrfCookie,
      form: { csrfToken, username: plan.users[user]!.username, password: plan.password },
    });
    recordHttp('sign-in', wall() - t, t);
    const session = res.setCookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith('authjs.session-token='));
    if (session) return session;
    const code = /[?&]code=([a-z_]+)/.exec(res.location ?? '')?.[1] ?? `HTTP_${res.status}`;
    // "Too busy hashing passwords": retry after a second, as docs/protocol.md §2 says.
    if (code === 'unavailable' && attempt < 5) {
      count('signinRetries');
      await new Promise((r) => setTimeout(r, 1_000));
      return signIn(user, attempt + 1);
    }
    error(code === 'rate_limited' ? 'RATE_LIMITED' : `SIGNIN_${code}`);
  } catch (e) {
    error(`SIGNIN_${(e as Error).message.slice(0, 40)}`);
  }
  return undefined;
}

// ── sessions ──

function later(s: Session, ms: number, fn: () => void): void {
  const timer = setTimeout(() => {
    s.timers.delete(timer);
    if (!s.ending) fn();
  }, ms);
  s.timers.add(timer);
}

/**
 * `churn`: someone coming back while the population is steady: may sign in, loads each room's history on its
 * first open. Ramp arrivals stand for people who already had the app open (a steady population is mostly
 * mid-session): they hold a session cookie and the rooms' history, so they skip both.
 */
async function startSession(user: number, churn: boolean): Promise<void> {
  const spec = plan.users[user]!;
  const t = wall();
  let cookie = spec.cookie;
  if (churn && random() < plan.signinShare) cookie = (await signIn(user)) ?? spec.cookie;
  const manager = new Manager(plan.base, {
    transports: ['websocket'],
    autoConnect: false,
    reconnectionDelay: RECONNECT_DELAY_MS,
    reconnectionDelayMax: RECONNECT_DELAY_MAX_MS,
    timeout: 30_000,
    extraHeaders: { cookie },
    ...(plan.spread ? { localAddress: localAddress(user) } : {}),
  } as ConstructorParameters<typeof Manager>[1]);
  const main = manager.socket('/');
  const s: Session = {
    user,
    manager,
    main,
    cookie,
    startedAt: t,
    views: new Map(),
    held: new Map(),
    historyLoaded: new Set(churn ? [] : spec.rooms),
    switching: 0,
    prefetchedAt: new Map(),
    membersRevs: new Map(),
    // Without an ack, as the browser client sends it (lib/realtime/client.ts): its errors go unseen there too.
    delivery: createForwardThrottle(
      (roomId, seq) => emitWithoutAck(main, 'delivery:ack', { roomId, seq }),
      DELIVERY_ACK_INTERVAL_MS,
      () => random() * DELIVERY_ACK_SPREAD_MS,
    ),
    timers: new Set(),
    ending: false,
    dropping: false,
    drops: 0,
  };
  sessions.set(user, s);
  count('sessionsStarted', t);
  let first = true;
  main.on('session:ready', () => {
    s.mainUpSince = wall();
    s.dropping = false;
    if (first) record('connect', wall() - t, t);
    first = false;
    s.delivery.reset();
    watchPresence(s);
  });
  main.on('room:activity', (a: { roomId: string; lastSeq: number; authorId: string }) => onActivity(s, a));
  main.on('disconnect', (reason: string) => {
    s.drops += 1;
    s.mainUpSince = undefined;
    if (!s.ending && !s.dropping && reason !== 'io client disconnect') error(`MAIN_DISCONNECT_${reason.replaceAll(' ', '_')}`);
  });
  main.on('connect_error', (e: Error & { data?: { code?: string } }) => {
    if (!s.ending) error(`CONNECT_${e.data?.code ?? e.message.slice(0, 40)}`);
  });
  main.on('session:ended', () => error('SESSION_ENDED'));
  main.connect();
  // Opening the app loads the room list (the server renders it; GET /api/rooms is the same query).
  if (churn) void api(user, 'rooms', '/api/rooms', cookie);
  openRoom(s, pickRoom(s, false));
  later(s, idleMs(random), () => act(s));
  later(s, sessionMs(random), () => void endSession(s, true));
}

async function endSession(s: Session, replace: boolean): Promise<void> {
  if (s.ending) return;
  s.ending = true;
  for (const t of s.timers) clearTimeout(t);
  s.delivery.dispose();
  for (const v of s.views.values()) closeView(v);
  s.main.disconnect();
  sessions.delete(s.user);
  offline.push(s.user);
  count('sessionsEnded');
  if (replace && sessions.size + starting < target) arrive(-Math.log(Math.max(random(), 1e-9)) * SESSION_GAP_MEAN_MS, true);
}

/** A new session of a random offline user, after `delayMs`. */
function arrive(delayMs: number, churn: boolean): void {
  starting += 1;
  setTimeout(() => {
    starting -= 1;
    if (sessions.size >= target || offline.length === 0) return;
    const i = Math.floor(random() * offline.length);
    const user = offline[i]!;
    offline[i] = offline[offline.length - 1]!;
    offline.pop();
    void startSession(user, churn).catch((e: Error) => error(`SESSION_${e.message.slice(0, 40)}`));
  }, delayMs);
}

function setTarget(active: number, spreadMs: number): void {
  const more = active - (sessions.size + starting);
  target = active;
  for (let k = 0; k < more; k += 1) arrive(((k + random()) / Math.max(1, more)) * spreadMs, false);
  if (more < 0) for (const s of [...sessions.values()].slice(0, -more)) void endSession(s, false);
}

function emit(s: Session, socket: Socket, event: string, payload?: unknown, onAck?: (ok: boolean, res: unknown) => void): void {
  if (!socket.connected) return;
  countIn('emits', event);
  const args = payload === undefined ? [] : [payload];
  const drops = s.drops;
  socket.timeout(plan.ackTimeoutMs).emit(event, ...args, (err: Error | null, res?: { ok?: boolean; error?: { code?: string } }) => {
    if (err) {
      if (!s.ending && s.drops === drops) error(`ACK_TIMEOUT_${event}`);
      onAck?.(false, undefined);
      return;
    }
    if (!res?.ok) error(res?.error?.code ?? 'BAD_ACK');
    onAck?.(Boolean(res?.ok), res);
  });
}

function emitWithoutAck(socket: Socket, event: string, payload: unknown): void {
  if (!socket.connected) return;
  countIn('emits', event);
  socket.emit(event, payload);
}

// ── rooms ──

function pickRoom(s: Session, direct: boolean): number {
  const spec = plan.users[s.user]!;
  const pool = spec.rooms.filter((r) => (plan.rooms[r]!.kind === 'direct') === direct && r !== s.open?.room);
  const any = pool.length ? pool : spec.rooms;
  return any[Math.floor(random() * any.length)]!;
}

function openRoom(s: Session, room: number): void {
  if (s.open) closeView(s.open);
  let view = s.views.get(room);
  if (!view) {
    const v: RoomView = { room, socket: undefined as unknown as Socket, readSent: 0, readAt: 0, seen: 0 };
    v.socket = s.manager.socket(`/r/${plan.rooms[room]!.id}`, {
      auth: (cb: (auth: object) => void) => {
        v.pendingStart = s.held.get(room);
        cb(v.pendingStart === undefined ? {} : { lastSeq: v.pendingStart });
      },
    });
    wireView(s, v);
    s.views.set(room, v);
    view = v;
  }
  s.open = view;
  watchPresence(s);
  keepRoomSocket(view.socket); // back before its close went out: it stays (lib/realtime/room-socket-close.ts)
  if (!view.socket.active) view.socket.connect();
}

/**
 * The browser's one `presence:watch` (lib/stores/presence-store.ts): the sidebar's direct-message peers and the
 * open room's drawn members (components/chat/member-list.tsx), sent on connect and whenever the room changes.
 */
function watchPresence(s: Session): void {
  if (!s.mainUpSince) return; // not connected: sent on connect
  const spec = plan.users[s.user]!;
  const drawn = s.open ? plan.rooms[s.open.room]!.drawn : [];
  const userIds = [...new Set([...spec.peers, ...drawn])];
  if (userIds.length) emit(s, s.main, 'presence:watch', { userIds });
}

/**
 * Another room from the sidebar, as `--capacity-navigation` says (capacity-model.ts Navigation): the browser's
 * two REST calls (`client`), or the Next.js navigation (`page`, PREFETCH_FRESH_MS), or nothing but the room
 * socket (`history`). The socket connects at once rather than when the answers are in: the same requests, sooner.
 */
function switchRoom(s: Session, room: number): void {
  const from = s.open ? plan.rooms[s.open.room]!.id : undefined;
  // A switch from a room (not the session's first room, which its page load opens).
  if (plan.navigation === 'client' && (s.open !== undefined || s.switching > 0)) {
    // As components/chat/room-host.tsx: the room on screen goes at once (its socket closes), the new one's room and
    // newest history page are read, and only then does its view mount and connect, from that page's newest seq
    // (so its replay is what was sent meanwhile, not everything since this session last had the room open).
    s.historyLoaded.add(room);
    if (s.open) closeView(s.open);
    s.open = undefined;
    const switching = (s.switching += 1);
    void openFromClient(s, room).then(({ oldest, newest }) => {
      if (s.ending || s.switching !== switching) return;
      if (newest !== undefined) s.held.set(room, Math.max(s.held.get(room) ?? 0, newest));
      openRoom(s, room);
      if (oldest !== undefined && s.open) s.open.oldest = oldest;
    });
    return;
  }
  if (plan.navigation === 'page') {
    // The page's payload carries the room's newest history page: no GET …/messages on this first open.
    s.historyLoaded.add(room);
    if (from !== undefined) void navigate(s, from, room);
  }
  openRoom(s, room);
}

/**
 * The browser's client-side switch (components/chat/room-host.tsx readRoom): the room with its members and newest
 * history page in one `room:load` on the main socket, offering the version of the member list this tab was last
 * sent for the room (the server then leaves an unchanged list out); the REST reads (`room-open` and
 * `room-history`, in parallel) only when the socket is down or the load fails otherwise than by a refusal.
 * Resolves to the page's oldest seq (where scrolling up continues) and newest. The members are not looked at.
 */
async function openFromClient(s: Session, room: number): Promise<{ oldest?: number; newest?: number }> {
  const path = `/api/rooms/${plan.rooms[room]!.id}`;
  let page = await loadOverSocket(s, plan.rooms[room]!.id);
  if (page === undefined) {
    [, page] = await Promise.all([get(s.user, 'room-open', path, s.cookie, API_HEADERS), api(s.user, 'room-history', `${path}/messages`, s.cookie, API_HEADERS)]);
  }
  const seqs = (page as { messages?: { seq: number }[] } | undefined)?.messages?.map((m) => m.seq) ?? [];
  return seqs.length ? { oldest: Math.min(...seqs), newest: Math.max(...seqs) } : {};
}

/** `room:load` (lib/realtime/client.ts loadRoom): its history page, or undefined to read over REST instead. */
function loadOverSocket(s: Session, roomId: string): Promise<unknown> {
  if (!s.main.connected) return Promise.resolve(undefined);
  const t = wall();
  const membersRev = s.membersRevs.get(roomId);
  return new Promise((resolve) => {
    emit(s, s.main, 'room:load', membersRev === undefined ? { roomId } : { roomId, membersRev }, (ok, res) => {
      const data = ok ? (res as { data?: { history?: unknown; membersRev?: number } }).data : undefined;
      if (ok) recordByKind('room:load', wall() - t, t);
      if (typeof data?.membersRev === 'number') s.membersRevs.set(roomId, data.membersRev);
      resolve(data?.history);
    });
  });
}

/** The pointer's prefetch (unless still fresh), then the click's request for the page. */
async function navigate(s: Session, from: string, room: number): Promise<void> {
  const to = plan.rooms[room]!.id;
  const at = s.prefetchedAt.get(room);
  if (at === undefined || performance.now() - at >= PREFETCH_FRESH_MS) {
    s.prefetchedAt.set(room, performance.now());
    await routerRequest(s, 'room-prefetch', from, to);
  }
  if (!s.ending) await routerRequest(s, 'room-page', from, to);
}

/**
 * GET /rooms/:id as Next's router sends it: `RSC: 1`, the tree the tab holds (the (chat) layout above the room is
 * kept, so the server renders the room segment only), the page being left, and `_rsc`, the hash of those headers
 * the server checks (a wrong one is answered 307). Only the status is looked at.
 */
async function routerRequest(s: Session, kind: 'room-prefetch' | 'room-page', from: string, to: string): Promise<void> {
  const prefetch = kind === 'room-prefetch' ? '1' : undefined;
  // Verbatim from Chromium (next 16.4): a prefetch asks for the room segment, the click (after it) for the page.
  const page = prefetch ? '["__PAGE__",{}]},null,"refetch",4]' : '["__PAGE__",{},null,"refetch",0]},null,null,4]';
  const tree = encodeURIComponent(`["",{"children":["(chat)",{"children":["rooms",{"children":[["roomId","${to}","d",null],{"children":${page}},null,null,8]},null,null,8]},null,null,24]`);
  const nextUrl = `/rooms/${from}`;
  const hash = await computeCacheBustingSearchParam(prefetch, undefined, tree, nextUrl);
  const headers: Record<string, string> = {
    rsc: '1',
    'next-router-state-tree': tree,
    'next-url': nextUrl,
    ...(prefetch ? { 'next-router-prefetch': prefetch } : {}),
    'accept-encoding': BROWSER_ACCEPT_ENCODING,
  };
  await get(s.user, kind, `/rooms/${to}?_rsc=${hash}`, s.cookie, headers);
}

function closeView(v: RoomView): void {
  clearTimeout(v.readTimer);
  v.readTimer = undefined;
  endSegment(v);
  // As the browser client closes a room: after its connect is answered, if it is still pending.
  if (v.socket.active) closeRoomSocket(v.socket);
}

function endSegment(v: RoomView): void {
  if (!v.seg) return;
  v.seg.closedAt = wall();
  const seg = v.seg;
  v.seg = undefined;
  setTimeout(() => segsByRoom.get(seg.room)?.delete(seg), DELIVERY_GRACE_MS * 2 + 2_000).unref();
}

function wireView(s: Session, v: RoomView): void {
  const { socket, room } = v;
  socket.on('connect', () => {
    endSegment(v); // a second connect without a disconnect between: the first one's segment ends here
    const seg: Segment = { room, startSeq: v.pendingStart, got: new Map(), missing: new Set() };
    v.seg = seg;
    let set = segsByRoom.get(room);
    if (!set) segsByRoom.set(room, (set = new Set()));
    set.add(seg);
  });
  socket.on('disconnect', (reason: string) => {
    s.drops += 1;
    endSegment(v);
    if (!s.ending && !s.dropping && reason !== 'io client disconnect') error(`ROOM_DISCONNECT_${reason.replaceAll(' ', '_')}`);
  });
  socket.on('connect_error', (e: Error & { data?: { code?: string } }) => {
    if (!s.ending) error(`CONNECT_${e.data?.code ?? e.message.slice(0, 40)}`);
  });
  socket.on('message:replay', (r: { messages: { seq: number }[]; truncated: boolean; lastSeq: number }) => {
    const seg = v.seg;
    if (!seg) return;
    const t = wall();
    seg.readyAt = t;
    count('replays', t);
    if (r.truncated) count('truncatedReplays', t);
    if (seg.startSeq === undefined || r.truncated) seg.startSeq = r.lastSeq;
    for (const m of r.messages) receive(seg, m.seq, REPLAY);
    if (seg.startSeq !== undefined) s.held.set(room, Math.max(s.held.get(room) ?? 0, seg.startSeq));
    advanceHeld(s, v, seg);
    // The first time in this session (or after a truncated replay) the client loads the newest page.
    if (!s.historyLoaded.has(room) || r.truncated) {
      s.historyLoaded.add(room);
      void api(s.user, 'history', `/api/rooms/${plan.rooms[room]!.id}/messages?limit=${HISTORY_PAGE}`, s.cookie).then((page) => {
        const seqs = (page as { messages?: { seq: number }[] } | undefined)?.messages?.map((m) => m.seq) ?? [];
        if (seqs.length) v.oldest = Math.min(...seqs);
      });
    }
    markSeen(s, v, r.lastSeq);
    ackDelivery(s, plan.rooms[room]!.id, r.lastSeq);
  });
  socket.on('message:new', (m: { seq: number; body: string }) => {
    const seg = v.seg;
    if (!seg) return;
    const t = wall();
    receive(seg, m.seq, LIVE);
    advanceHeld(s, v, seg);
    const sentAt = Number(m.body.slice(2, m.body.indexOf('|', 2)));
    if (m.body.startsWith('c|') && Number.isFinite(sentAt)) {
      record('e2e', t - sentAt, sentAt);
      count('delivered', sentAt);
    }
    markSeen(s, v, m.seq);
    ackDelivery(s, plan.rooms[room]!.id, m.seq);
  });
}

/**
 * A duplicate is the same seq twice by the same path on one socket, or live to the socket that sent it (it has
 * the ack: docs/protocol.md §4.2). Replay overlapping live or the ack is documented (§4.3) and deduped by seq.
 */
function receive(seg: Segment, seq: number, how: number): void {
  const had = seg.got.get(seq) ?? 0;
  seg.got.set(seq, had | how);
  // A second replay on one socket: a room socket closed and opened again before the first connection's
  // replay arrived gets that replay too (socket.io-client buffers events until the new connection is up).
  // The client dedupes by seq; counted apart, not as a duplicate delivery.
  if (had === REPLAY && how === REPLAY) {
    count('replayRepeats');
    return;
  }
  if (had & how || (had | how) === (LIVE | ACK) || (had | how) === (LIVE | ACK | REPLAY)) {
    count('duplicates');
    const name = (bits: number) => [bits & LIVE && 'live', bits & REPLAY && 'replay', bits & ACK && 'ack'].filter(Boolean).join('+');
    countIn('dupKinds', `${name(had)} then ${name(how)}`);
    return;
  }
  if (had) {
    count('overlaps');
    return;
  }
  if (seg.missing.delete(seq)) {
    count('lost', wall(), -1);
    count('late');
  }
}

function advanceHeld(s: Session, v: RoomView, seg: Segment): void {
  let held = s.held.get(v.room);
  if (held === undefined) return;
  while (seg.got.has(held + 1)) held += 1;
  s.held.set(v.room, held);
}

/** read:mark for what is on screen, at most one per READ_MARK_INTERVAL_MS (the browser's throttle). */
function markSeen(s: Session, v: RoomView, seq: number): void {
  v.seen = Math.max(v.seen, seq);
  if (v.readTimer || v.seen <= v.readSent || s.open !== v) return;
  const flush = () => {
    v.readTimer = undefined;
    if (s.ending || s.open !== v || v.seen <= v.readSent || !v.socket.connected) return;
    v.readSent = v.seen;
    v.readAt = performance.now();
    emit(s, v.socket, 'read:mark', { seq: v.seen });
  };
  const wait = v.readAt + READ_MARK_INTERVAL_MS - performance.now();
  if (wait <= 0) flush();
  else v.readTimer = setTimeout(flush, wait);
}

function onActivity(s: Session, a: { roomId: string; lastSeq: number; authorId: string }): void {
  const t = wall();
  const room = roomIndex.get(a.roomId);
  if (room !== undefined) {
    const key = `${room}:${a.lastSeq}`;
    let byUser = activity.get(key);
    if (!byUser) activity.set(key, (byUser = new Map()));
    const seen = byUser.get(s.user);
    if (seen) seen[0] += 1;
    else byUser.set(s.user, [1, t]);
  }
  ackDelivery(s, a.roomId, a.lastSeq);
}
const roomIndex = new Map<string, number>();

/** As the browser client's ackDelivery (lib/realtime/client.ts): only where delivered ticks are shown. */
function ackDelivery(s: Session, roomId: string, seq: number): void {
  const room = roomIndex.get(roomId);
  if (room !== undefined && showsDelivery(plan.rooms[room]!.kind)) s.delivery.push(roomId, seq);
}

// ── actions ──

function act(s: Session): void {
  const action = pickAction(random);
  countIn('actions', action);
  run(s, action);
  later(s, idleMs(random), () => act(s));
}

function run(s: Session, action: Action): void {
  const v = s.open;
  switch (action) {
    case 'switch-room':
      return switchRoom(s, pickRoom(s, false));
    case 'open-direct':
      return switchRoom(s, pickRoom(s, true));
    case 'post':
      return post(s, 1);
    case 'scroll':
      if (v) void api(s.user, 'scroll', `/api/rooms/${plan.rooms[v.room]!.id}/messages?limit=${HISTORY_PAGE}${v.oldest ? `&before=${v.oldest}` : ''}`, s.cookie);
      return;
    case 'react': {
      const last = v ? (s.held.get(v.room) ?? 0) : 0;
      if (v && last > 0) emit(s, v.socket, 'reaction:add', { seq: Math.max(1, last - Math.floor(random() * 10)), emoji: ['👍', '🎉', '❤️', '😂', '👀', '✅'][Math.floor(random() * 6)] });
      return;
    }
    case 'edit':
      if (v?.lastOwn) emit(s, v.socket, 'message:edit', { seq: v.lastOwn, clientId: randomUUID(), body: `c|${v.lastOwnSentAt?.toFixed(1)}|${text.message()}`.slice(0, 2000) });
      return;
    case 'search': {
      const words = QUERY_WORDS.common;
      void api(s.user, 'search', `/api/search?q=${encodeURIComponent(words[Math.floor(random() * words.length)]!)}`, s.cookie);
      return;
    }
    case 'search-users':
      void api(s.user, 'search-users', `/api/users?q=cap${Math.floor(random() * 100)}`, s.cookie);
      return;
    case 'reconnect':
      // The network drops: the engine closes, Socket.IO reconnects every namespace (replay in the room).
      s.dropping = true;
      (s.manager.engine as unknown as { close(): void } | undefined)?.close();
      return;
    case 'reload':
      void endSession(s, false).then(() => {
        const i = offline.indexOf(s.user);
        if (i >= 0) offline.splice(i, 1);
        void startSession(s.user, true);
      });
      return;
    case 'relogin':
      void signIn(s.user).then((cookie) => {
        if (cookie) plan.users[s.user]!.cookie = cookie;
      });
      return;
    case 'nothing':
      return;
  }
}

/** Types, then sends (a burst continues with BURST_CONTINUE), as the composer does. */
function post(s: Session, nth: number): void {
  const v = s.open;
  if (!v) return;
  const body = text.message();
  const typing = typingMs(body.length);
  emit(s, v.socket, 'typing:start');
  for (let at = TYPING_REPEAT_MS; at < typing; at += TYPING_REPEAT_MS) later(s, at, () => s.open === v && emit(s, v.socket, 'typing:start'));
  later(s, typing, () => {
    if (s.open !== v) return; // switched away while typing: the draft stays unsent
    const sentAt = wall();
    count('sent', sentAt);
    // While the connection is down Socket.IO buffers the send and flushes it on reconnect, as in the browser.
    const full = `c|${sentAt.toFixed(1)}|${body}`.slice(0, 2000);
    sendMessage(s, v, randomUUID(), full, sentAt, 1);
    emit(s, v.socket, 'typing:stop');
    if (random() < BURST_CONTINUE) later(s, BURST_GAP_MS[0] + random() * (BURST_GAP_MS[1] - BURST_GAP_MS[0]), () => post(s, nth + 1));
  });
}

/**
 * message:send with its clientId; an ack lost to a dropped connection is retried with the same clientId once
 * the room is connected again (docs/protocol.md §4.1: the server answers the stored message).
 */
function sendMessage(s: Session, v: RoomView, clientId: string, body: string, sentAt: number, attempt: number): void {
  const drops = s.drops;
  v.socket.timeout(plan.ackTimeoutMs).emit('message:send', { clientId, body }, (err: Error | null, res?: { ok?: boolean; data?: { seq: number }; error?: { code?: string } }) => {
    const t = wall();
    if (s.ending) return; // the tab closed with the message in flight
    if (err) {
      if (s.drops === drops || attempt >= 3) return error('ACK_TIMEOUT');
      count('sendRetries');
      const retry = () => {
        if (s.ending) return;
        if (s.open !== v) return error('UNSENT_AFTER_DROP');
        if (!v.socket.connected) return void later(s, 200, retry);
        sendMessage(s, v, clientId, body, sentAt, attempt + 1);
      };
      return retry();
    }
    if (!res?.ok || !res.data) return error(res?.error?.code ?? 'BAD_ACK');
    record('ack', t - sentAt, sentAt);
    count('acked', sentAt);
    const seq = res.data.seq;
    v.lastOwn = seq;
    v.lastOwnSentAt = sentAt;
    // The sending socket has its message in the ack.
    if (v.seg) {
      receive(v.seg, seq, ACK);
      advanceHeld(s, v, v.seg);
    }
    ownAcks.push([v.room, seq, sentAt, t]);
  });
}

// ── exactly-once checks (every 250 ms) ──

function check(): void {
  const now = wall();
  let i = 0;
  for (; i < pending.length && pending[i]![3] + DELIVERY_GRACE_MS <= now; i += 1) {
    const [room, seq, sentAt, ackAt] = pending[i]!;
    const due = ackAt + DELIVERY_GRACE_MS;
    for (const seg of segsByRoom.get(room) ?? []) {
      if (seg.startSeq === undefined || seq <= seg.startSeq || seg.readyAt === undefined || seg.readyAt > due) continue;
      if (seg.closedAt !== undefined && seg.closedAt <= due) continue;
      count('owed', ackAt);
      if (!seg.got.has(seq)) {
        seg.missing.add(seq);
        count('lost', ackAt);
      }
    }
    // room:activity: every member here whose main socket was up from before the send until now, so through the
    // server's fan-out, which starts after the message is stored. A socket that came up after the send may have
    // connected after the fan-out too: the browser then reads its room list on connecting (chat-shell.tsx), which
    // has the message — not a live event it is owed. (Counted from the ack, as before, under load the ack's own
    // latency let a socket that reconnected after the fan-out count as owed and its activity as lost.)
    const key = `${room}:${seq}`;
    const got = activity.get(key);
    activity.delete(key);
    for (const user of membersHere.get(room) ?? []) {
      const s = sessions.get(user);
      const r = got?.get(user);
      if (r) {
        count('activityReceived', ackAt);
        record('activity', r[1] - sentAt, sentAt);
        if (r[0] > 1) count('activityDuplicates', ackAt, r[0] - 1);
      }
      if (s?.mainUpSince !== undefined && s.mainUpSince <= sentAt) {
        count('activityOwed', ackAt);
        if (!r) count('activityLost', ackAt);
      }
    }
  }
  pending.splice(0, i);
  // Receipts of messages never logged (their ack was lost): forget them after a while.
  if (activity.size > 50_000) activity.clear();
  if (ownAcks.length) {
    send({ type: 'acked', entries: ownAcks });
    ownAcks = [];
  }
}

// ── commands ──

exitWithParent(() => {
  for (const s of [...sessions.values()]) void endSession(s, false);
});
process.on('message', (m: CapacityCommand) => {
  try {
    switch (m.type) {
      case 'plan':
        plan = m;
        random = prng(m.seed);
        plan.rooms.forEach((r, i) => roomIndex.set(r.id, i));
        plan.users.forEach((u, i) => {
          offline.push(i);
          for (const r of u.rooms) {
            let list = membersHere.get(r);
            if (!list) membersHere.set(r, (list = []));
            list.push(i);
          }
        });
        setInterval(check, 250);
        send({ type: 'ready' });
        break;
      case 'target':
        setTarget(m.active, m.spreadMs);
        break;
      case 'acked':
        for (const e of m.entries) pending.push(e);
        pending.sort((a, b) => a[3] - b[3]);
        break;
      case 'window-start':
        win = newWindow(m.t0);
        break;
      case 'window-end':
        if (win) {
          win.t1 = m.t1;
          const cpu = process.cpuUsage(win.cpu0);
          win.cpuPct = Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, m.t1 - win.t0)) * 1000) / 10;
          loop.disable();
          win.loopP99Ms = Math.max(0, Math.round((loop.percentile(99) / 1e6 - 1) * 100) / 100);
          win.loopMaxMs = Math.max(0, Math.round((loop.max / 1e6 - 1) * 100) / 100);
        }
        break;
      case 'collect': {
        if (!win) break;
        const w = win;
        win = undefined;
        const enc = (h: hdr.Histogram) => hdr.encodeIntoCompressedBase64(h);
        send({
          type: 'window',
          stats: {
            worker: plan.worker,
            active: sessions.size,
            ...w.stats,
            e2e: enc(w.e2e),
            activity: enc(w.activity),
            ack: enc(w.ack),
            connect: enc(w.connect),
            httpLatency: enc(w.httpLatency),
            httpLatencyByKind: Object.fromEntries([...w.httpByKind].map(([kind, h]) => [kind, enc(h)])),
            cpuPct: w.cpuPct ?? NaN,
            loopP99Ms: w.loopP99Ms ?? NaN,
            loopMaxMs: w.loopMaxMs ?? NaN,
          },
        });
        break;
      }
      case 'stop':
        for (const s of [...sessions.values()]) void endSession(s, false);
        setTimeout(() => process.exit(0), 500);
        break;
    }
  } catch (e) {
    send({ type: 'fatal', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
