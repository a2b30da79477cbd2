'use client';
import Link from 'next/link';
import { useActionState } from 'react';
import { loginAction } from '@/app/(auth)/actions';
import { Field } from './field';
import { initialFormState } from './form-state';
import { FormError, SubmitButton } from '@/components/form-controls';

export function LoginForm({ callbackUrl }: { callbackUrl: string }) {
  const [state, action, pending] = useActionState(loginAction, initialFormState);
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <Field
        label="Username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        defaultValue={state.values?.username}
        error={state.fieldErrors?.username}
        required
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        error={state.fieldErrors?.password}
        required
      />
      <FormError message={state.formError} />
      <SubmitButton busy={pending} label="Sign in" busyLabel="Signing in…" />
      <p className="text-center text-sm text-fg-muted">
        New here?{' '}
        <Link className="text-link hover:underline" href={`/register?callbackUrl=${encodeURIComponent(callbackUrl)}`}>
          Create an account
        </Link>
      </p>
    </form>
  );
}
