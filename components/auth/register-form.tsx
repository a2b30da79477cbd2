'use client';
import Link from 'next/link';
import { useState } from 'react';
import { registerAction } from '@/app/(auth)/actions';
import { displayNameSchema, passwordSchema, usernameSchema } from '@/lib/schemas/user';
import { Field } from '@/components/ui/input';
import { FormError, SubmitButton } from '@/components/form-controls';
import { useServerForm } from './use-server-form';

const fieldSchemas = { username: usernameSchema, displayName: displayNameSchema, password: passwordSchema } as const;

/** `inviteToken`: a sign-up invitation's token (registration by invitation), sent along unseen. */
export function RegisterForm({ callbackUrl, inviteToken }: { callbackUrl: string; inviteToken?: string }) {
  const { state, action, pending, onSubmit, onEdit, fieldErrors, formError } = useServerForm(registerAction);
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

  const errorFor = (name: string) => clientErrors[name] ?? fieldErrors[name];

  function edited(input: HTMLInputElement) {
    onEdit(input.name);
    // A field already marked wrong is re-checked as the user types, so the message goes once it is right.
    if (clientErrors[input.name]) validate(input);
  }

  return (
    <form
      action={action}
      onSubmit={onSubmit}
      className="space-y-4"
      noValidate
      onBlur={(e) => e.target instanceof HTMLInputElement && validate(e.target)}
      onInput={(e) => e.target instanceof HTMLInputElement && edited(e.target)}
    >
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      {inviteToken ? <input type="hidden" name="inviteToken" value={inviteToken} /> : null}
      <Field
        label="Username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
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
      <FormError message={formError ?? fieldErrors.inviteToken} />
      <SubmitButton busy={pending} label="Create account" busyLabel="Creating account…" />
      <p className="text-center text-sm text-fg-muted">
        Already have an account?{' '}
        <Link className="font-medium text-link hover:underline" href={`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`}>
          Sign in
        </Link>
      </p>
    </form>
  );
}
