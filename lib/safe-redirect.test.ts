import { describe, expect, it } from 'vitest';
import { safeCallbackUrl } from './safe-redirect';

const ORIGIN = 'https://app.example';

/** Where a browser goes when it follows `Location: <result>` from our origin. */
function landsOn(result: string): string {
  return new URL(result, ORIGIN).origin;
}

/** Known open-redirect bypasses (OWASP, PortSwigger and bug-bounty write-ups): each must fall back to `/`. */
const BYPASSES = [
  // other hosts, protocol-relative, extra slashes
  'https://evil.example/',
  'http://evil.example',
  '//evil.example',
  '///evil.example',
  '////evil.example/path',
  '//evil.example/%2F..',
  // backslashes (browsers read `\` as `/` in http(s) URLs)
  '/\\evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  '/\\/evil.example',
  '/\\\\evil.example',
  // whitespace and control characters that browsers drop or that break the Location header
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r/evil.example',
  '/\r\nSet-Cookie: x=1',
  '\t//evil.example',
  ' //evil.example',
  '/\u0000/evil.example',
  '/\u007f/evil.example',
  // paths that normalize to `//host`
  '/.//evil.example',
  '/..//evil.example',
  '/./..//evil.example',
  // schemes, in any case
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'vbscript:msgbox(1)',
  'HTTPS://evil.example',
  'hTtP://evil.example',
  'http:evil.example',
  'http:/evil.example',
  'https:\\\\evil.example',
  // userinfo and look-alike hosts
  'https://app.example@evil.example',
  '//app.example@evil.example',
  'https://app.example.evil.example/',
  'http://evil.example#@app.example',
  'https://app.example:444/settings',
  'http://app.example/settings',
  // unicode: an ideographic full stop is a dot in a host; full-width solidus is not a slash
  '//evil。example',
  '\uff0f\uff0fevil.example',
  // not a path at all
  'settings',
  '?next=//evil.example',
  '',
  'x'.repeat(3000),
];

describe('safeCallbackUrl', () => {
  it('keeps same-site paths with query and fragment', () => {
    expect(safeCallbackUrl('/settings?tab=1')).toBe('/settings?tab=1');
    expect(safeCallbackUrl('/rooms/AbCdEfGh12#latest')).toBe('/rooms/AbCdEfGh12#latest');
    expect(safeCallbackUrl('/')).toBe('/');
  });

  it.each([undefined, null, 42, ['/settings'], { href: '/settings' }])('replaces %j with /', (value) => {
    expect(safeCallbackUrl(value)).toBe('/');
  });

  it.each(BYPASSES)('refuses %j (with and without our origin)', (value) => {
    expect(safeCallbackUrl(value)).toBe('/');
    expect(safeCallbackUrl(value, ORIGIN)).toBe('/');
  });

  it('accepts an absolute URL only on exactly our origin, and only when the caller gives it', () => {
    expect(safeCallbackUrl('https://app.example/settings?x=1', ORIGIN)).toBe('/settings?x=1');
    expect(safeCallbackUrl('HTTPS://APP.example/settings', ORIGIN)).toBe('/settings');
    expect(safeCallbackUrl('https://app.example', ORIGIN)).toBe('/');
    expect(safeCallbackUrl('https://app.example/settings')).toBe('/');
  });

  it('percent-encodes what a header cannot carry, so a redirect to it cannot fail', () => {
    expect(safeCallbackUrl('/rooms/café')).toBe('/rooms/caf%C3%A9');
    expect(safeCallbackUrl('/search?q=a b&x=ü')).toBe('/search?q=a%20b&x=%C3%BC');
    expect(safeCallbackUrl('/\u2028x')).toBe('/%E2%80%A8x');
  });

  it('keeps encoded slashes encoded: they stay a path on our host', () => {
    for (const value of ['/%2F/evil.example', '/%2F%2Fevil.example', '/%5C/evil.example', '/%09/evil.example', '/\uff0f/evil.example']) {
      const result = safeCallbackUrl(value);
      expect(result.startsWith('/') && !result.startsWith('//'), result).toBe(true);
      expect(landsOn(result)).toBe(ORIGIN);
    }
  });

  it('never returns anything that leaves our origin or cannot be a header value (generated corpus)', () => {
    const pieces = ['/', '//', '\\', '\t', '\n', '%2F', '%5C', '.', '..', '@', ':', 'evil.example', 'javascript:', 'é', '。', '#', '?', ' ', 'HTTP:'];
    let checked = 0;
    for (const a of pieces) {
      for (const b of pieces) {
        for (const c of pieces) {
          const result = safeCallbackUrl(`${a}${b}${c}`, ORIGIN);
          expect(result.startsWith('/') && !result.startsWith('//'), JSON.stringify([a, b, c, result])).toBe(true);
          expect(landsOn(result)).toBe(ORIGIN);
          expect(result).toMatch(/^[\x21-\x7e]+$/);
          checked += 1;
        }
      }
    }
    expect(checked).toBe(pieces.length ** 3);
  });
});
