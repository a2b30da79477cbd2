/**
 * The one reader of process.env. Every setting is parsed and validated here once, with zod, so a bad
 * value stops the process at start-up with a message that names the variable instead of failing later.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** Secrets people paste from tutorials. A production server refuses to start with one of these. */
const WELL_KNOWN_SECRETS = new Set(['secret', 'changeme', 'change-me', 'development', 'parley', 'your-secret-here']);

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const origin = z.url({ protocol: /^https?$/ }).transform((u) => new URL(u).origin);

/** An origin and nothing more: Parley is served from the root of its host. */
const bareOrigin = z
  .url({ protocol: /^https?$/ })
  .refine((u) => {
    if (!URL.canParse(u)) return true; // already reported by z.url
    const url = new URL(u);
    return url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  }, 'Give an origin only, e.g. https://chat.example.com (no path, query or credentials).')
  .transform((u) => new URL(u).origin);

/** One ICE server as RTCPeerConnection takes it; TURN without credentials gets them from TURN_SECRET. */
const iceServerSchema = z.strictObject({
  urls: z
    .union([z.string(), z.array(z.string()).min(1)])
    .transform((urls) => (Array.isArray(urls) ? urls : [urls]))
    .pipe(z.array(z.string().regex(/^(stuns?|turns?):[^\s]+$/, 'ICE server URLs start with stun:, stuns:, turn: or turns:.'))),
  username: z.string().min(1).optional(),
  credential: z.string().min(1).optional(),
}).refine((server) => (server.username === undefined) === (server.credential === undefined), {
  // Browsers refuse the whole RTCPeerConnection over a half-filled entry: every call would fail.
  message: 'An ICE server has both username and credential, or neither.',
});

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Any PostgreSQL server. Unset: an embedded PostgreSQL with its data under DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  AUTH_SECRET: z.string().optional(),
  /** Extra origins allowed to open a socket (comma separated). The app's own origin is always allowed. */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(origin)),
  /** Instance administrators besides the first account (docs/protocol.md §4.15): comma-separated usernames. */
  ADMIN_USERNAMES: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((u) => u.trim().toLowerCase()).filter(Boolean)),
  /**
   * Behind reverse proxies: how many of them (`true` = 1), each adding the address it saw to the end of
   * X-Forwarded-For. The client address is the entry that many places from the end: the entries before it
   * came from the client, who can write anything there (platform routers append to what the client sent).
   * The public origin then comes from X-Forwarded-Host/-Proto. `false` (0): those headers are ignored.
   */
  TRUST_PROXY: z
    .enum(['true', 'false', 'yes', 'no', '0', '1', '2', '3', '4', '5'], { message: 'TRUST_PROXY is true, false, or the number of proxies in front (1–5).' })
    .default('false')
    .transform((v) => (v === 'true' || v === 'yes' ? 1 : v === 'false' || v === 'no' ? 0 : Number(v))),
  /**
   * The origin people reach Parley at (https://chat.example.com). Redirects and same-origin checks use it.
   * Unset: each request's own (its Host, or X-Forwarded-Host/-Proto with TRUST_PROXY).
   */
  PUBLIC_URL: bareOrigin.optional(),
  /** Sign-in attempts allowed per client address per 15 minutes. */
  RATE_LIMIT_LOGIN_PER_IP: z.coerce.number().int().min(1).default(30),
  /** Sign-in attempts allowed per account from one address per 15 minutes. */
  RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_IP: z.coerce.number().int().min(1).default(10),
  /**
   * Sign-in attempts allowed per account per hour from addresses it has never signed in from (all of
   * them together): what bounds guessing from many addresses, without locking out the owner at home.
   */
  RATE_LIMIT_LOGIN_PER_ACCOUNT: z.coerce.number().int().min(1).default(20),
  /** A session unused for this many days ends (sliding). */
  SESSION_IDLE_DAYS: z.coerce.number().min(0.01).max(365).default(14),
  /** A session ends this many days after sign-in, however much it is used (then sign in again). */
  SESSION_MAX_DAYS: z.coerce.number().min(0.01).max(365).default(30),
  /** Accounts that one client address may create per hour. */
  RATE_LIMIT_SIGNUPS_PER_IP: z.coerce.number().int().min(1).default(20),
  /** Public and private rooms one user may create per hour (every valid attempt counts). */
  RATE_LIMIT_ROOMS_PER_HOUR: z.coerce.number().int().min(1).default(20),
  /** New direct conversations one user may start per hour (opening an existing one is free). */
  RATE_LIMIT_DIRECTS_PER_HOUR: z.coerce.number().int().min(1).default(30),
  /** Message searches one user may run per 10 seconds (search-as-you-type sends one per pause). */
  RATE_LIMIT_SEARCHES_PER_10S: z.coerce.number().int().min(1).default(30),
  /** Public and private rooms one user may own at once (direct conversations do not count). */
  MAX_ROOMS_PER_USER: z.coerce.number().int().min(1).default(50),
  /** Messages one user may send per second, sustained… */
  RATE_LIMIT_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).default(5),
  /** …plus this many extra in a burst (refilled over 20 seconds). */
  RATE_LIMIT_MESSAGES_BURST: z.coerce.number().int().min(0).default(20),
  /** Session-authenticated API requests one user may make per second, sustained (avatar pictures aside)… */
  RATE_LIMIT_API_PER_SECOND: z.coerce.number().int().min(1).default(20),
  /** …plus this many extra in a burst (refilled over 20 seconds). */
  RATE_LIMIT_API_BURST: z.coerce.number().int().min(0).default(200),
  /** Worker threads that hash and check passwords (bcrypt). Unset: one per CPU core. */
  PASSWORD_HASH_THREADS: z.coerce.number().int().min(1).max(256).optional(),
  /** Password hashes that may wait for a thread; beyond, the request is refused (UNAVAILABLE). Unset: 16 per thread. */
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(1).optional(),
  /** Largest file one upload may be, in bytes (default 25 MiB). Enforced while the bytes stream in. */
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1).max(2 ** 40).default(25 * 1024 * 1024),
  /** Bytes of files one user may keep stored (sent and not deleted, or uploading); default 1 GiB. */
  UPLOAD_QUOTA_BYTES: z.coerce.number().int().min(1).max(2 ** 50).default(1024 * 1024 * 1024),
  /** Uploads one user may start per minute (every attempt counts, refused ones too). */
  RATE_LIMIT_UPLOADS_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** Pixels an uploaded image may decode to (width × height × frames); larger ones are kept as plain files. */
  UPLOAD_MAX_PIXELS: z.coerce.number().int().min(1).default(80_000_000),
  /** Hours an uploaded file may wait for a message before it is deleted. */
  UPLOAD_UNATTACHED_HOURS: z.coerce.number().min(0.01).max(24 * 30).default(24),
  /** `clamav`: every upload is scanned by clamd before it is stored; refused when infected or clamd cannot answer. */
  UPLOAD_SCAN: z.enum(['none', 'clamav']).default('none'),
  /** clamd's local socket (Debian's clamav-daemon). Ignored when CLAMAV_HOST is set. */
  CLAMAV_SOCKET: z.string().min(1).default('/run/clamav/clamd.ctl'),
  /** clamd over TCP instead of its socket. */
  CLAMAV_HOST: z.string().min(1).optional(),
  CLAMAV_PORT: z.coerce.number().int().min(1).max(65535).default(3310),
  /** Where file bytes live: `local` (DATA_DIR/files) or `s3` (any S3-compatible object storage). */
  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  /** S3: the endpoint of a non-AWS service (MinIO, Ceph, R2…); unset for AWS itself. */
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** S3 credentials; unset: the AWS SDK's usual chain (environment, profile, instance role). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Path-style URLs (endpoint/bucket/key). Unset: on when S3_ENDPOINT is set, as most non-AWS services need. */
  S3_FORCE_PATH_STYLE: booleanFlag.optional(),
  /**
   * STUN/TURN servers for calls, as JSON: `[{"urls": ["stun:stun.example.com:3478"]}, {"urls": ["turn:turn.example.com:3478"]}]`.
   * Unset: none (calls connect on the same network only). TURN entries without username/credential get
   * short-lived credentials from TURN_SECRET (coturn's use-auth-secret).
   */
  ICE_SERVERS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return [];
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'ICE_SERVERS must be JSON: [{"urls": ["stun:…", "turn:…"]}].' });
        return z.NEVER;
      }
    })
    .pipe(z.array(iceServerSchema).max(10, 'ICE_SERVERS: at most 10 servers.')),
  /** coturn's static-auth-secret: TURN credentials handed to callers are derived from it and expire. */
  TURN_SECRET: z.string().min(16, 'TURN_SECRET must be at least 16 characters.').optional(),
  /**
   * How long derived TURN credentials stay valid (seconds). coturn checks them when a relay is allocated: a call
   * already relayed outlives them, a new allocation with them (an ICE restart) is refused.
   */
  TURN_CREDENTIAL_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(4 * 3600),
  /** Calls one user may start per minute (every attempt counts). */
  RATE_LIMIT_CALLS_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /**
   * How broadcasts cross instances (needed for more than one instance). `postgres`: LISTEN/NOTIFY on the
   * database. `redis`: a Redis stream (REDIS_URL), for deployments that outgrow one database's NOTIFYs.
   * `memory`: a single instance only.
   */
  REALTIME_ADAPTER: z.enum(['postgres', 'redis', 'memory']).default('postgres'),
  /** The Redis server of REALTIME_ADAPTER=redis: redis://[[user]:password@]host:port[/db], or rediss:// for TLS. */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'REDIS_URL must be a redis:// or rediss:// URL.' }).optional(),
  /**
   * Names this deployment's stream and channels on that Redis (`<prefix>:socket.io`): the same for every
   * instance of one deployment, different for two deployments sharing a Redis.
   */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$/, 'REDIS_PREFIX: up to 64 letters, digits and : . _ -, starting with a letter or digit.')
    .default('parley'),
  /**
   * How browsers connect. `polling,websocket`: HTTP long-polling first, then an upgrade to a WebSocket; it
   * also works behind proxies that block WebSockets, but several instances need sticky sessions.
   * `websocket`: WebSocket only, for load balancers without session affinity; a browser whose network
   * blocks WebSockets then cannot connect at all.
   */
  REALTIME_TRANSPORTS: z.enum(['polling,websocket', 'websocket']).default('polling,websocket'),
  /** Bearer token for GET /api/metrics. Unset: the endpoint answers 404 (never public by accident). */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters.').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})
  .refine((env) => env.STORAGE_DRIVER !== 's3' || env.S3_BUCKET !== undefined, {
    message: 'STORAGE_DRIVER=s3 needs S3_BUCKET.',
    path: ['S3_BUCKET'],
  })
  .refine(
    (env) =>
      env.TURN_SECRET !== undefined ||
      env.ICE_SERVERS.every((server) => server.username !== undefined || !server.urls.some((url) => /^turns?:/.test(url))),
    { message: 'A TURN server in ICE_SERVERS needs TURN_SECRET (or its own username and credential).', path: ['TURN_SECRET'] },
  )
  .refine((env) => env.REALTIME_ADAPTER !== 'redis' || env.REDIS_URL !== undefined, {
    message: 'REALTIME_ADAPTER=redis needs REDIS_URL (e.g. redis://127.0.0.1:6379).',
    path: ['REDIS_URL'],
  })
  .refine((env) => (env.S3_ACCESS_KEY_ID === undefined) === (env.S3_SECRET_ACCESS_KEY === undefined), {
    message: 'Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither.',
    path: ['S3_SECRET_ACCESS_KEY'],
  });

export type Env = Omit<z.infer<typeof envSchema>, 'AUTH_SECRET'> & {
  AUTH_SECRET: string;
  /** Where the auth secret came from, for the start-up log line (never the secret itself). */
  authSecretSource: 'env' | 'generated-file';
};

export class EnvError extends Error {
  override name = 'EnvError';
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`).join('\n');
}

/** Reads (or creates once) the development secret kept under DATA_DIR so sessions survive restarts. */
export function loadOrCreateSecretFile(dataDir: string): string {
  const file = path.resolve(dataDir, 'auth-secret');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 32) return stored;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/**
 * Parses a settings map. Pure apart from the development secret file; unit tests pass their own map.
 * Production refuses a missing, short or well-known AUTH_SECRET and says what to set.
 */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  // Auth.js would read these itself and disagree with PUBLIC_URL; Parley gives Auth.js the public origin.
  for (const name of ['AUTH_URL', 'NEXTAUTH_URL']) {
    if (cleaned[name] !== undefined) throw new EnvError(`${name} is not used by Parley: set PUBLIC_URL to the address people use instead.`);
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new EnvError(`Invalid configuration:\n${formatIssues(parsed.error)}`);
  }
  const { AUTH_SECRET, ...rest } = parsed.data;
  const production = rest.NODE_ENV === 'production';

  if (AUTH_SECRET !== undefined) {
    const weak = AUTH_SECRET.length < 32 || WELL_KNOWN_SECRETS.has(AUTH_SECRET.toLowerCase());
    if (weak && production) {
      throw new EnvError(
        'AUTH_SECRET is too weak for production: use at least 32 random characters, e.g. `openssl rand -base64 32`.',
      );
    }
    return { ...rest, AUTH_SECRET, authSecretSource: 'env' };
  }
  if (production) {
    throw new EnvError(
      'AUTH_SECRET is not set. In production set AUTH_SECRET to at least 32 random characters, e.g. `openssl rand -base64 32`.',
    );
  }
  return { ...rest, AUTH_SECRET: loadOrCreateSecretFile(rest.DATA_DIR), authSecretSource: 'generated-file' };
}

const globalForEnv = globalThis as unknown as { parleyEnv?: Env };

/** The process's configuration, parsed on first use and shared by server.ts and Next's bundle. */
export function getEnv(): Env {
  globalForEnv.parleyEnv ??= parseEnv(process.env);
  return globalForEnv.parleyEnv;
}
