'use client';
import { startTransition, useActionState, useState, type FormEvent } from 'react';
import { initialFormState, visibleServerErrors, type FormState } from './form-state';

/**
 * A server-action form that keeps what the user typed and drops stale server errors.
 * - React resets a `<form action>` after its action runs, which wiped both password fields on "username taken".
 *   Submitting through onSubmit + startTransition runs the same action without that reset (and the form still
 *   posts natively before hydration).
 * - Server errors are remembered per answer; editing a field hides that field's error (see visibleServerErrors).
 */
export function useServerForm(serverAction: (prev: FormState, formData: FormData) => Promise<FormState>) {
  const [state, action, pending] = useActionState(serverAction, initialFormState);
  const [edited, setEdited] = useState<{ state: FormState; names: ReadonlySet<string> }>({ state, names: new Set() });
  const names = edited.state === state ? edited.names : new Set<string>();
  const visible = visibleServerErrors(state, names);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formData = new FormData(event.currentTarget);
    startTransition(() => action(formData));
  }

  function onEdit(name: string) {
    if (names.has(name)) return;
    setEdited({ state, names: new Set([...names, name]) });
  }

  return { state, action, pending, onSubmit, onEdit, ...visible };
}
