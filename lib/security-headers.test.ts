import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { applySecurityHeaders, contentSecurityPolicy, securityHeaders } from './security-headers';

describe('securityHeaders', () => {
  it('sends a nonce-based strict CSP, no eval and no inline code in production', () => {
    const csp = contentSecurityPolicy({ nonce: 'abc123==', dev: false, https: false });
    expect(csp).toContain("script-src 'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline/);
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(contentSecurityPolicy({ nonce: 'n', dev: true, https: false })).toContain("'strict-dynamic' 'unsafe-eval'");
  });

  it('lets our own service worker and manifest load (worker-src would otherwise fall back to strict-dynamic script-src)', () => {
    const csp = contentSecurityPolicy({ nonce: 'n', dev: false, https: false });
    expect(csp).toContain("worker-src 'self'");
    expect(csp).toContain("manifest-src 'self'");
  });

  it('adds HSTS and upgrade-insecure-requests only over https', () => {
    const plain = securityHeaders({ nonce: 'n', dev: false, https: false });
    const tls = securityHeaders({ nonce: 'n', dev: false, https: true });
    expect(plain['Strict-Transport-Security']).toBeUndefined();
    expect(tls['Strict-Transport-Security']).toBe('max-age=31536000; includeSubDomains');
    expect(tls['Content-Security-Policy']).toContain('upgrade-insecure-requests');
    expect(plain).toMatchObject({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    expect(plain['Permissions-Policy']).toContain('geolocation=()');
    // Voice messages and calls record in Parley's own page; nothing it embeds may.
    expect(plain['Permissions-Policy']).toContain('microphone=(self)');
    expect(plain['Permissions-Policy']).toContain('camera=(self)');
    expect(plain['Permissions-Policy']).toContain('display-capture=(self)');
  });
});

describe('applySecurityHeaders', () => {
  it('puts the policy on the response and, for Next to read the nonce, on the request, replacing what a client sent', () => {
    const req = { headers: { 'content-security-policy': "script-src 'nonce-chosen-by-attacker'", 'content-security-policy-report-only': 'x' } } as unknown as IncomingMessage;
    const set = new Map<string, string>();
    const res = { setHeader: (name: string, value: string) => set.set(name, value) } as unknown as ServerResponse;
    applySecurityHeaders(req, res, { dev: false, https: false });
    const policy = set.get('Content-Security-Policy');
    expect(req.headers['content-security-policy']).toBe(policy);
    expect(req.headers['content-security-policy-report-only']).toBeUndefined();
    expect(policy).toMatch(/'nonce-[A-Za-z0-9+/]{22}=='/);
    expect(policy).not.toContain('attacker');
    expect(set.get('X-Content-Type-Options')).toBe('nosniff');

    const again = new Map<string, string>();
    applySecurityHeaders(req, { setHeader: (n: string, v: string) => again.set(n, v) } as unknown as ServerResponse, { dev: false, https: false });
    expect(again.get('Content-Security-Policy')).not.toBe(policy); // a fresh nonce per request
  });
});
