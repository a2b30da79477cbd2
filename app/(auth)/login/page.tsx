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
      <h1 className="mb-6 text-center text-2xl font-semibold text-fg">Sign in to Parley</h1>
      <LoginForm callbackUrl={callbackUrl} />
    </>
  );
}
