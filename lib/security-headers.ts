/**
 * Response headers that tell browsers how to treat everything Parley serves — pages, API answers, errors and
 * static files alike — set once per request in server.ts. The Content-Security-Policy follows Next 16's
 * nonce guide: a fresh nonce per request in the request's own `Content-Security-Policy` header, which Next
 * reads while rendering and puts on its scripts; `'strict-dynamic'` lets those scripts load Next's chunks.
 * Every page is rendered per request for this (app/layout.tsx).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SecurityHeaderOptions {
  /** Per-request CSP nonce (base64). */
  nonce: string;
  /** `next dev`: React's dev build needs eval for its error overlays; production never does. */
  dev: boolean;
  /** Served over https (directly or behind a trusted proxy): adds HSTS and upgrade-insecure-requests. */
  https: boolean;
}

/** One year, subdomains included (OWASP ASVS 14.4.5). No `preload`: that is the domain owner's choice. */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Browser features Parley does not use, denied to the page and to anything it might embed. Microphone,
 * camera and screen capture are Parley's own page only (voice messages, calls, screen sharing).
 */
const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'browsing-topics=()',
  'camera=(self)',
  'display-capture=(self)',
  'geolocation=()',
  'gyroscope=()',
  'hid=()',
  'magnetometer=()',
  'microphone=(self)',
  'midi=()',
  'payment=()',
  'serial=()',
  'usb=()',
].join(', ');

export function contentSecurityPolicy({ nonce, dev, https }: SecurityHeaderOptions): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    // blob: plays a voice message back before it is sent; the rest is our own /api/files.
    "media-src 'self' blob:",
    "font-src 'self'",
    // 'self' covers the same-origin WebSocket (ws:/wss:) of Socket.IO and of next dev's HMR (CSP Level 3).
    "connect-src 'self'",
    // public/sw.js (the offline page). Without this, worker-src falls back to script-src, whose 'strict-dynamic'
    // ignores 'self', and registering the worker fails.
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (https) directives.push('upgrade-insecure-requests');
  return directives.join('; ');
}

/** The full header set for one response. */
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    // For browsers without CSP frame-ancestors.
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Permissions-Policy': PERMISSIONS_POLICY,
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  if (options.https) headers['Strict-Transport-Security'] = HSTS;
  return headers;
}

/**
 * Sets the headers on `res` before Next handles the request, and the policy (with its nonce) on the request
 * for Next to read. Whatever CSP header a client sent is replaced, so nobody else chooses the nonce.
 */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, options: Omit<SecurityHeaderOptions, 'nonce'>): void {
  const headers = securityHeaders({ ...options, nonce: randomBytes(16).toString('base64') });
  req.headers['content-security-policy'] = headers['Content-Security-Policy'];
  delete req.headers['content-security-policy-report-only'];
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}
