/**
 * The `capacity` scenario's user model: what one simulated person does, how often, and where each number
 * comes from. Pure (no I/O): bench/capacity-users.ts drives sockets and HTTP with it, bench/capacity-seed.ts
 * builds the workspace with it, bench/capacity.ts prints it in the report's "model" section.
 *
 * Main source: Mattermost's load-test agent, mattermost/mattermost-load-test-ng (snapshot 784dbc17,
 * 2026-06-05), the "simulative" controller that Mattermost sizes its own deployments with:
 * - loadtest/control/simulcontroller/controller.go `getActionList`: 52 actions with relative weights
 *   ("frequency"; Σ = 15.444), one picked at random after each idle time;
 * - config/simulcontroller.sample.json: MinIdleTimeMs 1000, AvgIdleTimeMs 20000;
 * - loadtest/control/utils.go `PickIdleTimeMs`: idle uniform in [min, 2·avg − min) = [1 s, 39 s), mean 20 s;
 * - actions.go `createPost`: a typing event before every post (`sendTypingEventIfEnabled`);
 *   `loginOrSignUp` / `login`: a real password sign-in when the agent starts.
 * So action a happens every 20 s × 15.444 / weight(a) on average: CreatePost (weight 1) every 5.1 min.
 * Actions Parley has no counterpart for (threads views, drafts, bookmarks, custom status, plugins…) keep
 * their weight as "nothing happens", so the modelled ones keep Mattermost's absolute rates.
 *
 * What that agent does not model (its users never leave), and what we assume instead, marked ASSUMPTION:
 * sessions that come and go, bursts of messages, how long typing takes, which share of session starts
 * needs a password sign-in. Context for sessions: Slack reported (IPO filing, June 2019, as quoted by the
 * Chicago Tribune 2019-06-20) 10 million daily active users spending 50 million hours a week in active use,
 * i.e. about an hour of active use per user per workday, spread over several sessions.
 */

/** Mattermost's weights (controller.go getActionList) for the actions Parley has, by our name. */
export const MM_TOTAL_WEIGHT = 15.444;
export const MM_IDLE_MIN_MS = 1_000;
export const MM_IDLE_AVG_MS = 20_000;

export type Action =
  | 'switch-room' // SwitchChannel 6.5219: open another (non-direct) room of mine
  | 'open-direct' // OpenDirectOrGroupChannel 0.9843: open one of my direct conversations
  | 'post' // CreatePost 1.0 (typing first; bursts: see BURST_*)
  | 'scroll' // ScrollChannel 1.9873: an older history page, GET /api/rooms/:id/messages?before=
  | 'react' // AddReaction 0.1306: reaction:add on a recent message of the open room
  | 'edit' // EditPost 0.04: message:edit of my last message in the open room
  | 'search' // SearchPosts 0.0218 + SearchPostsAllTeams 0.0109: GET /api/search
  | 'search-users' // SearchUsers 0.0320: GET /api/users?q=
  | 'reconnect' // ReconnectWebSocket 0.144: the connection drops and reconnects (replay on every namespace)
  | 'reload' // FullReload 0.0008: the page reloads (new connection, room list, history)
  | 'relogin' // LogoutLogin 0.0006: sign out, sign in with the password
  | 'nothing'; // every other action of the list (UnreadCheck: Parley's counts are live; threads; drafts; …)

export const ACTION_WEIGHTS: Readonly<Record<Exclude<Action, 'nothing'>, number>> = {
  'switch-room': 6.5219,
  'open-direct': 0.9843,
  post: 1.0,
  scroll: 1.9873,
  react: 0.1306,
  edit: 0.04,
  search: 0.0218 + 0.0109,
  'search-users': 0.032,
  reconnect: 0.144,
  reload: 0.0008,
  relogin: 0.0006,
};

/**
 * ASSUMPTION (chat is bursty; Mattermost's agent posts one message per pick): a post starts a burst of
 * 1 + Geometric(BURST_CONTINUE) messages, BURST_GAP_MS apart, and the post weight is divided by the mean
 * burst length, so messages per user per hour stay Mattermost's.
 */
export const BURST_CONTINUE = 0.5;
export const BURST_MEAN = 1 / (1 - BURST_CONTINUE);
export const BURST_GAP_MS: readonly [number, number] = [3_000, 15_000];

/** Idle time before the next action: Mattermost's PickIdleTimeMs (uniform, mean 20 s). */
export function idleMs(random: () => number): number {
  return MM_IDLE_MIN_MS + random() * (2 * MM_IDLE_AVG_MS - 2 * MM_IDLE_MIN_MS);
}

/** One weighted pick over Mattermost's whole list (the unmodelled rest is `nothing`). */
export function pickAction(random: () => number): Action {
  let x = random() * MM_TOTAL_WEIGHT;
  for (const [action, weight] of Object.entries(ACTION_WEIGHTS) as [Exclude<Action, 'nothing'>, number][]) {
    const w = action === 'post' ? weight / BURST_MEAN : weight;
    if (x < w) return action;
    x -= w;
  }
  return 'nothing';
}

/** Mean seconds between two occurrences of `action` for one active user (report's model table). */
export function meanIntervalS(action: Exclude<Action, 'nothing'>): number {
  return ((MM_IDLE_AVG_MS / 1000) * MM_TOTAL_WEIGHT) / ACTION_WEIGHTS[action];
}

/**
 * Typing before a send. ASSUMPTION: ~5 characters per second (about 60 words per minute, a practised
 * typist), at least 1 s, at most 20 s (longer texts are pasted). The client repeats `typing:start` every
 * 3 s while typing (lib/stores/room-store.ts; the server's TTL is 5 s, docs/protocol.md §5.2).
 */
export const TYPING_CHARS_PER_S = 5;
export const TYPING_REPEAT_MS = 3_000;
export function typingMs(chars: number): number {
  return Math.min(20_000, Math.max(1_000, (chars / TYPING_CHARS_PER_S) * 1000));
}

/**
 * Session length (the app open, one connection). ASSUMPTION: log-normal, median 30 min, σ 1 (mean ≈ 49 min),
 * clipped to [2 min, 8 h]: "minutes to hours"; with Slack's ~1 h of active use per workday (above) that is
 * one to a few sessions a day. When a session ends the user goes away and another user (offline until then)
 * starts one after an exponential pause (mean SESSION_GAP_MEAN_MS), so the number of active users holds.
 */
export const SESSION_MEDIAN_MS = 30 * 60_000;
export const SESSION_SIGMA = 1.0;
export const SESSION_GAP_MEAN_MS = 5_000;
export function sessionMs(random: () => number): number {
  const u1 = Math.max(random(), 1e-12);
  const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
  return Math.min(8 * 3_600_000, Math.max(2 * 60_000, SESSION_MEDIAN_MS * Math.exp(SESSION_SIGMA * normal)));
}
export function sessionMeanMs(): number {
  return SESSION_MEDIAN_MS * Math.exp((SESSION_SIGMA * SESSION_SIGMA) / 2);
}

/**
 * Share of session starts that sign in with the password (bcrypt on the server) rather than coming back with
 * a session cookie they still hold. ASSUMPTION 0.1: sessions last 14 days idle (SESSION_IDLE_DAYS), so a
 * returning user on the same device rarely needs it; new devices, cleared cookies and sign-outs do.
 * (Mattermost's agent signs in at every start; its users start once.)
 */
export const SIGNIN_SHARE = 0.1;

/**
 * What the browser client does without the user doing anything (lib/realtime/client.ts, lib/stores,
 * components/chat): on every `room:activity` of a direct conversation (the only rooms that show delivered
 * ticks) a throttled `delivery:ack` (1 per room per second); in the open room, on every `message:new`,
 * `read:mark` (at most 1 per 500 ms) — the window is assumed focused while the session is active — and, in a
 * direct conversation, a `delivery:ack`; on connect and on each room change, `presence:watch` for the
 * direct-message peers and the open room's drawn members (MEMBER_ROWS_PAGE); the
 * newest history page (GET …/messages) after a truncated replay, and for the session's first room (a stand-in
 * for the page load's server render).
 */
export const DELIVERY_ACK_INTERVAL_MS = 1_000;
/** …and a room's first one after a quiet spell waits a random 0–1 s (DELIVERY_ACK_SPREAD_MS there). */
export const DELIVERY_ACK_SPREAD_MS = 1_000;
export const READ_MARK_INTERVAL_MS = 500;
export const HISTORY_PAGE = 50;

/**
 * How a room switch (switch-room, open-direct) reaches the server: `--capacity-navigation`.
 * - `client` (the default): with a room page open, the browser switches between rooms it is a member of
 *   without a page render: one `room:load` on the main socket (the room, its members, the newest HISTORY_PAGE
 *   messages), every time, with no prefetch — but offering the version of the member list the tab was last sent
 *   for that room (`membersRev`), so an unchanged list is not sent again; the room left closes at once, and the new room's socket
 *   connects after the answer with that page's newest seq. `GET /api/rooms/:id` (`room-open`) and `GET
 *   /api/rooms/:id/messages` (`room-history`) in parallel only when the socket is down or the load fails.
 * - `page`: the old path (still that of a deep link): a Next.js client navigation, below.
 * - `history`: the room socket alone (and the first-open history GET), for comparing with runs before either.
 * The first room of a session (the page load) is the same in all three.
 */
export type Navigation = 'client' | 'page' | 'history';
export const NAVIGATIONS: readonly Navigation[] = ['client', 'page', 'history'];

/**
 * `--capacity-navigation page`: opening another room is a Next.js client navigation through the sidebar's
 * links (components/ui/intent-link.tsx), as before the client-side switch. Seen from Chromium against the production build (next 16.4, 2026-12-01):
 * - pointing at the link prefetches the route down to its loading boundary: GET /rooms/:id?_rsc=… with `RSC: 1`,
 *   `Next-Router-Prefetch: 1`, `Next-Router-State-Tree`, `Next-Url` (the page being left) — about 6 KB (1.7 KB
 *   gzipped): the skeleton of app/(chat)/rooms/[roomId]/loading.tsx and the head, whose title generateMetadata
 *   reads (session, getRoomForUser); not again while that prefetch is fresh (PREFETCH_FRESH_MS). Nothing is
 *   prefetched on page load (the links say prefetch={false});
 * - the click fetches the page's payload, every time (staleTimes.dynamic is 0): the same URL shape with
 *   `RSC: 1`, `Next-Router-State-Tree`, `Next-Url`: app/(chat)/rooms/[roomId]/page.tsx renders requireUser,
 *   getRoomForUser (and again in generateMetadata), listMembers (all members) and getHistory — so the newest
 *   history page comes with it (no GET …/messages); the (chat) layout is not rendered again. A room of 2,000
 *   members: 419 KB (66 KB gzipped), ~100 ms to render on this machine; of 19 members: 12 KB, ~45 ms;
 * - back and forward reuse the router's cache (no request); the model's switches are all clicks.
 * Every session's router cache starts empty, ramp arrivals' too (they prefetch a little more than people
 * long in their session would). Not modelled: the hovers that do not end in a click, and headless Chromium's
 * GET /favicon.svg (267 B static, 1–2 per navigation: the head's icon links are rendered again), whose desktop
 * Chrome counterpart is unknown.
 */
export const PREFETCH_FRESH_MS = 300_000; // next's staleTimes.static default (the prefetch sends no stale time)

/** Reconnect delay after a dropped connection: Socket.IO's defaults (1 s doubling to 5 s, ±50 %). */
export const RECONNECT_DELAY_MS = 1_000;
export const RECONNECT_DELAY_MAX_MS = 5_000;

// ── the workspace: rooms and memberships (bench/capacity-seed.ts) ──

/**
 * ASSUMPTION (the shape: "5–20 rooms, a few large, most small, some DMs"): every user is in
 * U[5, 20] rooms. Large rooms of 2,000 down to 500 members (Zipf-like, #general-style; users join them with
 * probability ∝ their size), 1–4 direct conversations each, the rest small rooms of 5–30 members (size
 * ~ Zipf s = 1 over 5..30, so most are near 5–10).
 */
export const ROOMS_PER_USER: readonly [number, number] = [5, 20];
export const LARGE_ROOM_SIZES: readonly number[] = [2_000, 1_500, 1_000, 800, 650, 500];
export const DIRECTS_PER_USER: readonly [number, number] = [1, 4];
export const SMALL_ROOM_SIZE: readonly [number, number] = [5, 30];
/** History already in each room at the start (replay, scroll and search need some). */
export const HISTORY = { large: 100, small: 8, direct: 4 } as const;

export interface Workspace {
  /** Room kinds and sizes; index = room number. */
  rooms: { kind: 'public' | 'direct'; large: boolean; members: number[] }[];
  /** Per user: room numbers, sorted. */
  userRooms: number[][];
}

/** Builds the membership graph for `users` people, deterministic for a seed. */
export function buildWorkspace(users: number, random: () => number): Workspace {
  const rooms: Workspace['rooms'] = [];
  const userRooms: number[][] = Array.from({ length: users }, () => []);
  const want = Array.from({ length: users }, () => ROOMS_PER_USER[0] + Math.floor(random() * (ROOMS_PER_USER[1] - ROOMS_PER_USER[0] + 1)));
  const add = (room: number, user: number) => {
    rooms[room]!.members.push(user);
    userRooms[user]!.push(room);
  };
  // Large rooms: each a random sample of the population of its size (capped to the population).
  for (const size of LARGE_ROOM_SIZES) {
    const room = rooms.push({ kind: 'public', large: true, members: [] }) - 1;
    const p = Math.min(1, size / users);
    for (let u = 0; u < users; u += 1) if (random() < p && userRooms[u]!.length < want[u]!) add(room, u);
  }
  // Direct conversations: pair users who still want some.
  const directWant = Array.from({ length: users }, () => DIRECTS_PER_USER[0] + Math.floor(random() * (DIRECTS_PER_USER[1] - DIRECTS_PER_USER[0] + 1)));
  const pairs = new Set<string>();
  for (let u = 0; u < users; u += 1) {
    for (let tries = 0; directWant[u]! > 0 && tries < 8; tries += 1) {
      const v = Math.floor(random() * users);
      const key = u < v ? `${u}:${v}` : `${v}:${u}`;
      if (v === u || pairs.has(key) || directWant[v]! <= 0) continue;
      pairs.add(key);
      directWant[u]! -= 1;
      directWant[v]! -= 1;
      const room = rooms.push({ kind: 'direct', large: false, members: [] }) - 1;
      add(room, u);
      add(room, v);
    }
  }
  // Small rooms: every remaining slot, shuffled, cut into rooms of Zipf sizes.
  const slots: number[] = [];
  for (let u = 0; u < users; u += 1) for (let k = userRooms[u]!.length; k < want[u]!; k += 1) slots.push(u);
  for (let i = slots.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  const sizes = Array.from({ length: SMALL_ROOM_SIZE[1] - SMALL_ROOM_SIZE[0] + 1 }, (_, i) => 1 / (i + 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  const drawSize = () => {
    let x = random() * total;
    for (let i = 0; i < sizes.length; i += 1) if ((x -= sizes[i]!) < 0) return SMALL_ROOM_SIZE[0] + i;
    return SMALL_ROOM_SIZE[1];
  };
  for (let at = 0; at < slots.length; ) {
    const size = drawSize();
    const room = rooms.push({ kind: 'public', large: false, members: [] }) - 1;
    const seen = new Set<number>();
    for (const u of slots.slice(at, at + size)) {
      if (seen.has(u)) continue;
      seen.add(u);
      add(room, u);
    }
    at += size;
  }
  for (const list of userRooms) list.sort((a, b) => a - b);
  return { rooms, userRooms };
}

// ── service levels (the issue's) ──

/** p99 of send → `message:new` at every recipient with the room open. */
export const SLO_P99_MS = 100;
/** Codes that are documented limits, not failures (docs/protocol.md §7, §4.5). */
export const DOCUMENTED_LIMITS: ReadonlySet<string> = new Set(['RATE_LIMITED', 'HTTP_429']);
/** A generator process at or above this CPU (% of one core) or loop-delay p99 (ms) may be the limit. */
export const GENERATOR_MAX_CPU_PCT = 90;
export const GENERATOR_MAX_LOOP_P99_MS = 50;
/** A message acked this long ago must have reached every socket that had its room open meanwhile. */
export const DELIVERY_GRACE_MS = 5_000;
