import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossOriginRefusal, refuseCrossOriginStateChange } from './origin-guard';

const HOST = 'chat.example.com';

function request(method: string, path: string, headers: Record<string, string> = {}) {
  // Next hands route code a URL built from the bind address, whatever the Host header says.
  return { method, url: `http://0.0.0.0:3000${path}`, headers: new Headers({ host: HOST, 'x-forwarded-host': HOST, ...headers }) };
}

const json = { 'content-type': 'application/json' };
const refusal = (method: string, path: string, headers: Record<string, string> = {}) => crossOriginRefusal(request(method, path, headers))?.code ?? null;

describe('crossOriginRefusal', () => {
  it('never refuses reads', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get']) {
      expect(refusal(method, '/rooms/AbCdEfGh12', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).toBeNull();
    }
  });

  it('lets non-browser clients (no Origin, no Sec-Fetch-Site) through', () => {
    expect(refusal('POST', '/api/rooms', json)).toBeNull();
    expect(refusal('DELETE', '/api/rooms/AbCdEfGh12', json)).toBeNull();
    expect(refusal('POST', '/api/auth/callback/credentials', { 'content-type': 'application/x-www-form-urlencoded' })).toBeNull();
  });

  it('lets our own pages through, by Host or by the public host server.ts forwarded', () => {
    expect(refusal('POST', '/api/rooms/AbCdEfGh12/leave', { ...json, origin: `https://${HOST}`, 'sec-fetch-site': 'same-origin' })).toBeNull();
    // A proxy that sends Host: parley:3000 upstream; the public host arrives in X-Forwarded-Host.
    expect(refusal('POST', '/api/rooms', { ...json, host: 'parley:3000', origin: `https://${HOST}` })).toBeNull();
    // Our scheme is not always known (a TLS proxy without TRUST_PROXY): hosts are compared, as Go's CrossOriginProtection does.
    expect(refusal('POST', '/api/rooms', { ...json, origin: `http://${HOST}` })).toBeNull();
    expect(refusal('POST', '/api/rooms', { ...json, 'sec-fetch-site': 'none' })).toBeNull();
  });

  it.each([
    ['another site', { origin: 'https://evil.example' }],
    ['a sibling subdomain', { origin: 'https://files.example.com', 'sec-fetch-site': 'same-site' }],
    ['another port of our host', { origin: `https://${HOST}:8443` }],
    ['a look-alike host', { origin: `https://${HOST}.evil.example` }],
    ['an opaque origin', { origin: 'null' }],
    ['a non-web origin', { origin: 'file://' }],
    ['a garbage origin', { origin: 'not a url' }],
    ['Sec-Fetch-Site cross-site without Origin', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site without Origin', { 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site same-site with our Origin', { origin: `https://${HOST}`, 'sec-fetch-site': 'same-site' }],
    ['our Sec-Fetch-Site with a foreign Origin', { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }],
  ])('refuses a state change from %s with 403', (_name, headers) => {
    for (const path of ['/api/rooms', '/api/rooms/AbCdEfGh12/join', '/api/auth/callback/credentials', '/api/auth/signout', '/login', '/']) {
      expect(refusal('POST', path, { ...json, ...headers }), path).toBe('FORBIDDEN');
    }
    expect(refusal('DELETE', '/api/rooms/AbCdEfGh12', { ...json, ...headers })).toBe('FORBIDDEN');
  });

  it('takes REST state changes as JSON only, also without a body, so a form can never post one', () => {
    for (const type of [undefined, 'text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'application/json-patch']) {
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      expect(refusal('POST', '/api/rooms/AbCdEfGh12/join', headers), String(type)).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(refusal('POST', '/api/rooms/AbCdEfGh12/leave', headers), String(type)).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(refusal('DELETE', '/api/rooms/AbCdEfGh12', headers), String(type)).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON']) {
      expect(refusal('POST', '/api/rooms/AbCdEfGh12/leave', { 'content-type': type })).toBeNull();
    }
    // Path tricks are normalized before the check.
    expect(refusal('POST', '/api/auth/../rooms/AbCdEfGh12/leave', { 'content-type': 'text/plain' })).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('leaves Auth.js endpoints and server actions their own content types', () => {
    expect(refusal('POST', '/api/auth/signout', { 'content-type': 'application/x-www-form-urlencoded', origin: `https://${HOST}` })).toBeNull();
    expect(refusal('POST', '/login', { 'content-type': 'text/plain;charset=UTF-8', origin: `https://${HOST}`, 'sec-fetch-site': 'same-origin' })).toBeNull();
  });
});

describe('refuseCrossOriginStateChange (server.ts)', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (refuseCrossOriginStateChange(req, res)) return;
      res.writeHead(200).end('passed on');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers a refused request itself, in the documented error shape, and passes the rest on', async () => {
    const refused = await fetch(`${base}/api/rooms/AbCdEfGh12/join`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x=1',
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toBe('application/json');
    expect(await refused.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'Cross-origin requests cannot change anything here.' } });

    const unsupported = await fetch(`${base}/api/rooms/AbCdEfGh12/leave`, { method: 'POST' });
    expect(unsupported.status).toBe(415);
    expect(((await unsupported.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const own = await fetch(`${base}/api/rooms`, { method: 'POST', headers: { ...json, origin: base }, body: '{}' });
    expect(await own.text()).toBe('passed on');
    expect(await (await fetch(`${base}/rooms/AbCdEfGh12`, { headers: { origin: 'https://evil.example' } })).text()).toBe('passed on');
  });
});
