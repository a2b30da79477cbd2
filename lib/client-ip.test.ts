import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { addressKey, resolveClientIp } from './client-ip';

function request(forwardedFor: string | string[] | undefined, peer = '10.0.0.5'): IncomingMessage {
  return { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }, socket: { remoteAddress: peer } } as unknown as IncomingMessage;
}

describe('resolveClientIp', () => {
  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(resolveClientIp(request('198.51.100.1'), 0)).toBe('10.0.0.5');
    expect(resolveClientIp(request(undefined, '::ffff:192.0.2.4'), 0)).toBe('192.0.2.4');
  });

  it('takes the entry the trusted proxies added, never what the client wrote before it', () => {
    // A platform router appends the peer it saw to whatever the client sent.
    expect(resolveClientIp(request('6.6.6.6, 203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(resolveClientIp(request(['6.6.6.6', '203.0.113.7']), 1)).toBe('203.0.113.7');
    // A CDN in front of the platform: two proxies, each appending.
    expect(resolveClientIp(request('6.6.6.6, 203.0.113.7, 198.51.100.20'), 2)).toBe('203.0.113.7');
    // One proxy that replaces the header (deploy/nginx): the only entry.
    expect(resolveClientIp(request('203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(resolveClientIp(request('203.0.113.7'), 2)).toBe('203.0.113.7');
    expect(resolveClientIp(request(' , '), 1)).toBe('10.0.0.5');
  });
});

describe('addressKey', () => {
  it('keeps IPv4 addresses whole', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey(null)).toBe('unknown');
  });

  it('groups IPv6 addresses by their /64, however they are written', () => {
    const key = '2001:db8:aa:1::/64';
    expect(addressKey('2001:db8:aa:1::1')).toBe(key);
    expect(addressKey('2001:0db8:00aa:0001:ffff:1:2:3')).toBe(key);
    expect(addressKey('2001:DB8:AA:1:0:0:0:9')).toBe(key);
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('2001:db8:aa:2::1')).not.toBe(key);
  });
});
