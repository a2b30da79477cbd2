/**
 * How session rows are written: a sign-in commits synchronously (the cookie must not outlive its row), a
 * touch — the sliding idle expiry, at most every 5 minutes per session — asynchronously (lib/data/async-commit.ts).
 */
import { describe, expect, it } from 'vitest';
import { getDb } from '../db';
import { recordCommitModes, synchronousCommitNow } from '../testing/commit-modes';
import { createTestUser } from '../testing/realtime';
import { createSession, endedSessions, validateSession } from './sessions';

/** Makes the session's last use old enough for its next use to be written. */
async function makeStale(sessionId: string): Promise<void> {
  await getDb().session.update({ where: { id: sessionId }, data: { lastSeenAt: new Date(Date.now() - 60 * 60 * 1000) } });
}

describe('session writes', () => {
  it('signs in with a synchronous commit and touches with an asynchronous one, without leaking it to the pool', async () => {
    const user = await createTestUser();
    const when = `NEW.user_id = '${user.id}'`;
    let sessionId = '';
    const signIn = await recordCommitModes({ table: 'sessions', event: 'INSERT', when }, async () => {
      sessionId = await createSession({ userId: user.id, ip: null, userAgent: null });
    });
    expect(signIn).toEqual(['on']);

    await makeStale(sessionId);
    const touches = await recordCommitModes({ table: 'sessions', event: 'UPDATE', when }, async () => {
      expect((await validateSession(sessionId))?.user.id).toBe(user.id);
      expect(await validateSession(sessionId)).not.toBeNull(); // used again at once: nothing to write
      await makeStale(sessionId);
      expect(await endedSessions([sessionId])).toEqual([]);
    });
    // validateSession's touch, makeStale's own update (a plain statement), endedSessions' touch.
    expect(touches).toEqual(['off', 'on', 'off']);
    for (let i = 0; i < 5; i += 1) expect(await synchronousCommitNow()).toBe('on');
  });
});
