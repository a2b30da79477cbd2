import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { RegisterForm } from '@/components/auth/register-form';
import { currentSession, safeCallbackUrl } from '@/lib/auth';

export const metadata: Metadata = { title: 'Create account · Parley' };

export default async function RegisterPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const callbackUrl = safeCallbackUrl((await searchParams).callbackUrl);
  if ((await currentSession())?.user) redirect(callbackUrl);
  return (
    <>
      <h1 className="mb-6 text-center text-2xl font-semibold text-slate-900">Create your account</h1>
      <RegisterForm callbackUrl={callbackUrl} />
    </>
  );
}
