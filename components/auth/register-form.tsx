'use client';
import Link from 'next/link';
import { useActionState, useState } from 'react';
import { registerAction } from '@/app/(auth)/actions';
import { displayNameSchema, passwordSchema, usernameSchema } from '@/lib/schemas/user';
import { Field } from './field';
import { initialFormState } from './form-state';
import { FormError, SubmitButton } from '@/components/form-controls';

const fieldSchemas = { username: usernameSchema, displayName: displayNameSchema, password: passwordSchema } as const;

/** `inviteToken`: a sign-up invitation's token (registration by invitation), sent along unseen. */
export function RegisterForm({ callbackUrl, inviteToken }: { callbackUrl: string; inviteToken?: string }) {
  const [state, action, pending] = useActionState(registerAction, initialFormState);
  // The same zod rules as the server, checked as the user leaves each field; the server re-checks.
  const [clientErrors, setClientErrors] = useState<Record<string, string | undefined>>({});

  function validate(input: HTMLInputElement) {
    const { name, value, form } = input;
    let message: string | undefined;
    if (name in fieldSchemas) {
      const result = fieldSchemas[name as keyof typeof fieldSchemas].safeParse(value);
      message = result.success ? undefined : result.error.issues[0]?.message;
    } else if (name === 'confirmPassword') {
      const password = (form?.elements.namedItem('password') as HTMLInputElement | null)?.value;
      message = value && value !== password ? 'Passwords do not match.' : undefined;
    }
    setClientErrors((prev) => ({ ...prev, [name]: message }));
  }

  const errorFor = (name: string) => clientErrors[name] ?? state.fieldErrors?.[name];

  return (
    <form action={action} className="space-y-4" noValidate onBlur={(e) => e.target instanceof HTMLInputElement && validate(e.target)}>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      {inviteToken ? <input type="hidden" name="inviteToken" value={inviteToken} /> : null}
      <Field
        label="Username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        defaultValue={state.values?.username}
        error={errorFor('username')}
        hint="3–32 characters: a–z, 0–9, _ . -"
        required
      />
      <Field
        label="Display name"
        name="displayName"
        autoComplete="name"
        defaultValue={state.values?.displayName}
        error={errorFor('displayName')}
        required
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        error={errorFor('password')}
        hint="8–72 bytes"
        required
      />
      <Field
        label="Confirm password"
        name="confirmPassword"
        type="password"
        autoComplete="new-password"
        error={errorFor('confirmPassword')}
        required
      />
      {/* The invitation is a hidden field: its problems are the form's. */}
      <FormError message={state.formError ?? state.fieldErrors?.inviteToken} />
      <SubmitButton busy={pending} label="Create account" busyLabel="Creating account…" />
      <p className="text-center text-sm text-fg-muted">
        Already have an account?{' '}
        <Link className="text-link hover:underline" href={`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`}>
          Sign in
        </Link>
      </p>
    </form>
  );
}
