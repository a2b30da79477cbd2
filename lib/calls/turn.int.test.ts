/**
 * Parley's TURN credentials against a real coturn running deploy/coturn/turnserver.conf (its security settings;
 * addresses, ports, secret and certificate are the test's own, lib/testing/coturn.ts), spoken to with a real
 * TURN client (lib/testing/turn-client.ts): what Parley signs is accepted, over UDP and TLS; a wrong secret
 * or an expired credential is not; and the relay refuses every private, loopback, link-local and metadata
 * destination the deploy file denies. Needs no PostgreSQL. Skipped only where coturn is not installed: CI
 * installs it (.ci/run), so there it always runs. The browser side (relay candidates, data through the relay,
 * ICE servers from a real call:start) is e2e/turn.spec.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv, type Env } from '../env';
import { COTURN_MISSING_REASON, findTurnserver, startTestCoturn, type TestCoturn } from '../testing/coturn';
import { openTurnClient, type TurnClient, type TurnClientOptions } from '../testing/turn-client';
import { iceServersFor, turnCredential } from './ice';

const DEPLOY_CONFIG = readFileSync(path.resolve(import.meta.dirname, '../../deploy/coturn/turnserver.conf'), 'utf8');
const coturnMissing = !findTurnserver();
const USER_ID = '7b0c8c1e-4d3a-4f0e-9a57-2f1d6c3b8e11';

/** The settings Parley would run with, through its own parser (ICE_SERVERS is JSON in the environment). */
function settingsFor(coturn: TestCoturn, secret = coturn.secret): Env {
  return parseEnv({
    NODE_ENV: 'test',
    AUTH_SECRET: 'turn-test-secret-0123456789abcdefghijklmnop',
    ICE_SERVERS: JSON.stringify([{ urls: coturn.urls }]),
    TURN_SECRET: secret,
    TURN_CREDENTIAL_TTL_SECONDS: '3600',
  });
}

function credentialsOf(env: Env, now?: Date): { username: string; credential: string } {
  const [server] = iceServersFor(env, USER_ID, now);
  if (!server?.username || !server.credential) throw new Error('no TURN credentials handed out');
  return { username: server.username, credential: server.credential };
}

describe('the deploy example as written', () => {
  it('keeps loopback peers refused and the secret unset (an empty secret would make an open relay)', () => {
    const active = DEPLOY_CONFIG.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
    expect(active).not.toContain('allow-loopback-peers');
    expect(active).not.toContain('server-relay');
    expect(active.filter((line) => line.startsWith('static-auth-secret'))).toEqual([]);
    expect(active).toContain('use-auth-secret');
    // coturn 4.6 ignores a CIDR with only a log line: ranges must be written first-last.
    expect(active.filter((line) => line.startsWith('denied-peer-ip=') && line.includes('/'))).toEqual([]);
  });
});

describe.skipIf(coturnMissing)(`TURN credentials against coturn${coturnMissing ? ` — skipped: ${COTURN_MISSING_REASON}` : ''}`, () => {
  let coturn: TestCoturn;
  let env: Env;
  const clients: TurnClient[] = [];

  async function client(credentials: { username: string; credential: string }, transport: TurnClientOptions['transport'] = 'udp') {
    const opened = await openTurnClient({
      host: coturn.host,
      port: transport === 'tls' ? coturn.tlsPort! : coturn.port,
      transport,
      ca: coturn.certificate,
      ...credentials,
    });
    clients.push(opened);
    return opened;
  }

  beforeAll(async () => {
    coturn = await startTestCoturn({ baseConfig: DEPLOY_CONFIG, tls: true, ipv6Relay: true });
    env = settingsFor(coturn);
  });
  afterAll(async () => {
    for (const opened of clients) opened.close();
    await coturn?.stop();
  });

  it('starts from the deploy file without a configuration error', () => {
    // e.g. "Wrong address format" for a peer range it cannot parse (and then does not deny).
    expect(coturn.output()).not.toMatch(/ERROR|Bad configuration|Wrong address/i);
  });

  it('accepts the credentials Parley derives: a relayed address over UDP and over TLS', async () => {
    const credentials = credentialsOf(env);
    expect(credentials.username).toMatch(new RegExp(`^\\d+:${USER_ID}$`));

    const overUdp = await (await client(credentials)).allocate();
    expect(overUdp).toMatchObject({ ok: true, relayed: { family: 4, address: '127.0.0.1' } });
    expect(overUdp.lifetime).toBeGreaterThan(0);

    const overTls = await (await client(credentials, 'tls')).allocate();
    expect(overTls).toMatchObject({ ok: true, relayed: { family: 4, address: '127.0.0.1' } });
  });

  it('refuses credentials signed with another secret', async () => {
    const wrong = credentialsOf(settingsFor(coturn, `${coturn.secret}-not-it`));
    expect(await (await client(wrong)).allocate()).toMatchObject({ ok: false, code: 401 });
  });

  it('refuses expired credentials', async () => {
    const longAgo = new Date(Date.now() - (env.TURN_CREDENTIAL_TTL_SECONDS + 60) * 1000);
    const expired = credentialsOf(env, longAgo);
    expect(await (await client(expired)).allocate()).toMatchObject({ ok: false, code: 401 });
  });

  it('keeps an allocation made before the expiry alive after it; a new one is refused', async () => {
    // What TURN_CREDENTIAL_TTL_SECONDS bounds: new allocations (a call's start, an ICE restart), not a relay
    // already carrying a call. coturn checks the expiry once per session and keeps the key for its refreshes.
    const expiresAt = new Date(Date.now() + 2000);
    const shortLived = turnCredential(coturn.secret, USER_ID, expiresAt);
    const early = await client(shortLived);
    expect(await early.allocate()).toMatchObject({ ok: true });

    const expiry = Number(shortLived.username.split(':')[0]) * 1000;
    while (Date.now() < expiry + 1100) await new Promise((resolve) => setTimeout(resolve, 100)); // coturn counts whole seconds

    expect(await early.refresh(600)).toMatchObject({ ok: true, lifetime: 600 });
    expect(await early.createPermission('100.128.0.1')).toMatchObject({ ok: true });
    expect(await (await client(shortLived)).allocate()).toMatchObject({ ok: false, code: 401 });
  });

  // CreatePermission only records a permission in coturn; nothing is sent to these addresses.
  const deniedV4 = [
    '127.0.0.1', // the TURN host itself
    '127.1.2.3',
    '10.0.0.1',
    '10.255.255.254',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.64.0.1',
    '0.0.0.0',
    '198.18.0.1',
    '224.0.0.251',
    '255.255.255.255',
  ];
  // Just outside the denied ranges: the ranges are exact, not wider than meant.
  const allowedV4 = ['11.0.0.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '169.255.0.1', '9.255.255.254'];

  it('refuses to relay to private, loopback, link-local and metadata IPv4 addresses (403)', async () => {
    const relay = await client(credentialsOf(env));
    expect(await relay.allocate()).toMatchObject({ ok: true });
    for (const peer of deniedV4) {
      expect({ peer, ...(await relay.createPermission(peer)) }).toMatchObject({ peer, ok: false, code: 403 });
    }
    for (const peer of allowedV4) {
      expect({ peer, ...(await relay.createPermission(peer)) }).toMatchObject({ peer, ok: true });
    }
  });

  const deniedV6 = [
    '::1',
    '::',
    '::a00:1', // IPv4-compatible (deprecated)
    '::ffff:127.0.0.1', // IPv4-mapped: the IPv4 rules must not be bypassed through IPv6
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1', // NAT64 of 10.0.0.1
    '2002:a00:1::1', // 6to4 of 10.0.0.1
    'fd00:ec2::254', // AWS metadata over IPv6
    'fc00::1',
    'fe80::1',
    'ff02::1',
    '2001:db8::1',
  ];
  const allowedV6 = ['2001:200::1', '2a00:1450::1', '2003::1'];

  it('refuses to relay to loopback, mapped, translated, unique-local and link-local IPv6 addresses (403)', async () => {
    const relay = await client(credentialsOf(env));
    expect(await relay.allocate({ family: 6 })).toMatchObject({ ok: true, relayed: { family: 6 } });
    for (const peer of deniedV6) {
      expect({ peer, ...(await relay.createPermission(peer)) }).toMatchObject({ peer, ok: false, code: 403 });
    }
    for (const peer of allowedV6) {
      expect({ peer, ...(await relay.createPermission(peer)) }).toMatchObject({ peer, ok: true });
    }
  });
});
