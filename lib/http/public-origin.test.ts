import type { IncomingMessage } from 'node:http';
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { normalizeHost, publicOrigin, resolveForwarded, setForwardedHeaders } from './public-origin';
import { atPublicOrigin } from './public-request';

function incoming(headers: Record<string, string | string[]>, encrypted = false): IncomingMessage {
  return { headers, socket: encrypted ? { encrypted: true } : {} } as unknown as IncomingMessage;
}

const forwardedByProxy = { host: '127.0.0.1:3001', 'x-forwarded-host': 'chat.example.com', 'x-forwarded-proto': 'https' };

describe('resolveForwarded', () => {
  it('without a proxy: this connection, whatever forwarded headers a client made up', () => {
    expect(resolveForwarded(incoming(forwardedByProxy), { trustProxy: 0 })).toEqual({ host: '127.0.0.1:3001', proto: 'http' });
    expect(resolveForwarded(incoming({ host: 'chat.example.com' }, true), { trustProxy: 0 })).toEqual({ host: 'chat.example.com', proto: 'https' });
  });

  it('behind a trusted proxy: its X-Forwarded-Host / -Proto (the first of a list), else the connection', () => {
    expect(resolveForwarded(incoming(forwardedByProxy), { trustProxy: 1 })).toEqual({ host: 'chat.example.com', proto: 'https' });
    expect(
      resolveForwarded(incoming({ host: 'a:1', 'x-forwarded-host': 'Chat.Example.com:8443, inner', 'x-forwarded-proto': 'HTTPS,http' }), { trustProxy: 1 }),
    ).toEqual({ host: 'chat.example.com:8443', proto: 'https' });
    expect(resolveForwarded(incoming({ host: 'a:1', 'x-forwarded-host': 'evil/path', 'x-forwarded-proto': 'gopher' }), { trustProxy: 1 })).toEqual({
      host: 'a:1',
      proto: 'http',
    });
  });

  it('PUBLIC_URL wins over everything a request says', () => {
    expect(resolveForwarded(incoming(forwardedByProxy), { trustProxy: 1, publicUrl: 'https://parley.example.org' })).toEqual({
      host: 'parley.example.org',
      proto: 'https',
    });
    expect(resolveForwarded(incoming({ host: 'x' }), { trustProxy: 0, publicUrl: 'http://localhost:8080' })).toEqual({ host: 'localhost:8080', proto: 'http' });
  });

  it('never passes on a Host that is not a plain host', () => {
    expect(normalizeHost('evil.example/@x')).toBeUndefined();
    expect(normalizeHost('user@evil.example')).toBeUndefined();
    expect(normalizeHost('[::1]:3000')).toBe('[::1]:3000');
    expect(resolveForwarded(incoming({ host: 'a b' }), { trustProxy: 0 })).toEqual({ host: 'localhost', proto: 'http' });
  });
});

describe('setForwardedHeaders + publicOrigin', () => {
  it('hands the resolved origin to the app through the forwarded headers', () => {
    const req = incoming({ ...forwardedByProxy });
    setForwardedHeaders(req, { trustProxy: 1 });
    const headers = new Headers(req.headers as Record<string, string>);
    expect(publicOrigin(headers)).toBe('https://chat.example.com');
  });
});

describe('atPublicOrigin', () => {
  it('re-addresses a request from the bind address to the public origin, keeping path, query, method and body', async () => {
    const original = new NextRequest('http://0.0.0.0:3000/api/auth/signout?x=1', {
      method: 'POST',
      headers: { host: '0.0.0.0:3000', 'x-forwarded-host': 'chat.example.com', 'x-forwarded-proto': 'https', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'csrfToken=abc',
    });
    const moved = atPublicOrigin(original);
    expect(moved.url).toBe('https://chat.example.com/api/auth/signout?x=1');
    expect(moved.method).toBe('POST');
    expect(moved.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(await moved.text()).toBe('csrfToken=abc');
  });

  it('keeps a loopback address as it is (a NextRequest would make it localhost, another origin)', () => {
    const original = new NextRequest('http://0.0.0.0:3000/api/auth/csrf', { headers: { host: '127.0.0.1:3000', 'x-forwarded-host': '127.0.0.1:3000' } });
    expect(atPublicOrigin(original).url).toBe('http://127.0.0.1:3000/api/auth/csrf');
  });
});
