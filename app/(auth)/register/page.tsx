import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { redirect } from 'next/navigation';
import { RegisterForm } from '@/components/auth/register-form';
import { currentSession, safeCallbackUrl } from '@/lib/auth';
import { getRegistrationMode } from '@/lib/data/instance';
import { INVITE_TOKEN_PATTERN } from '@/lib/schemas/moderation';

export const metadata: Metadata = { title: 'Create account · Parley' };
export const dynamic = 'force-dynamic';

/** Why there is no form: registration is closed, or by invitation and this visit has none. */
function NoRegistration({ title, children, callbackUrl }: { title: string; children: ReactNode; callbackUrl: string }) {
  return (
    <div className="text-center" data-testid="registration-unavailable">
      <h1 className="mb-3 text-2xl font-semibold text-fg">{title}</h1>
      <p className="text-sm text-fg-muted">{children}</p>
      <p className="mt-6 text-sm text-fg-muted">
        Already have an account?{' '}
        <Link className="text-link underline hover:text-link" href={`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`}>
          Sign in
        </Link>
      </p>
    </div>
  );
}

export default async function RegisterPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  if ((await currentSession())?.user) redirect(callbackUrl);
  const mode = await getRegistrationMode();
  const invite = typeof params.invite === 'string' && INVITE_TOKEN_PATTERN.test(params.invite) ? params.invite : undefined;

  if (mode === 'closed') {
    return (
      <NoRegistration title="Registration is closed" callbackUrl={callbackUrl}>
        This Parley is not taking new accounts. If you should have one, ask its administrator.
      </NoRegistration>
    );
  }
  if (mode === 'invite' && !invite) {
    return (
      <NoRegistration title="You need an invitation" callbackUrl={callbackUrl}>
        {params.invite
          ? 'That invitation link is not complete. Open the link exactly as you received it, or ask for a new one.'
          : 'New accounts on this Parley are by invitation only. Open the invitation link you were sent, or ask its administrator for one.'}
      </NoRegistration>
    );
  }
  return (
    <>
      <h1 className="mb-2 text-center text-2xl font-semibold tracking-tight text-fg">Create your account</h1>
      {mode === 'invite' ? <p className="mb-4 text-center text-sm text-fg-muted">You were invited to join this Parley.</p> : <div className="mb-4" />}
      <RegisterForm callbackUrl={callbackUrl} inviteToken={mode === 'invite' ? invite : undefined} />
    </>
  );
}
