/**
 * apiFetch asks a room read refused as too fast (RATE_LIMITED, short Retry-After) once more after the wait, and
 * nothing else: not a change, not a read left to its caller (search says "searching again" itself). The
 * browser's fetch is stood in for: what is under test is what the client does with the server's documented
 * answers (docs/protocol.md §3 errors, §7 limits).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, apiFetch, READ_RETRY_MAX_WAIT_S, roomsApi } from './api-client';

const tooFast = (retryAfter: number) =>
  Response.json(
    { error: { code: 'RATE_LIMITED', message: `You are making requests too fast. Wait ${retryAfter} seconds.`, retryAfter } },
    { status: 429, headers: { 'retry-after': String(retryAfter) } },
  );

let answers: Response[];
let calls: { path: string; method: string }[];

beforeEach(() => {
  vi.useFakeTimers();
  answers = [];
  calls = [];
  vi.stubGlobal('fetch', (path: string, init: RequestInit) => {
    calls.push({ path, method: init.method ?? 'GET' });
    const next = answers.shift();
    return next ? Promise.resolve(next) : Promise.reject(new Error('no answer queued'));
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('apiFetch and RATE_LIMITED', () => {
  it('asks a room read again once, after the wait the server named', async () => {
    answers.push(tooFast(2), Response.json({ messages: [] }));
    let result: unknown;
    void roomsApi.history('r1', { before: 10 }).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(1_900);
    expect(calls).toHaveLength(1); // not before the wait is over
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toHaveLength(2);
    expect(result).toEqual({ messages: [] });
    expect(calls.map((c) => c.path)).toEqual(['/api/rooms/r1/messages?before=10', '/api/rooms/r1/messages?before=10']);
  });

  it('gives up after the second refusal, with the server’s error', async () => {
    answers.push(tooFast(1), tooFast(1));
    const outcome = roomsApi.get('r1').catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('RATE_LIMITED');
    expect((error as ApiError).body.retryAfter).toBe(1);
    expect(calls).toHaveLength(2);
  });

  it(`does not wait longer than ${READ_RETRY_MAX_WAIT_S} s, nor for reads not marked, and never repeats a change`, async () => {
    answers.push(tooFast(READ_RETRY_MAX_WAIT_S + 1));
    await expect(roomsApi.members('r1')).rejects.toMatchObject({ status: 429 });
    answers.push(tooFast(1));
    await expect(apiFetch('/api/search?q=x')).rejects.toMatchObject({ status: 429 });
    answers.push(tooFast(1));
    await expect(apiFetch('/api/rooms', { method: 'POST', body: { name: 'x' }, readAgainIfLimited: true })).rejects.toMatchObject({ status: 429 });
    expect(calls.map((c) => c.method)).toEqual(['GET', 'GET', 'POST']);
  });

  it('stops waiting when the caller aborts', async () => {
    answers.push(tooFast(3));
    const controller = new AbortController();
    const outcome = apiFetch('/api/rooms/r/messages', { signal: controller.signal, readAgainIfLimited: true }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(500);
    controller.abort();
    const error = await outcome;
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toHaveLength(1);
  });
});
