/**
 * next-auth (Auth.js v5): credentials sign-in with bcrypt, JWT sessions. The config is built lazily so
 * `next build` does not need the secret. Session lookup outside Next (the socket handshake) is in
 * lib/session-token.ts.
 */
import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { authLogger } from './auth-logger';
import { clientIpFromHeaders } from './client-ip';
import { createSession, endSession, sessionMaxAgeSeconds, validateSession } from './data/sessions';
import { authenticate } from './data/users';
import { getEnv } from './env';
import { AppError, toAppError } from './errors';
import { getLogger } from './logger';
import { safeCallbackUrl } from './safe-redirect';
import { notifySessionsEnded } from './realtime/notify';
import { loginSchema, type PublicUser } from './schemas/user';

export { safeCallbackUrl };

declare module 'next-auth' {
  interface User {
    username?: string;
    /** The session row created at sign-in (lib/data/sessions.ts); sealed into the token as `sid`. */
    sessionId?: string;
  }
  interface Session {
    user: PublicUser;
  }
}

/** Thrown from authorize(); Auth.js rethrows it to server-side signIn(), where the form reads it. */
export class LoginFailed extends CredentialsSignin {
  override code = 'invalid_credentials';
}

/** The server could not check the password now (hashing pool full, database unreachable): try again shortly. */
export class LoginUnavailable extends CredentialsSignin {
  override code = 'unavailable';
}

export class LoginRateLimited extends CredentialsSignin {
  override code = 'rate_limited';
  constructor(readonly retryAfter: number) {
    super();
  }
}

function authConfig(): NextAuthConfig {
  const env = getEnv();
  const log = getLogger().child({ component: 'auth' });
  return {
    secret: env.AUTH_SECRET,
    trustHost: true,
    // The token only points at a session row, which decides (and ends) the session; the token's own
    // lifetime is the absolute one, so it never outlives what the row allows.
    session: { strategy: 'jwt', maxAge: sessionMaxAgeSeconds() },
    pages: { signIn: '/login' },
    logger: authLogger(log),
    providers: [
      Credentials({
        credentials: { username: { label: 'Username' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, request) {
          const parsed = loginSchema.safeParse({ username: credentials.username, password: credentials.password });
          if (!parsed.success) throw new LoginFailed();
          try {
            const ip = clientIpFromHeaders(request.headers);
            const user = await authenticate({ ...parsed.data, ip });
            const sessionId = await createSession({ userId: user.id, ip, userAgent: request.headers.get('user-agent') });
            return { id: user.id, name: user.displayName, username: user.username, sessionId };
          } catch (error) {
            if (error instanceof AppError && error.code === 'RATE_LIMITED') {
              throw new LoginRateLimited(error.extra.retryAfter ?? 60);
            }
            if (error instanceof AppError && error.code === 'UNAUTHORIZED') throw new LoginFailed();
            if (toAppError(error)?.code === 'UNAVAILABLE') throw new LoginUnavailable();
            throw error;
          }
        },
      }),
    ],
    events: {
      // Signing out ends the session itself, not only this browser's cookie: a copied token dies too.
      async signOut(message) {
        const sessionId = 'token' in message ? message.token?.sid : undefined;
        if (typeof sessionId === 'string') notifySessionsEnded(await endSession(sessionId));
      },
    },
    callbacks: {
      /** Auth.js's own redirects (sign-in, sign-out, `callbackUrl`): same-origin paths only. */
      redirect({ url, baseUrl }) {
        return `${baseUrl}${safeCallbackUrl(url, baseUrl)}`;
      },
      async jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.name = user.name;
          token.username = user.username;
          token.sid = user.sessionId;
          return token;
        }
        // Every later use (pages, /api/auth/session) asks whether the session still counts; null makes
        // Auth.js treat the request as signed out and clear the cookie.
        const session = typeof token.sid === 'string' ? await validateSession(token.sid) : null;
        if (!session || session.user.id !== token.sub) return null;
        token.name = session.user.displayName;
        token.username = session.user.username;
        token.avatar = session.user.avatar ?? null;
        return token;
      },
      session({ session, token }) {
        session.user = {
          id: String(token.sub),
          username: String(token.username ?? ''),
          displayName: String(token.name ?? ''),
          avatar: typeof token.avatar === 'string' ? token.avatar : null,
        } as typeof session.user;
        return session;
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => authConfig());

/**
 * The signed-in user of this render, or null. Checking the session costs a query (the jwt callback), and
 * a page and its layout both ask: React's cache makes it once per request.
 */
export const currentSession = cache(() => auth());

/** For pages that need a session: the signed-in user, or a redirect to login and back to `returnTo`. */
export async function requireUser(returnTo: string): Promise<PublicUser> {
  const session = await currentSession();
  if (!session?.user?.id) redirect(`/login?callbackUrl=${encodeURIComponent(safeCallbackUrl(returnTo))}`);
  return session.user;
}
