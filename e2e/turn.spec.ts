/**
 * Calls through a TURN relay, for real: a private coturn (lib/testing/coturn.ts), a Parley server configured
 * with it (ICE_SERVERS + TURN_SECRET), two users whose ICE servers come from call:start and call:accept acks,
 * and two Chromium peer connections restricted to relayed candidates (`iceTransportPolicy: 'relay'`): they
 * gather relay candidates, connect through coturn and carry data, with the offer and answer relayed by
 * Parley's call:signal. TURN over TLS (turns:) relays as well. Credentials signed with another secret, or
 * expired, gather no relay candidate.
 * The coturn here allows loopback peers (both browsers relay to 127.0.0.1); deploy/coturn/turnserver.conf
 * refuses them, which lib/calls/turn.int.test.ts checks. Skipped only where coturn is not installed: CI
 * installs it (.ci/run).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { io, type Socket } from 'socket.io-client';
import { iceServersFor } from '../lib/calls/ice';
import type { Ack } from '../lib/errors';
import type { CallJoined, IceServer, RelayedSignal } from '../lib/schemas/call';
import type { PublicUser } from '../lib/schemas/user';
import { COTURN_MISSING_REASON, findTurnserver, startTestCoturn, type TestCoturn } from '../lib/testing/coturn';
import { createUserViaApi, loginViaApi, randomUsername } from './helpers';
import { startServerProcess, type ServerProcess } from './server-process';

/** What a page's relay-only peer connection saw (kept on `window.turnPeer`). */
interface PeerReport {
  candidateTypes: string[];
  errors: Array<{ code: number; text: string; url: string }>;
  gathering: RTCIceGatheringState;
  connection: RTCPeerConnectionState;
  received: string[];
  /** The candidate pair carrying data: its local and remote candidate types. */
  selected: { local: string; remote: string; relayProtocol: string } | null;
}

interface TurnPeer {
  pc: RTCPeerConnection;
  report: PeerReport;
  channel?: RTCDataChannel;
}

declare global {
  interface Window {
    turnPeer?: TurnPeer;
  }
}

interface Participant {
  context: BrowserContext;
  page: Page;
  socket: Socket;
  user: PublicUser;
}

const TTL_SECONDS = 3600;

async function participant(browser: Browser, server: ServerProcess, prefix: string): Promise<Participant> {
  const context = await browser.newContext({ baseURL: server.base });
  const page = await context.newPage();
  const { username } = await createUserViaApi(page, randomUsername(prefix));
  await loginViaApi(page, username);
  const cookie = (await context.cookies(server.base)).map((c) => `${c.name}=${c.value}`).join('; ');
  const socket = io(server.base, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, forceNew: true });
  const user = await new Promise<PublicUser>((resolve, reject) => {
    socket.once('session:ready', ({ user }: { user: PublicUser }) => resolve(user));
    socket.once('connect_error', reject);
  });
  await page.goto('about:blank'); // the peer connection needs no Parley page, and no page script interferes
  return { context, page, socket, user };
}

/** Creates the page's relay-only peer connection; the offerer also opens a data channel. */
async function createPeer(page: Page, iceServers: IceServer[], offerer: boolean): Promise<void> {
  await page.evaluate(
    ({ iceServers, offerer }) => {
      const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
      const report: PeerReport = { candidateTypes: [], errors: [], gathering: 'new', connection: 'new', received: [], selected: null };
      const peer: TurnPeer = { pc, report };
      const listen = (channel: RTCDataChannel) => {
        peer.channel = channel;
        channel.onmessage = (event) => report.received.push(String(event.data));
      };
      pc.onicecandidate = (event) => {
        if (event.candidate?.type) report.candidateTypes.push(event.candidate.type);
      };
      pc.onicecandidateerror = (event) => {
        const error = event as RTCPeerConnectionIceErrorEvent;
        report.errors.push({ code: error.errorCode, text: error.errorText, url: error.url });
      };
      pc.onicegatheringstatechange = () => (report.gathering = pc.iceGatheringState);
      pc.onconnectionstatechange = () => (report.connection = pc.connectionState);
      pc.ondatachannel = (event) => listen(event.channel);
      if (offerer) listen(pc.createDataChannel('turn-test'));
      window.turnPeer = peer;
    },
    { iceServers, offerer },
  );
}

/** Sets the remote description if given, then the local one, and returns it once every candidate is in it. */
async function localDescription(page: Page, remote?: RTCSessionDescriptionInit): Promise<{ type: 'offer' | 'answer'; sdp: string }> {
  return page.evaluate(async (remote) => {
    const { pc } = window.turnPeer!;
    if (remote) await pc.setRemoteDescription(remote);
    await pc.setLocalDescription();
    // Not trickled: the description is sent once gathering is complete, carrying its relay candidates.
    if (pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()));
    }
    const { type, sdp } = pc.localDescription!;
    return { type: type as 'offer' | 'answer', sdp };
  }, remote);
}

async function report(page: Page): Promise<PeerReport> {
  return page.evaluate(async () => {
    const { pc, report } = window.turnPeer!;
    const stats = await pc.getStats();
    stats.forEach((entry: { type: string; state?: string; nominated?: boolean; localCandidateId?: string; remoteCandidateId?: string }) => {
      if (entry.type !== 'candidate-pair' || entry.state !== 'succeeded' || !entry.nominated) return;
      const local = stats.get(entry.localCandidateId!) as { candidateType: string; relayProtocol?: string };
      const remote = stats.get(entry.remoteCandidateId!) as { candidateType: string };
      report.selected = { local: local.candidateType, remote: remote.candidateType, relayProtocol: local.relayProtocol ?? '' };
    });
    return report;
  });
}

function nextSignal(socket: Socket, from: string): Promise<RelayedSignal> {
  return new Promise((resolve) => {
    const onSignal = (signal: RelayedSignal) => {
      if (signal.from !== from || !signal.description) return;
      socket.off('call:signal', onSignal);
      resolve(signal);
    };
    socket.on('call:signal', onSignal);
  });
}

async function emit<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  const ack = (await socket.timeout(10_000).emitWithAck(event, payload)) as Ack<T>;
  if (!ack.ok) throw new Error(`${event} refused: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

test.describe('calls through a TURN relay', () => {
  test.skip(!findTurnserver(), COTURN_MISSING_REASON);

  let coturn: TestCoturn;
  let server: ServerProcess;
  const people: Participant[] = [];

  test.beforeAll(async () => {
    coturn = await startTestCoturn({ allowLoopbackPeers: true, verbose: true, tls: true });
    server = await startServerProcess({
      ICE_SERVERS: JSON.stringify([{ urls: coturn.urls }]),
      TURN_SECRET: coturn.secret,
      TURN_CREDENTIAL_TTL_SECONDS: String(TTL_SECONDS),
    });
  });

  test.afterAll(async () => {
    for (const person of people) {
      person.socket.close();
      await person.context.close();
    }
    await server?.stop();
    await coturn?.stop();
  });

  test('two browsers connect through coturn with the ICE servers Parley hands out, and data flows', async ({ browser }) => {
    const alice = await participant(browser, server, 'turna');
    const bob = await participant(browser, server, 'turnb');
    people.push(alice, bob);
    const direct = await alice.page.request.post('/api/direct', { data: { userId: bob.user.id } });
    expect(direct.status()).toBe(201);
    const { room } = (await direct.json()) as { room: { id: string } };

    const rung = new Promise<string>((resolve) => bob.socket.once('call:ring', ({ call }: { call: { id: string } }) => resolve(call.id)));
    const started = await emit<CallJoined>(alice.socket, 'call:start', { roomId: room.id, kind: 'audio' });
    const callId = await rung;
    expect(callId).toBe(started.call.id);
    const accepted = await emit<CallJoined>(bob.socket, 'call:accept', { callId });

    // Each gets the configured TURN URLs with credentials of their own: "<expiry>:<their user id>".
    for (const [person, joined] of [[alice, started], [bob, accepted]] as const) {
      expect(joined.iceServers).toHaveLength(1);
      const [turn] = joined.iceServers;
      expect(turn!.urls).toEqual(coturn.urls);
      expect(turn!.username).toMatch(new RegExp(`^\\d+:${person.user.id}$`));
      const expiry = Number(turn!.username!.split(':')[0]);
      expect(expiry).toBeGreaterThan(Date.now() / 1000 + TTL_SECONDS - 60);
      expect(expiry).toBeLessThanOrEqual(Date.now() / 1000 + TTL_SECONDS + 1);
    }

    // The newcomer (Bob, who accepted) offers; offer and answer travel over Parley's call:signal.
    await createPeer(bob.page, accepted.iceServers, true);
    await createPeer(alice.page, started.iceServers, false);
    const offerArrives = nextSignal(alice.socket, bob.user.id);
    await emit(bob.socket, 'call:signal', { callId, to: alice.user.id, description: await localDescription(bob.page) });
    const offer = await offerArrives;
    const answerArrives = nextSignal(bob.socket, alice.user.id);
    await emit(alice.socket, 'call:signal', { callId, to: bob.user.id, description: await localDescription(alice.page, offer.description) });
    const answer = await answerArrives;
    await bob.page.evaluate((answer) => window.turnPeer!.pc.setRemoteDescription(answer), answer.description!);

    for (const page of [alice.page, bob.page]) {
      await expect.poll(async () => (await report(page)).connection, { timeout: 20_000 }).toBe('connected');
      await page.waitForFunction(() => window.turnPeer?.channel?.readyState === 'open');
    }
    await bob.page.evaluate(() => window.turnPeer!.channel!.send('hello from bob, relayed'));
    await alice.page.evaluate(() => window.turnPeer!.channel!.send('hello from alice, relayed'));
    await expect.poll(async () => (await report(alice.page)).received).toEqual(['hello from bob, relayed']);
    await expect.poll(async () => (await report(bob.page)).received).toEqual(['hello from alice, relayed']);

    for (const page of [alice.page, bob.page]) {
      const seen = await report(page);
      expect(seen.candidateTypes.length).toBeGreaterThan(0);
      expect(new Set(seen.candidateTypes)).toEqual(new Set(['relay']));
      expect(seen.selected).toEqual({ local: 'relay', remote: 'relay', relayProtocol: expect.stringMatching(/^(udp|tcp)$/) });
    }
    // coturn authenticated exactly the usernames Parley signed.
    for (const joined of [started, accepted]) {
      expect(coturn.output()).toContain(`user <${joined.iceServers[0]!.username}>: incoming packet ALLOCATE processed, success`);
    }
  });

  /** Gathers with `iceServers` in a fresh page and reports what came of it. */
  async function gather(browser: Browser, iceServers: IceServer[]): Promise<PeerReport> {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await createPeer(page, iceServers, true);
      await localDescription(page); // resolves when gathering is complete
      return await report(page);
    } finally {
      await context.close();
    }
  }

  const settings = () => ({ ICE_SERVERS: [{ urls: coturn.urls }], TURN_SECRET: coturn.secret, TURN_CREDENTIAL_TTL_SECONDS: TTL_SECONDS });
  const USER = '0193f2c4-7a1e-7c3b-9d2e-5f6a7b8c9d0e';
  const ANOTHER_USER = '0193f2c4-7a1e-7c3b-9d2e-5f6a7b8c9d0f';

  test('credentials signed with another secret gather no relay candidate (coturn answers 401)', async ({ browser }) => {
    const valid = await gather(browser, iceServersFor(settings(), USER));
    expect(valid.candidateTypes).toContain('relay'); // the same page and server do relay with the right secret

    const wrong = await gather(browser, iceServersFor({ ...settings(), TURN_SECRET: `${coturn.secret}-rotated` }, USER));
    expect(wrong.candidateTypes).toEqual([]);
    expect(wrong.errors.map((e) => e.code)).toContain(401);
  });

  test('TURN over TLS (turns:, what a UDP-blocking network leaves) relays too', async ({ playwright }, testInfo) => {
    // Chromium checks a TURN server's certificate (a self-signed one fails with error 701): this browser of its
    // own trusts the test coturn's key, and nothing else more than usual.
    const key = new X509Certificate(coturn.certificate!).publicKey.export({ type: 'spki', format: 'der' });
    const spki = createHash('sha256').update(key).digest('base64');
    const launch = testInfo.project.use.launchOptions ?? {};
    const browser = await playwright.chromium.launch({ ...launch, args: [...(launch.args ?? []), `--ignore-certificate-errors-spki-list=${spki}`] });
    try {
      const turns = { ...settings(), ICE_SERVERS: [{ urls: [`turns:127.0.0.1:${coturn.tlsPort}?transport=tcp`] }] };
      const [offerer, answerer] = await Promise.all([browser.newPage(), browser.newPage()]);
      await createPeer(offerer, iceServersFor(turns, USER), true);
      await createPeer(answerer, iceServersFor(turns, ANOTHER_USER), false);
      const answer = await localDescription(answerer, await localDescription(offerer));
      await offerer.evaluate((answer) => window.turnPeer!.pc.setRemoteDescription(answer), answer);
      for (const page of [offerer, answerer]) {
        await expect.poll(async () => (await report(page)).connection, { timeout: 20_000 }).toBe('connected');
        await page.waitForFunction(() => window.turnPeer?.channel?.readyState === 'open');
      }
      await offerer.evaluate(() => window.turnPeer!.channel!.send('over TLS'));
      await expect.poll(async () => (await report(answerer)).received).toEqual(['over TLS']);
      for (const page of [offerer, answerer]) {
        expect((await report(page)).selected).toEqual({ local: 'relay', remote: 'relay', relayProtocol: 'tls' });
      }
    } finally {
      await browser.close();
    }
  });

  test('expired credentials gather no relay candidate (coturn answers 401)', async ({ browser }) => {
    const issuedLongAgo = new Date(Date.now() - (TTL_SECONDS + 60) * 1000);
    const expired = await gather(browser, iceServersFor(settings(), USER, issuedLongAgo));
    expect(expired.candidateTypes).toEqual([]);
    expect(expired.errors.map((e) => e.code)).toContain(401);
  });
});
