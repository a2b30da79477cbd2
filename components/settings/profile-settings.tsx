'use client';
/**
 * The profile half of the account page (docs/protocol.md §4.15): the picture — chosen, previewed as the
 * circle others will see, then saved or dropped — and the display name. Saving refreshes the page's server
 * parts, so the header shows the change at once.
 */
import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Field } from '@/components/auth/field';
import { FormError, SubmitButton } from '@/components/form-controls';
import { Avatar } from '@/components/ui/avatar';
import { ApiError, accountApi } from '@/lib/api-client';
import { AVATAR_MAX_BYTES } from '@/lib/schemas/account';
import { formatBytes } from '@/lib/schemas/attachment';
import { displayNameSchema, type PublicUser } from '@/lib/schemas/user';
import { Button } from '@/components/ui/button';

const errorText = (error: unknown, fallback: string) => (error instanceof ApiError ? error.message : fallback);

function Status({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p role="status" className="rounded-control border border-success-line bg-success-soft px-3 py-2 text-sm text-success-fg">
      {message}
    </p>
  );
}

function PictureEditor({ user, onChanged }: { user: PublicUser; onChanged(user: PublicUser): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [pending, setPending] = useState<{ file: File; url: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const hintId = useId();

  // The preview's object URL lives as long as the preview.
  useEffect(() => (pending ? () => URL.revokeObjectURL(pending.url) : undefined), [pending]);

  function choose(file: File | undefined) {
    setDone(undefined);
    setError(undefined);
    if (!file) return;
    if (file.size > AVATAR_MAX_BYTES) {
      setError(`That file is ${formatBytes(file.size)}: pictures can be at most ${formatBytes(AVATAR_MAX_BYTES)}.`);
      return;
    }
    setPending({ file, url: URL.createObjectURL(file) });
  }

  async function run(work: () => Promise<{ user: PublicUser }>, message: string) {
    setBusy(true);
    setError(undefined);
    try {
      const { user: updated } = await work();
      setPending(null);
      setDone(message);
      onChanged(updated);
    } catch (e) {
      setError(errorText(e, 'That did not work. Try again.'));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  }

  return (
    <div className="flex flex-col gap-4 sm:flex-row sm:items-center">
      {pending ? (
        // eslint-disable-next-line @next/next/no-img-element -- a local object URL
        <img
          src={pending.url}
          alt="Preview of your new picture"
          data-testid="avatar-preview"
          className="size-24 shrink-0 rounded-full object-cover ring-1 ring-line"
        />
      ) : (
        <Avatar user={user} size="xl" label={user.avatar ? 'Your picture' : `Your initials, ${user.displayName}`} />
      )}
      <div className="min-w-0 space-y-2">
        <input
          ref={input}
          type="file"
          accept="image/png,image/jpeg,image/webp,image/gif"
          data-testid="avatar-input"
          className="sr-only"
          tabIndex={-1}
          aria-hidden="true"
          onChange={(event) => choose(event.currentTarget.files?.[0])}
        />
        <div className="flex flex-wrap gap-2">
          {pending ? (
            <>
              <Button size="sm" disabled={busy} onClick={() => void run(() => accountApi.setAvatar(pending.file), 'Picture saved.')}>
                {busy ? 'Saving…' : 'Save picture'}
              </Button>
              <Button size="sm" variant="secondary" disabled={busy} onClick={() => setPending(null)}>
                Cancel
              </Button>
            </>
          ) : (
            <>
              <Button size="sm" variant="secondary" disabled={busy} aria-describedby={hintId} onClick={() => input.current?.click()}>
                {user.avatar ? 'Change picture…' : 'Upload a picture…'}
              </Button>
              {user.avatar ? (
                <Button size="sm" variant="secondary" disabled={busy} onClick={() => void run(accountApi.removeAvatar, 'Picture removed.')}>
                  Remove picture
                </Button>
              ) : null}
            </>
          )}
        </div>
        <p id={hintId} className="text-xs text-fg-muted">
          {pending
            ? 'This is how it will look: the middle of the picture, cut square.'
            : `PNG, JPEG, WebP or GIF, up to ${formatBytes(AVATAR_MAX_BYTES)}. Without one, others see your initials.`}
        </p>
        <FormError message={error} />
        <Status message={done} />
      </div>
    </div>
  );
}

function DisplayNameForm({ user, onChanged }: { user: PublicUser; onChanged(user: PublicUser): void }) {
  const [error, setError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setDone(undefined);
    setFormError(undefined);
    const parsed = displayNameSchema.safeParse(new FormData(event.currentTarget).get('displayName') ?? '');
    if (!parsed.success) return setError(parsed.error.issues[0]?.message);
    setError(undefined);
    setBusy(true);
    try {
      const { user: updated } = await accountApi.rename(parsed.data);
      setDone('Display name saved.');
      onChanged(updated);
    } catch (e) {
      if (e instanceof ApiError && e.body.issues?.length) setError(e.body.issues[0]!.message);
      else setFormError(errorText(e, 'Could not save the name. Try again.'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <Field
        label="Display name"
        name="displayName"
        defaultValue={user.displayName}
        maxLength={64}
        autoComplete="nickname"
        hint="Shown with your messages and in member lists."
        error={error}
        required
      />
      <FormError message={formError} />
      <Status message={done} />
      <SubmitButton busy={busy} label="Save name" busyLabel="Saving…" className="w-full sm:w-auto" />
    </form>
  );
}

export function ProfileSettings({ initialUser }: { initialUser: PublicUser }) {
  const [user, setUser] = useState(initialUser);
  const router = useRouter();
  const changed = (updated: PublicUser) => {
    setUser(updated);
    router.refresh(); // the header and the rest of the page read the session again
  };
  return (
    <section aria-labelledby="profile-heading" className="mt-6">
      <h2 id="profile-heading" className="text-lg font-semibold">
        Profile
      </h2>
      <p className="mb-4 mt-1 text-sm text-fg-muted">How others see you in conversations.</p>
      <div className="space-y-6">
        <PictureEditor user={user} onChanged={changed} />
        <p className="text-sm">
          <span className="text-fg-muted">Username</span> <span data-testid="account-username">@{user.username}</span>
        </p>
        <DisplayNameForm user={user} onChanged={changed} />
      </div>
    </section>
  );
}
