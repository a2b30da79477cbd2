'use client';
import { useState, type FormEvent } from 'react';
import { Field } from '@/components/auth/field';
import { FormError, SubmitButton } from '@/components/form-controls';
import { ApiError, accountApi } from '@/lib/api-client';
import { changePasswordSchema } from '@/lib/schemas/user';

type Errors = Record<string, string | undefined>;

/** Change my password: the current one is required; every other session is signed out. */
export function ChangePasswordForm({ onChanged }: { onChanged?: () => void }) {
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = Object.fromEntries(new FormData(form));
    setDone(undefined);
    setFormError(undefined);
    const parsed = changePasswordSchema.safeParse(data);
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) next[String(issue.path[0] ?? 'form')] ??= issue.message;
      return setErrors(next);
    }
    setErrors({});
    setBusy(true);
    try {
      const { endedSessions } = await accountApi.changePassword(parsed.data);
      form.reset();
      setDone(
        endedSessions === 0
          ? 'Password changed.'
          : `Password changed. ${endedSessions} other session${endedSessions === 1 ? ' was' : 's were'} signed out.`,
      );
      onChanged?.();
    } catch (error) {
      if (error instanceof ApiError && error.body.issues?.length) {
        const next: Errors = {};
        for (const issue of error.body.issues) next[issue.path || 'form'] ??= issue.message;
        setErrors(next);
      } else {
        setFormError(error instanceof ApiError ? error.message : 'Could not change the password. Try again.');
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-labelledby="password-heading">
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" error={errors.currentPassword} required />
      <Field label="New password" name="newPassword" type="password" autoComplete="new-password" hint="8–72 bytes" error={errors.newPassword} required />
      <Field label="Confirm new password" name="confirmPassword" type="password" autoComplete="new-password" error={errors.confirmPassword} required />
      <FormError message={formError ?? errors.form} />
      {done ? (
        <p role="status" className="rounded-control border border-success-line bg-success-soft px-3 py-2 text-sm text-success-fg">
          {done}
        </p>
      ) : null}
      <SubmitButton busy={busy} label="Change password" busyLabel="Changing…" className="w-full sm:w-auto" />
    </form>
  );
}
