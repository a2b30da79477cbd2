/**
 * Post-login destinations (`callbackUrl`) come from the query string, so they are attacker-chosen. The only
 * safe reading is the browser's own: parse with the WHATWG URL parser (what browsers apply to a `Location`
 * header) against our origin, keep the result only if it stays on that origin, and hand back a path that
 * reads the same way again (no leading `//`, nothing a header cannot carry).
 */

/** Stands in for the app's origin when only relative paths are acceptable (pages, server actions). */
const PLACEHOLDER_ORIGIN = 'http://parley.invalid';
const MAX_LENGTH = 2048;
/** Never in a URL we produce; browsers drop or reinterpret them (`/\t/evil` → `//evil`, `\` → `/`). */
const SUSPICIOUS = /[\u0000-\u001f\u007f\\]/;

/**
 * A same-origin path (`/…` with query and fragment, percent-encoded, ASCII only) for `value`, or `/` when
 * `value` is not a path on this site. Accepted: a string starting with a single `/`, or — when `origin` is
 * given — an absolute URL on exactly that origin. Refused: other hosts and schemes, protocol-relative
 * `//host`, anything with control characters or backslashes, and paths that normalize to `//host`.
 */
export function safeCallbackUrl(value: unknown, origin?: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH || SUSPICIOUS.test(value)) return '/';
  let base: URL;
  let target: URL;
  try {
    base = new URL(origin ?? PLACEHOLDER_ORIGIN);
    target = new URL(value, base);
  } catch {
    return '/';
  }
  // Not a path: only an absolute URL, and only where the caller knows our origin (Auth.js's callbacks).
  if (!value.startsWith('/') && (origin === undefined || !URL.canParse(value))) return '/';
  if (target.origin !== base.origin) return '/';
  const path = `${target.pathname}${target.search}${target.hash}`;
  // `/.//evil` normalizes to the path `//evil`, which a browser would read as another host.
  if (!path.startsWith('/') || path.startsWith('//')) return '/';
  return new URL(path, base).origin === base.origin ? path : '/';
}
