'use client';
/**
 * "Delete my account" (docs/protocol.md §4.15): what happens is said before anything is asked, the password
 * is asked in a dialog, and success signs this tab out like every other.
 */
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Field } from '@/components/auth/field';
import { FormError } from '@/components/form-controls';
import { ApiError, accountApi } from '@/lib/api-client';
import { Button } from '@/components/ui/button';

function WhatHappens() {
  return (
    <ul className="list-disc space-y-1 pl-5 text-sm text-fg-muted">
      <li>You are signed out everywhere, and your username and password stop working. Someone else may take the username later.</li>
      <li>
        Your messages, reactions and files <strong>stay</strong> in their conversations, shown under the name “Deleted user”. Delete
        any you want gone first.
      </li>
      <li>
        You leave every room, group and call. Rooms you own pass to their highest-ranked member (admins first, then moderators, then
        members, longest there first); rooms with nobody else in them are deleted.
      </li>
      <li>Your direct conversations stay for the other person. Files you uploaded but did not send, and invitation links you made, stop working.</li>
    </ul>
  );
}

/** Field's id for its `name` (components/auth/field.tsx). */
const PASSWORD_ID = 'field-password';

export function DeleteAccount() {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const router = useRouter();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('password') ?? '');
    setFormError(undefined);
    if (!value) return setError('Enter your password.');
    setError(undefined);
    setBusy(true);
    try {
      await accountApi.remove(value);
      // Every session is gone, this one too: off to the sign-in page.
      router.replace('/login');
      router.refresh();
    } catch (e) {
      if (e instanceof ApiError && e.body.issues?.some((i) => i.path === 'password')) setError(e.body.issues.find((i) => i.path === 'password')!.message);
      else setFormError(e instanceof ApiError ? e.message : 'Could not delete the account. Try again.');
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="delete-heading" className="mt-8 rounded-lg border border-danger-line p-4">
      <h2 id="delete-heading" className="text-lg font-semibold text-danger-fg">
        Delete your account
      </h2>
      <p className="mb-2 mt-1 text-sm text-fg-muted">This cannot be undone. When you delete your account:</p>
      <WhatHappens />
      <AlertDialog.Root
        open={open}
        onOpenChange={(next) => {
          if (busy) return;
          setOpen(next);
          setError(undefined);
          setFormError(undefined);
        }}
      >
        <AlertDialog.Trigger asChild>
          <Button variant="danger" className="mt-4">
            Delete my account…
          </Button>
        </AlertDialog.Trigger>
        <AlertDialog.Portal>
          <AlertDialog.Overlay className="fixed inset-0 z-50 bg-slate-900/40" />
          <AlertDialog.Content
            onOpenAutoFocus={(event) => {
              // The one thing to do here is type the password (Cancel is a Tab away).
              event.preventDefault();
              document.getElementById(PASSWORD_ID)?.focus();
            }}
            className="fixed left-1/2 top-1/2 z-50 max-h-[calc(100vh-2rem)] w-[min(28rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-card border border-line bg-surface p-5 shadow-overlay"
          >
            <AlertDialog.Title className="text-base font-semibold text-fg">Delete your account for good?</AlertDialog.Title>
            <AlertDialog.Description className="mt-2 text-sm text-fg-muted">
              Your messages stay, shown under “Deleted user”. Enter your password to confirm.
            </AlertDialog.Description>
            <form onSubmit={submit} noValidate className="mt-4 space-y-4">
              <Field label="Password" name="password" type="password" autoComplete="current-password" error={error} required />
              <FormError message={formError} />
              <div className="flex justify-end gap-2">
                <AlertDialog.Cancel asChild>
                  <Button variant="ghost" disabled={busy}>
                    Cancel
                  </Button>
                </AlertDialog.Cancel>
                <Button type="submit" variant="danger" disabled={busy}>
                  {busy ? 'Deleting…' : 'Delete my account'}
                </Button>
              </div>
            </form>
          </AlertDialog.Content>
        </AlertDialog.Portal>
      </AlertDialog.Root>
    </section>
  );
}
