/**
 * Auth.js's logger. Requests cause most of what Auth.js reports — a garbage or expired session cookie, a
 * missing CSRF token, a callback URL that is not http(s), a client hanging up mid-request — and those are
 * the client's mistakes, not ours: one short warning per kind and minute (with how many were held back), no
 * stack. Failed sign-ins are audited elsewhere and not logged here. Anything else stays an error with its
 * stack.
 */
import { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import { createLogThrottle, type LogThrottle } from './log-throttle';
import type { Logger } from './logger';

/** Auth.js error types (`error.type`, stable under minification) that a request causes, and a hang-up. */
export const CLIENT_MISTAKES: ReadonlySet<string> = new Set(['JWTSessionError', 'MissingCSRF', 'UnknownAction', 'InvalidCallbackUrl', 'InvalidCheck', 'RequestAborted']);

const globalForAuthLog = globalThis as unknown as { parleyAuthLogThrottle?: LogThrottle };

/** One throttle per process: Next may load lib/auth in more than one bundle. */
function processThrottle(): LogThrottle {
  globalForAuthLog.parleyAuthLogThrottle ??= createLogThrottle();
  return globalForAuthLog.parleyAuthLogThrottle;
}

/** Auth.js's message without its documentation link, and short (it may quote request data). */
function briefly(message: string): string {
  return message.replace(/\.? ?Read more at https:\/\/errors\.authjs\.dev\S*/, '').slice(0, 200);
}

type AuthLogger = Pick<Required<NonNullable<NextAuthConfig['logger']>>, 'error' | 'warn'>;

/** The client hung up while Auth.js read its request (Node's `aborted`, or a fetch AbortError). */
function isClientAbort(error: Error): boolean {
  return (error as { code?: unknown }).code === 'ECONNRESET' || error.name === 'AbortError';
}

export function authLogger(log: Logger, throttle: LogThrottle = processThrottle()): AuthLogger {
  return {
    error(error) {
      if (error instanceof CredentialsSignin) return;
      const kind = isClientAbort(error) ? 'RequestAborted' : (error as { type?: unknown }).type;
      if (typeof kind === 'string' && CLIENT_MISTAKES.has(kind)) {
        const allowed = throttle.take(kind);
        if (allowed) log.warn({ kind, detail: briefly(error.message), suppressed: allowed.suppressed }, 'auth: request refused');
        return;
      }
      log.error({ err: error }, 'auth error');
    },
    warn(code) {
      const allowed = throttle.take(`warn:${code}`);
      if (allowed) log.warn({ code, suppressed: allowed.suppressed }, 'auth warning');
    },
  };
}
