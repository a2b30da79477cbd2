/**
 * Revocable sessions: a session ends everywhere at once — REST, new sockets, and the sockets already
 * open on every instance — when it is signed out, signed out everywhere, outlived by a password change,
 * or when its user is disabled or deleted.
 */
import { encode } from 'next-auth/jwt';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rooms from '@/app/api/rooms/route';
import * as password from '@/app/api/account/password/route';
import { createRoom } from '@/lib/data/rooms';
import { authenticate, setUserDisabled } from '@/lib/data/users';
import { getDb } from '@/lib/db';
import { getEnv } from '@/lib/env';
import { notifySessionsEnded } from '@/lib/realtime/notify';
import type { SessionView } from '@/lib/schemas/user';
import {
  apiRequest,
  connectClient,
  createTestUser,
  eventually,
  eventuallyAsync,
  openRoom,
  openSession,
  signInAs,
  startTestRealtime,
  uniqueName,
  waitForCluster,
  waitForConnect,
  type TestRealtime,
} from '@/lib/testing/realtime';
import * as one from './[sessionId]/route';
import * as sessions from './route';

let a: TestRealtime;
let b: TestRealtime;
beforeAll(async () => {
  [a, b] = await Promise.all([
    startTestRealtime({ postgresAdapter: true, sessionSweepMs: 60_000 }),
    startTestRealtime({ postgresAdapter: true, sessionSweepMs: 60_000 }),
  ]);
  await waitForCluster([a, b]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

type User = Awaited<ReturnType<typeof createTestUser>>;

async function listRooms(cookie: string): Promise<number> {
  return (await rooms.GET(await apiRequest({ cookie }, 'GET', '/api/rooms'))).status;
}

/** A main socket and a room socket of one session on instance `server`, with a flag set when they close. */
async function openTab(server: TestRealtime, user: User, cookie: string) {
  const room = await createRoom({ ownerId: user.id, data: { kind: 'public', name: uniqueName('tab'), description: '' }, ip: null });
  const main = await openSession(server.url, user, { cookie });
  const { socket: roomSocket } = await openRoom(server.url, user, room.id, { cookie });
  const ended: string[] = [];
  main.on('session:ended', () => ended.push('session:ended'));
  const closed = { main: '', room: '' };
  main.on('disconnect', (reason) => (closed.main = reason));
  roomSocket.on('disconnect', (reason) => (closed.room = reason));
  return { main, roomSocket, ended, closed };
}

async function refusedHandshake(server: TestRealtime, cookie: string): Promise<unknown> {
  const socket = connectClient(server.url, { cookie });
  const error = await waitForConnect(socket).then(
    () => undefined,
    (e: Error & { data?: unknown }) => e.data,
  );
  socket.close();
  return error;
}

function closeAll(...sockets: Socket[]): void {
  for (const s of sockets) s.close();
}

describe('sessions', () => {
  it('lists my sessions with the current one marked; nobody else’s session can be ended', async () => {
    const [alice, mallory] = await Promise.all([createTestUser(), createTestUser()]);
    const laptop = await signInAs(alice);
    const phone = await signInAs(alice);
    const list = (await (await sessions.GET(await apiRequest({ cookie: laptop.cookie }, 'GET', '/api/sessions'))).json()) as { sessions: SessionView[] };
    expect(list.sessions.map((s) => s.id).sort()).toEqual([laptop.sessionId, phone.sessionId].sort());
    expect(list.sessions.find((s) => s.current)?.id).toBe(laptop.sessionId);
    expect(list.sessions[0]).toMatchObject({ ip: '127.0.0.1', userAgent: 'parley-tests' });

    const theirs = await one.DELETE(await apiRequest(mallory, 'DELETE', `/api/sessions/${laptop.sessionId}`), {
      params: Promise.resolve({ sessionId: laptop.sessionId }),
    });
    expect(theirs.status).toBe(404);
    const garbage = await one.DELETE(await apiRequest(mallory, 'DELETE', '/api/sessions/x'), { params: Promise.resolve({ sessionId: 'x' }) });
    expect(garbage.status).toBe(404);
    expect(await listRooms(laptop.cookie)).toBe(200);
  });

  it('ending one session: REST refuses it, new sockets are refused, open sockets close on every instance within 2 s', async () => {
    const alice = await createTestUser();
    const laptop = await signInAs(alice);
    const phone = await signInAs(alice);
    const onB = await openTab(b, alice, phone.cookie);
    const onA = await openTab(a, alice, phone.cookie);
    const laptopTab = await openTab(b, alice, laptop.cookie);

    a.handleRequestsHere(); // the request lands on instance A; the phone's sockets are on A and B
    const started = Date.now();
    const response = await one.DELETE(await apiRequest({ cookie: laptop.cookie }, 'DELETE', `/api/sessions/${phone.sessionId}`), {
      params: Promise.resolve({ sessionId: phone.sessionId }),
    });
    expect(response.status).toBe(204);
    await eventually(() => [onA, onB].every((t) => t.closed.main !== '' && t.closed.room !== ''), 2_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    for (const tab of [onA, onB]) {
      expect(tab.ended).toEqual(['session:ended']);
      // A server disconnect: socket.io-client does not reconnect by itself.
      expect(tab.closed).toEqual({ main: 'io server disconnect', room: 'io server disconnect' });
    }
    expect(await listRooms(phone.cookie)).toBe(401);
    expect(await refusedHandshake(a, phone.cookie)).toEqual({ code: 'UNAUTHORIZED' });
    expect(await refusedHandshake(b, phone.cookie)).toEqual({ code: 'UNAUTHORIZED' });

    // The other session is untouched.
    expect(laptopTab.main.connected && laptopTab.roomSocket.connected).toBe(true);
    expect(await listRooms(laptop.cookie)).toBe(200);
    closeAll(laptopTab.main, laptopTab.roomSocket);
  });

  it('sign out everywhere: all sessions, or all but mine with ?except=current', async () => {
    const alice = await createTestUser();
    const [s1, s2, s3] = await Promise.all([signInAs(alice), signInAs(alice), signInAs(alice)]);
    const tab2 = await openTab(b, alice, s2.cookie);
    a.handleRequestsHere();
    const others = await sessions.DELETE(await apiRequest({ cookie: s1.cookie }, 'DELETE', '/api/sessions?except=current'));
    expect(await others.json()).toEqual({ ended: 2 });
    await eventually(() => tab2.closed.main !== '', 2_000);
    expect([await listRooms(s1.cookie), await listRooms(s2.cookie), await listRooms(s3.cookie)]).toEqual([200, 401, 401]);

    const bad = await sessions.DELETE(await apiRequest({ cookie: s1.cookie }, 'DELETE', '/api/sessions?except=everything'));
    expect(bad.status).toBe(422);
    expect(await listRooms(s1.cookie)).toBe(200);

    const all = await sessions.DELETE(await apiRequest({ cookie: s1.cookie }, 'DELETE', '/api/sessions'));
    expect(await all.json()).toEqual({ ended: 1 });
    expect(await listRooms(s1.cookie)).toBe(401);
  });

  it('a password change needs the current password and ends every other session', async () => {
    const alice = await createTestUser();
    const [mine, other] = await Promise.all([signInAs(alice), signInAs(alice)]);
    const tab = await openTab(b, alice, other.cookie);
    a.handleRequestsHere();
    const change = async (body: unknown) => password.POST(await apiRequest({ cookie: mine.cookie }, 'POST', '/api/account/password', body));

    const wrong = await change({ currentPassword: 'not it at all', newPassword: 'a brand new secret', confirmPassword: 'a brand new secret' });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: { code: 'FORBIDDEN', issues: [{ path: 'currentPassword' }] } });
    const mismatch = await change({ currentPassword: alice.password, newPassword: 'a brand new secret', confirmPassword: 'another' });
    expect(mismatch.status).toBe(422);
    expect(await listRooms(other.cookie)).toBe(200); // nothing changed yet

    const ok = await change({ currentPassword: alice.password, newPassword: 'a brand new secret', confirmPassword: 'a brand new secret' });
    expect(await ok.json()).toEqual({ endedSessions: 1 });
    await eventually(() => tab.closed.main !== '', 2_000);
    expect(await listRooms(other.cookie)).toBe(401);
    expect(await listRooms(mine.cookie)).toBe(200);
    await expect(authenticate({ username: alice.username, password: alice.password, ip: '10.9.9.9' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(authenticate({ username: alice.username, password: 'a brand new secret', ip: '10.9.9.9' })).resolves.toMatchObject({ id: alice.id });
  });

  it('guessing the current password through a borrowed session is rate limited', async () => {
    const alice = await createTestUser();
    const { cookie } = await signInAs(alice);
    const statuses = await Promise.all(
      Array.from({ length: 12 }, async (_, i) =>
        (await password.POST(await apiRequest({ cookie }, 'POST', '/api/account/password', { currentPassword: `guess ${i}`, newPassword: 'whatever it is', confirmPassword: 'whatever it is' }))).status,
      ),
    );
    expect(statuses.filter((s) => s === 403)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
  });

  it('a disabled user’s sessions end at once, sockets included', async () => {
    const alice = await createTestUser();
    const session = await signInAs(alice);
    const tab = await openTab(b, alice, session.cookie);
    a.handleRequestsHere();
    const { endedSessionIds } = await setUserDisabled({ userId: alice.id, disabled: true });
    notifySessionsEnded(endedSessionIds);
    await eventually(() => tab.closed.main !== '' && tab.closed.room !== '', 2_000);
    expect(await listRooms(session.cookie)).toBe(401);
    expect(await refusedHandshake(a, session.cookie)).toEqual({ code: 'UNAUTHORIZED' });
    await expect(authenticate({ username: alice.username, password: alice.password, ip: '10.9.9.8' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('the sweep closes sockets whose session ended behind the server’s back (a deleted user, an expired session)', async () => {
    const sweeping = await startTestRealtime({ sessionSweepMs: 100 });
    try {
      const [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
      const [aliceSession, bobSession] = await Promise.all([signInAs(alice), signInAs(bob)]);
      const aliceTab = await openTab(sweeping, alice, aliceSession.cookie);
      const bobTab = await openTab(sweeping, bob, bobSession.cookie);
      await getDb().user.delete({ where: { id: alice.id } });
      await getDb().session.update({ where: { id: bobSession.sessionId }, data: { expiresAt: new Date(Date.now() - 1_000) } });
      await eventually(() => [aliceTab, bobTab].every((t) => t.closed.main !== '' && t.closed.room !== ''), 5_000);
      expect(await listRooms(aliceSession.cookie)).toBe(401);
      expect(await listRooms(bobSession.cookie)).toBe(401);
    } finally {
      await sweeping.close();
    }
  });

  it('the sweep keeps sessions with open sockets alive (their idle expiry slides)', async () => {
    const sweeping = await startTestRealtime({ sessionSweepMs: 100 });
    try {
      const alice = await createTestUser();
      const session = await signInAs(alice);
      const tab = await openTab(sweeping, alice, session.cookie);
      const stale = new Date(Date.now() - 60 * 60 * 1000);
      await getDb().session.update({ where: { id: session.sessionId }, data: { lastSeenAt: stale, expiresAt: new Date(Date.now() + 60_000) } });
      let row = await getDb().session.findUniqueOrThrow({ where: { id: session.sessionId } });
      await eventuallyAsync(async () => {
        row = await getDb().session.findUniqueOrThrow({ where: { id: session.sessionId } });
        return row.lastSeenAt.getTime() > stale.getTime();
      });
      expect(row.lastSeenAt.getTime()).toBeGreaterThan(stale.getTime());
      expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now() + 24 * 60 * 60 * 1000);
      expect(tab.main.connected).toBe(true);
      closeAll(tab.main, tab.roomSocket);
    } finally {
      await sweeping.close();
    }
  });

  it('refuses tokens that name no session: forged ids, tokens from before sessions, expired rows', async () => {
    const alice = await createTestUser();
    const sealed = async (token: Record<string, unknown>) =>
      `authjs.session-token=${await encode({ token, secret: getEnv().AUTH_SECRET, salt: 'authjs.session-token' })}`;
    const claims = { sub: alice.id, name: alice.displayName, username: alice.username };
    expect(await listRooms(await sealed(claims))).toBe(401); // no sid: issued before sessions were revocable
    expect(await listRooms(await sealed({ ...claims, sid: crypto.randomUUID() }))).toBe(401);
    expect(await listRooms(await sealed({ ...claims, sid: 'not-a-uuid' }))).toBe(401);
    const session = await signInAs(alice);
    await getDb().session.update({ where: { id: session.sessionId }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await listRooms(session.cookie)).toBe(401);
    expect(await refusedHandshake(a, session.cookie)).toEqual({ code: 'UNAUTHORIZED' });
  });
});
