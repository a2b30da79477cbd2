/**
 * next-auth (Auth.js v5): credentials sign-in with bcrypt, JWT sessions. The config is built lazily so
 * `next build` does not need the secret. Session lookup outside Next (the socket handshake) is in
 * lib/session-token.ts.
 */
import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { redirect } from 'next/navigation';
import { authLogger } from './auth-logger';
import { clientIpFromHeaders } from './client-ip';
import { authenticate } from './data/users';
import { getEnv } from './env';
import { AppError } from './errors';
import { getLogger } from './logger';
import { safeCallbackUrl } from './safe-redirect';
import { loginSchema, type PublicUser } from './schemas/user';
import { SESSION_MAX_AGE_SECONDS } from './session-token';

export { safeCallbackUrl };

declare module 'next-auth' {
  interface User {
    username?: string;
  }
  interface Session {
    user: PublicUser;
  }
}

/** Thrown from authorize(); Auth.js rethrows it to server-side signIn(), where the form reads it. */
export class LoginFailed extends CredentialsSignin {
  override code = 'invalid_credentials';
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
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: '/login' },
    logger: authLogger(log),
    providers: [
      Credentials({
        credentials: { username: { label: 'Username' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, request) {
          const parsed = loginSchema.safeParse({ username: credentials.username, password: credentials.password });
          if (!parsed.success) throw new LoginFailed();
          try {
            const user = await authenticate({ ...parsed.data, ip: clientIpFromHeaders(request.headers) });
            return { id: user.id, name: user.displayName, username: user.username };
          } catch (error) {
            if (error instanceof AppError && error.code === 'RATE_LIMITED') {
              throw new LoginRateLimited(error.extra.retryAfter ?? 60);
            }
            if (error instanceof AppError && error.code === 'UNAUTHORIZED') throw new LoginFailed();
            throw error;
          }
        },
      }),
    ],
    callbacks: {
      /** Auth.js's own redirects (sign-in, sign-out, `callbackUrl`): same-origin paths only. */
      redirect({ url, baseUrl }) {
        return `${baseUrl}${safeCallbackUrl(url, baseUrl)}`;
      },
      jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.name = user.name;
          token.username = user.username;
        }
        return token;
      },
      session({ session, token }) {
        session.user = {
          id: String(token.sub),
          username: String(token.username ?? ''),
          displayName: String(token.name ?? ''),
        } as typeof session.user;
        return session;
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => authConfig());

/** For pages that need a session: the signed-in user, or a redirect to login and back to `returnTo`. */
export async function requireUser(returnTo: string): Promise<PublicUser> {
  const session = await auth();
  if (!session?.user?.id) redirect(`/login?callbackUrl=${encodeURIComponent(safeCallbackUrl(returnTo))}`);
  return session.user;
}
