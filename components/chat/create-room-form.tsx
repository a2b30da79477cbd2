'use client';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Field } from '@/components/auth/field';
import { ApiError, roomsApi } from '@/lib/api-client';
import { createRoomSchema, roomNameSchema, roomPasswordSchema } from '@/lib/schemas/room';
import { openRoomHref } from './room-navigation';
import { useRoomsStore } from './rooms-context';
import { FormError, SubmitButton } from '@/components/form-controls';

type Kind = 'public' | 'private';
type Errors = Partial<Record<'name' | 'description' | 'password' | 'kind', string>>;

const DESCRIPTION_MAX = 500;

function firstErrors(issues: { path: string; message: string }[]): Errors {
  const out: Record<string, string> = {};
  for (const issue of issues) out[issue.path || 'form'] ??= issue.message;
  return out;
}

/** The same zod rules as the server, inline; the server's answer (name taken) lands on its field. */
export function CreateRoomForm() {
  const router = useRouter();
  const rooms = useRoomsStore();
  const [kind, setKind] = useState<Kind>('public');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  function checkField(name: string, value: string) {
    const schema = name === 'name' ? roomNameSchema : name === 'password' ? roomPasswordSchema : null;
    if (!schema) return;
    const result = schema.safeParse(value);
    setErrors((prev) => ({ ...prev, [name]: result.success ? undefined : result.error.issues[0]?.message }));
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '');
    const input =
      kind === 'private'
        ? { kind, name: text('name'), description: text('description'), password: text('password') }
        : { kind, name: text('name'), description: text('description') };
    const parsed = createRoomSchema.safeParse(input);
    if (!parsed.success) {
      setErrors(firstErrors(parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))));
      return;
    }
    setErrors({});
    setFormError(null);
    setSubmitting(true);
    try {
      const { room } = await roomsApi.create(parsed.data);
      rooms.getState().upsert(room);
      openRoomHref(`/rooms/${room.id}`, rooms, router);
    } catch (error) {
      setSubmitting(false);
      if (error instanceof ApiError) {
        if (error.body.issues?.length) setErrors(firstErrors(error.body.issues));
        else if (error.code === 'CONFLICT') setErrors({ name: error.message });
        else setFormError(error.message);
      } else {
        setFormError('Could not create the room. Please try again.');
      }
    }
  }

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="mt-4 space-y-4"
      onBlur={(e) => {
        if (e.target instanceof HTMLInputElement && e.target.value) checkField(e.target.name, e.target.value);
      }}
    >
      <Field label="Room name" name="name" autoComplete="off" maxLength={64} error={errors.name} hint="2–64 characters" required />
      <div>
        <label htmlFor="field-description" className="mb-1 block text-sm font-medium text-fg-muted">
          Description <span className="font-normal text-fg-subtle">(optional)</span>
        </label>
        <textarea
          id="field-description"
          name="description"
          rows={2}
          maxLength={DESCRIPTION_MAX}
          aria-invalid={errors.description ? true : undefined}
          aria-describedby={errors.description ? 'field-description-note' : undefined}
          className={`w-full rounded-md border px-3 py-2 text-fg shadow-sm outline-none focus:ring-2 focus:ring-focus ${
            errors.description ? 'border-danger' : 'border-line-strong'
          }`}
        />
        {errors.description ? (
          <p id="field-description-note" role="alert" className="mt-1 text-sm text-danger-fg">
            {errors.description}
          </p>
        ) : null}
      </div>
      <fieldset>
        <legend className="mb-1 text-sm font-medium text-fg-muted">Who can join</legend>
        <div className="flex flex-col gap-2 sm:flex-row sm:gap-6">
          {(['public', 'private'] as const).map((value) => (
            <label key={value} className="flex items-start gap-2 text-sm">
              <input
                type="radio"
                name="kind"
                value={value}
                checked={kind === value}
                onChange={() => {
                  setKind(value);
                  setErrors((prev) => ({ ...prev, password: undefined }));
                }}
                className="mt-0.5"
              />
              <span>
                <span className="font-medium">{value === 'public' ? 'Public' : 'Private'}</span>
                <span className="block text-fg-subtle">{value === 'public' ? 'Anyone signed in' : 'Only with the room password'}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {kind === 'private' ? (
        <Field
          label="Room password"
          name="password"
          type="password"
          autoComplete="new-password"
          error={errors.password}
          hint="At least 4 characters; share it with the people you invite."
          required
        />
      ) : null}
      <FormError message={formError ?? undefined} />
      <SubmitButton busy={submitting} label="Create room" busyLabel="Creating…" className="w-full sm:w-auto" />
    </form>
  );
}
