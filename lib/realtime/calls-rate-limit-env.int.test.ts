/** The call:start limit follows RATE_LIMIT_CALLS_PER_MINUTE (docs/protocol.md §7). */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CallJoined } from '../schemas/call';
import { codeOf, directPair, ok, openTab } from '../testing/calls';
import { startTestRealtime, type TestRealtime } from '../testing/realtime';

// Read once, on first use (lib/env.ts); every test file runs in its own process.
vi.stubEnv('RATE_LIMIT_CALLS_PER_MINUTE', '2');

let server: TestRealtime;
beforeAll(async () => {
  server = await startTestRealtime();
});
afterAll(async () => {
  await server.close();
});

describe('call:start limit (configured)', () => {
  it('takes the per-minute budget from the environment', async () => {
    const { alice, roomId } = await directPair();
    const aliceTab = await openTab(server.url, alice);
    // Bob has no tab: each call ends at once (unavailable), so each start is a new call.
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await aliceTab.emit<CallJoined>('call:start', { roomId, kind: 'audio' }));
    expect(answers.map(codeOf)).toEqual(['ok', 'ok', 'RATE_LIMITED']);
    expect(ok(answers[0]!).call.endReason).toBe('unavailable');
    aliceTab.close();
  });
});
