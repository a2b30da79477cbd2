import { describe, expect, it } from 'vitest';
import type { Env } from '../env';
import type { Logger } from '../logger';
import { createHandshakeMiddleware, HandshakeError, isAllowedOrigin } from './handshake';
import type { SessionGuard } from './session-guard';

describe('isAllowedOrigin', () => {
  it('allows the server’s own origin as addressed by Host', () => {
    expect(isAllowedOrigin('http://localhost:3000', 'localhost:3000', [])).toBe(true);
    expect(isAllowedOrigin('https://chat.example.com', 'chat.example.com', [])).toBe(true);
  });

  it('refuses other sites, other ports and garbage', () => {
    expect(isAllowedOrigin('https://evil.example', 'localhost:3000', [])).toBe(false);
    expect(isAllowedOrigin('http://localhost:3001', 'localhost:3000', [])).toBe(false);
    expect(isAllowedOrigin('null', 'localhost:3000', [])).toBe(false);
  });

  it('allows configured extra origins', () => {
    expect(isAllowedOrigin('http://localhost:5173', 'localhost:3000', ['http://localhost:5173'])).toBe(true);
  });

  it('allows clients that send no Origin (not browsers)', () => {
    expect(isAllowedOrigin(undefined, 'localhost:3000', [])).toBe(true);
  });
});

describe('createHandshakeMiddleware', () => {
  it('answers a connection that closed while it waited in line quietly, not as a refused origin', async () => {
    const warnings: string[] = [];
    const log = { warn: (_: unknown, msg: string) => warnings.push(msg), info: () => undefined, error: () => undefined } as unknown as Logger;
    const env = { TRUST_PROXY: 0, ALLOWED_ORIGINS: [], AUTH_SECRET: 'x'.repeat(32) } as unknown as Env;
    const handshake = createHandshakeMiddleware({ env, log, sessions: {} as SessionGuard });
    const request = { headers: { host: 'localhost:3000' }, socket: { remoteAddress: '127.0.0.1' } };
    const socket = { conn: { readyState: 'closed', request }, nsp: { name: '/' }, data: {} };
    const errors: (Error | undefined)[] = [];
    await handshake(socket as unknown as Parameters<typeof handshake>[0], (err) => errors.push(err));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(HandshakeError);
    expect((errors[0] as HandshakeError).data.code).toBe('UNAVAILABLE');
    expect(warnings).toEqual([]);
  });
});
