import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from './env';
import { realtimeTransports } from './realtime/engine-options';

const strongSecret = 'x'.repeat(16) + 'K9v2Lq8ZpR4mT7wY';
const tempDataDir = () => mkdtempSync(path.join(tmpdir(), 'parley-env-'));

describe('parseEnv', () => {
  it('applies defaults when nothing is configured', () => {
    const env = parseEnv({ DATA_DIR: tempDataDir() });
    expect(env.NODE_ENV).toBe('development');
    expect(env.PORT).toBe(3000);
    expect(env.HOST).toBe('0.0.0.0');
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.EMBEDDED_PG_PORT).toBe(54329);
    expect(env.ALLOWED_ORIGINS).toEqual([]);
    expect(env.TRUST_PROXY).toBe(0);
    expect(env.LOG_LEVEL).toBe('info');
  });

  it('generates a development secret once and keeps it private under DATA_DIR', () => {
    const dataDir = tempDataDir();
    const first = parseEnv({ DATA_DIR: dataDir });
    const second = parseEnv({ DATA_DIR: dataDir });
    expect(first.authSecretSource).toBe('generated-file');
    expect(first.AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(second.AUTH_SECRET).toBe(first.AUTH_SECRET);
    const file = path.join(dataDir, 'auth-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.AUTH_SECRET);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses to start in production without AUTH_SECRET and says what to set', () => {
    expect(() => parseEnv({ NODE_ENV: 'production', DATA_DIR: tempDataDir() })).toThrow(EnvError);
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/AUTH_SECRET is not set.*openssl rand/);
  });

  it('refuses a well-known or short secret in production', () => {
    expect(() => parseEnv({ NODE_ENV: 'production', AUTH_SECRET: 'changeme' })).toThrow(/too weak/);
    expect(() => parseEnv({ NODE_ENV: 'production', AUTH_SECRET: 'short-but-random-Zx81' })).toThrow(/too weak/);
  });

  it('accepts a strong secret in production', () => {
    const env = parseEnv({ NODE_ENV: 'production', AUTH_SECRET: strongSecret });
    expect(env.AUTH_SECRET).toBe(strongSecret);
    expect(env.authSecretSource).toBe('env');
  });

  it('parses ports, flags, origins and database URLs', () => {
    const env = parseEnv({
      PORT: '8080',
      TRUST_PROXY: 'true',
      ALLOWED_ORIGINS: 'https://chat.example.com, http://localhost:5173/',
      DATABASE_URL: 'postgresql://u:p@db:5432/parley',
      AUTH_SECRET: strongSecret,
    });
    expect(env.PORT).toBe(8080);
    expect(env.TRUST_PROXY).toBe(1);
    expect(env.ALLOWED_ORIGINS).toEqual(['https://chat.example.com', 'http://localhost:5173']);
    expect(env.DATABASE_URL).toBe('postgresql://u:p@db:5432/parley');
  });

  it('limits room creation by default and takes overrides', () => {
    const defaults = parseEnv({ AUTH_SECRET: strongSecret });
    expect(defaults.RATE_LIMIT_ROOMS_PER_HOUR).toBe(20);
    expect(defaults.MAX_ROOMS_PER_USER).toBe(50);
    const set = parseEnv({ AUTH_SECRET: strongSecret, RATE_LIMIT_ROOMS_PER_HOUR: '5', MAX_ROOMS_PER_USER: '200' });
    expect(set.RATE_LIMIT_ROOMS_PER_HOUR).toBe(5);
    expect(set.MAX_ROOMS_PER_USER).toBe(200);
    expect(() => parseEnv({ AUTH_SECRET: strongSecret, MAX_ROOMS_PER_USER: '0' })).toThrow(/MAX_ROOMS_PER_USER/);
    expect(() => parseEnv({ AUTH_SECRET: strongSecret, RATE_LIMIT_ROOMS_PER_HOUR: 'many' })).toThrow(/RATE_LIMIT_ROOMS_PER_HOUR/);
  });

  it('gives every user an API budget of 20 requests a second plus a burst of 200 by default, and takes overrides', () => {
    const defaults = parseEnv({ AUTH_SECRET: strongSecret });
    expect(defaults.RATE_LIMIT_API_PER_SECOND).toBe(20);
    expect(defaults.RATE_LIMIT_API_BURST).toBe(200);
    const set = parseEnv({ AUTH_SECRET: strongSecret, RATE_LIMIT_API_PER_SECOND: '50', RATE_LIMIT_API_BURST: '0' });
    expect(set.RATE_LIMIT_API_PER_SECOND).toBe(50);
    expect(set.RATE_LIMIT_API_BURST).toBe(0);
    expect(() => parseEnv({ AUTH_SECRET: strongSecret, RATE_LIMIT_API_PER_SECOND: '0' })).toThrow(/RATE_LIMIT_API_PER_SECOND/);
  });

  it('takes PUBLIC_URL as a bare origin and refuses Auth.js\'s own URL settings', () => {
    expect(parseEnv({ AUTH_SECRET: strongSecret }).PUBLIC_URL).toBeUndefined();
    expect(parseEnv({ PUBLIC_URL: 'https://Chat.Example.com/', AUTH_SECRET: strongSecret }).PUBLIC_URL).toBe('https://chat.example.com');
    expect(parseEnv({ PUBLIC_URL: 'http://localhost:8080', AUTH_SECRET: strongSecret }).PUBLIC_URL).toBe('http://localhost:8080');
    for (const bad of ['chat.example.com', 'ftp://chat.example.com', 'https://chat.example.com/parley', 'https://chat.example.com/?x=1', 'https://u:p@chat.example.com']) {
      expect(() => parseEnv({ PUBLIC_URL: bad, AUTH_SECRET: strongSecret }), bad).toThrow(/PUBLIC_URL/);
    }
    expect(() => parseEnv({ AUTH_URL: 'https://chat.example.com', AUTH_SECRET: strongSecret })).toThrow(/AUTH_URL is not used by Parley: set PUBLIC_URL/);
    expect(() => parseEnv({ NEXTAUTH_URL: 'https://chat.example.com', AUTH_SECRET: strongSecret })).toThrow(/NEXTAUTH_URL/);
  });

  it('reads ICE_SERVERS as JSON: none by default, a url or a list of urls per server', () => {
    expect(parseEnv({ AUTH_SECRET: strongSecret }).ICE_SERVERS).toEqual([]);
    expect(parseEnv({ AUTH_SECRET: strongSecret, ICE_SERVERS: '  ' }).ICE_SERVERS).toEqual([]);
    const env = parseEnv({
      AUTH_SECRET: strongSecret,
      ICE_SERVERS: JSON.stringify([
        { urls: 'stun:stun.example.com:3478' },
        { urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'] },
        { urls: ['turn:static.example.com'], username: 'u', credential: 'p' },
      ]),
      TURN_SECRET: 'a-coturn-secret-of-16+',
    });
    expect(env.ICE_SERVERS).toEqual([
      { urls: ['stun:stun.example.com:3478'] },
      { urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'] },
      { urls: ['turn:static.example.com'], username: 'u', credential: 'p' },
    ]);
    expect(env.TURN_SECRET).toBe('a-coturn-secret-of-16+');
  });

  it('refuses ICE_SERVERS that are not JSON, not a list of servers, or not STUN/TURN urls, naming the setting', () => {
    const bad = [
      'stun:stun.example.com', // not JSON
      '{"urls":"stun:stun.example.com"}', // one object, not a list
      '[{"urls":[]}]', // no url
      '[{"urls":"http://stun.example.com"}]', // not a STUN/TURN url
      '[{"urls":"stun: spaced.example.com"}]',
      '[{"url":"stun:stun.example.com"}]', // the old, unknown key
      '[{"urls":"stun:stun.example.com","extra":1}]',
      '[{"urls":"turn:t.example.com","username":"","credential":""}]', // empty credentials
      '[{"urls":"turn:t.example.com","username":"u"}]', // half of a pair: browsers refuse the whole peer connection
      '[{"urls":"stun:s.example.com","credential":"p"}]',
      JSON.stringify(Array.from({ length: 11 }, (_, i) => ({ urls: `stun:s${i}.example.com` }))), // more than 10
    ];
    for (const value of bad) expect(() => parseEnv({ AUTH_SECRET: strongSecret, ICE_SERVERS: value }), value).toThrow(/ICE_SERVERS/);
  });

  it('refuses to start with a TURN server that has neither TURN_SECRET nor credentials of its own', () => {
    for (const urls of ['turn:turn.example.com', 'turns:turn.example.com:5349', ['stun:stun.example.com', 'turn:turn.example.com']]) {
      expect(() => parseEnv({ AUTH_SECRET: strongSecret, ICE_SERVERS: JSON.stringify([{ urls }]) }), JSON.stringify(urls)).toThrow(/TURN_SECRET/);
    }
    // With the secret, or with credentials of its own, it starts; STUN alone needs neither.
    expect(() => parseEnv({ AUTH_SECRET: strongSecret, ICE_SERVERS: '[{"urls":"turn:turn.example.com"}]', TURN_SECRET: 'a-coturn-secret-of-16+' })).not.toThrow();
    expect(() => parseEnv({ AUTH_SECRET: strongSecret, ICE_SERVERS: '[{"urls":"turn:t.example.com","username":"u","credential":"p"}]' })).not.toThrow();
    expect(() => parseEnv({ AUTH_SECRET: strongSecret, ICE_SERVERS: '[{"urls":"stun:stun.example.com"}]' })).not.toThrow();
  });

  it('takes TURN_SECRET of 16 characters or more, a bounded credential TTL (default 4 h) and the call rate limit', () => {
    expect(() => parseEnv({ AUTH_SECRET: strongSecret, TURN_SECRET: 'too-short' })).toThrow(/TURN_SECRET/);
    const defaults = parseEnv({ AUTH_SECRET: strongSecret });
    expect(defaults.TURN_CREDENTIAL_TTL_SECONDS).toBe(4 * 3600);
    expect(defaults.RATE_LIMIT_CALLS_PER_MINUTE).toBe(10);
    expect(parseEnv({ AUTH_SECRET: strongSecret, TURN_CREDENTIAL_TTL_SECONDS: '600', RATE_LIMIT_CALLS_PER_MINUTE: '3' })).toMatchObject({
      TURN_CREDENTIAL_TTL_SECONDS: 600,
      RATE_LIMIT_CALLS_PER_MINUTE: 3,
    });
    for (const ttl of ['59', String(7 * 24 * 3600 + 1), '1.5', 'long']) {
      expect(() => parseEnv({ AUTH_SECRET: strongSecret, TURN_CREDENTIAL_TTL_SECONDS: ttl }), ttl).toThrow(/TURN_CREDENTIAL_TTL_SECONDS/);
    }
    expect(() => parseEnv({ AUTH_SECRET: strongSecret, RATE_LIMIT_CALLS_PER_MINUTE: '0' })).toThrow(/RATE_LIMIT_CALLS_PER_MINUTE/);
  });

  it('takes REALTIME_TRANSPORTS: polling then WebSocket by default, or WebSocket only; nothing else', () => {
    expect(parseEnv({ DATA_DIR: tempDataDir() }).REALTIME_TRANSPORTS).toBe('polling,websocket');
    expect(parseEnv({ DATA_DIR: tempDataDir(), REALTIME_TRANSPORTS: 'websocket' }).REALTIME_TRANSPORTS).toBe('websocket');
    expect(realtimeTransports('websocket')).toEqual(['websocket']);
    expect(realtimeTransports('polling,websocket')).toEqual(['polling', 'websocket']);
    expect(() => parseEnv({ DATA_DIR: tempDataDir(), REALTIME_TRANSPORTS: 'polling' })).toThrow(/REALTIME_TRANSPORTS/);
  });

  it('takes REALTIME_ADAPTER=redis only with a redis:// REDIS_URL, and a safe REDIS_PREFIX', () => {
    expect(parseEnv({ AUTH_SECRET: strongSecret })).toMatchObject({ REALTIME_ADAPTER: 'postgres', REDIS_PREFIX: 'parley' });
    expect(parseEnv({ AUTH_SECRET: strongSecret, REALTIME_ADAPTER: 'redis', REDIS_URL: 'redis://:pw@cache:6380/2', REDIS_PREFIX: 'chat-eu:1' })).toMatchObject({
      REALTIME_ADAPTER: 'redis',
      REDIS_URL: 'redis://:pw@cache:6380/2',
      REDIS_PREFIX: 'chat-eu:1',
    });
    expect(parseEnv({ AUTH_SECRET: strongSecret, REALTIME_ADAPTER: 'redis', REDIS_URL: 'rediss://cache:6380' }).REDIS_URL).toBe('rediss://cache:6380');
    expect(() => parseEnv({ AUTH_SECRET: strongSecret, REALTIME_ADAPTER: 'redis' })).toThrow(/REDIS_URL: REALTIME_ADAPTER=redis needs REDIS_URL/);
    expect(() => parseEnv({ AUTH_SECRET: strongSecret, REALTIME_ADAPTER: 'redis', REDIS_URL: 'http://cache:6379' })).toThrow(/REDIS_URL/);
    expect(() => parseEnv({ AUTH_SECRET: strongSecret, REDIS_PREFIX: 'has space' })).toThrow(/REDIS_PREFIX/);
    expect(() => parseEnv({ AUTH_SECRET: strongSecret, REALTIME_ADAPTER: 'nats' })).toThrow(/REALTIME_ADAPTER/);
  });

  it('names the variable when a value is invalid', () => {
    expect(() => parseEnv({ PORT: 'eighty', AUTH_SECRET: strongSecret })).toThrow(/PORT/);
    expect(() => parseEnv({ DATABASE_URL: 'mysql://x@y/z', AUTH_SECRET: strongSecret })).toThrow(/DATABASE_URL/);
    expect(() => parseEnv({ ALLOWED_ORIGINS: 'not a url', AUTH_SECRET: strongSecret })).toThrow(/ALLOWED_ORIGINS/);
    expect(() => parseEnv({ LOG_LEVEL: 'loud', AUTH_SECRET: strongSecret })).toThrow(/LOG_LEVEL/);
  });
});
