import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/auth/login-form';
import { currentSession, safeCallbackUrl } from '@/lib/auth';

export const metadata: Metadata = { title: 'Sign in · Parley' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const callbackUrl = safeCallbackUrl((await searchParams).callbackUrl);
  if ((await currentSession())?.user) redirect(callbackUrl);
  return (
    <>
      <h1 className="text-center text-2xl font-semibold tracking-tight text-fg">Sign in to Parley</h1>
      <p className="mb-6 mt-1 text-center text-sm text-fg-muted">Welcome back.</p>
      <LoginForm callbackUrl={callbackUrl} />
    </>
  );
}
