'use client';
import Link from 'next/link';
import { loginAction } from '@/app/(auth)/actions';
import { Field } from '@/components/ui/input';
import { FormError, SubmitButton } from '@/components/form-controls';
import { useServerForm } from './use-server-form';

export function LoginForm({ callbackUrl }: { callbackUrl: string }) {
  const { state, action, pending, onSubmit, onEdit, fieldErrors, formError } = useServerForm(loginAction);
  return (
    <form
      action={action}
      onSubmit={onSubmit}
      onInput={(e) => e.target instanceof HTMLInputElement && onEdit(e.target.name)}
      className="space-y-4"
      noValidate
    >
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <Field
        label="Username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        defaultValue={state.values?.username}
        error={fieldErrors.username}
        required
      />
      <Field label="Password" name="password" type="password" autoComplete="current-password" error={fieldErrors.password} required />
      <FormError message={formError} />
      <SubmitButton busy={pending} label="Sign in" busyLabel="Signing in…" />
      <p className="text-center text-sm text-fg-muted">
        New here?{' '}
        <Link className="font-medium text-link hover:underline" href={`/register?callbackUrl=${encodeURIComponent(callbackUrl)}`}>
          Create an account
        </Link>
      </p>
    </form>
  );
}
