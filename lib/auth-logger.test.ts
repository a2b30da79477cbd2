import { Writable } from 'node:stream';
import { CredentialsSignin } from 'next-auth';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { authLogger } from './auth-logger';
import { createLogThrottle } from './log-throttle';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: authLogger(pino({ level: 'debug' }, sink), createLogThrottle()) };
}

describe('authLogger', () => {
  it('keeps errors the server causes as errors with their stack, every time', () => {
    const { lines, logger } = capture();
    logger.error(Object.assign(new Error('database exploded'), { type: 'CallbackRouteError' }));
    logger.error(Object.assign(new Error('database exploded'), { type: 'CallbackRouteError' }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'auth error', err: { message: 'database exploded' } });
    expect(String((lines[0]?.err as { stack?: string }).stack)).toContain('database exploded');
  });

  it('says nothing about failed sign-ins (they are audited) and throttles Auth.js warnings by code', () => {
    const { lines, logger } = capture();
    logger.error(new CredentialsSignin());
    logger.warn('debug-enabled');
    logger.warn('debug-enabled');
    expect(lines).toEqual([expect.objectContaining({ level: 40, code: 'debug-enabled', suppressed: 0 })]);
  });

  it('counts a client that hung up mid-request as a client mistake', () => {
    const { lines, logger } = capture();
    logger.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    logger.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    expect(lines).toEqual([expect.objectContaining({ level: 40, kind: 'RequestAborted', suppressed: 0 })]);
  });

  it('shortens a client mistake to its kind and the gist of its message', () => {
    const { lines, logger } = capture();
    logger.error(Object.assign(new Error(`Cannot parse action at /api/auth/${'x'.repeat(500)}. Read more at https://errors.authjs.dev#unknownaction`), { type: 'UnknownAction' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, kind: 'UnknownAction', suppressed: 0 });
    expect(String(lines[0]?.detail)).toMatch(/^Cannot parse action at \/api\/auth\/x+$/);
    expect(String(lines[0]?.detail).length).toBe(200);
    expect(lines[0]).not.toHaveProperty('err');
  });
});
