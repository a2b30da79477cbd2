import { describe, expect, it } from 'vitest';
import { isAllowedOrigin } from './handshake';

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
