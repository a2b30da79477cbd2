'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { Field } from '@/components/auth/field';
import { FormError } from '@/components/form-controls';
import { ApiError, roomsApi } from '@/lib/api-client';
import type { RoomSummary } from '@/lib/schemas/room';
import { HashIcon, LockIcon } from './icons';
import { useRoomsStore } from './rooms-context';

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')} min`;
}

/**
 * A public or private room I am not in: its public face (name, description, member count) and a Join button
 * (private rooms: with the password). Opening a room never joins it; only this explicit POST does.
 */
export function JoinRoom({ room }: { room: RoomSummary }) {
  const isPrivate = room.kind === 'private';
  const router = useRouter();
  const rooms = useRoomsStore();
  const [error, setError] = useState<string | null>(null);
  const [limited, setLimited] = useState<{ message: string; until: number } | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [submitting, setSubmitting] = useState(false);

  const waitSeconds = limited ? Math.max(0, Math.ceil((limited.until - now) / 1000)) : 0;
  useEffect(() => {
    if (!limited) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [limited]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = isPrivate ? String(new FormData(event.currentTarget).get('password') ?? '') : undefined;
    if (isPrivate && !password) {
      setError('Enter the room password.');
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      const joined = await roomsApi.join(room.id, password);
      rooms.getState().upsert(joined.room);
      setLimited(null);
      router.refresh(); // the page renders the room now that I am a member
    } catch (caught) {
      setSubmitting(false);
      if (caught instanceof ApiError && caught.code === 'RATE_LIMITED') {
        const seconds = caught.body.retryAfter ?? 60;
        setNow(Date.now());
        setLimited({ message: caught.message, until: Date.now() + seconds * 1000 });
      } else if (caught instanceof ApiError && caught.code === 'NOT_FOUND') {
        setError('This room was deleted.');
      } else {
        setError(caught instanceof ApiError ? caught.message : 'Could not join. Please try again.');
      }
    }
  }

  const blocked = limited !== null && waitSeconds > 0;
  return (
    <div className="flex min-h-0 flex-1 items-start justify-center overflow-y-auto p-4 sm:items-center sm:p-6">
      <div className="w-full max-w-sm rounded-xl border border-line bg-surface p-6 shadow-sm">
        <div className="flex items-center gap-2 text-fg-subtle">
          {isPrivate ? <LockIcon /> : <HashIcon />}
          <span className="text-sm" data-testid="room-preview-members">
            {isPrivate ? 'Private' : 'Public'} room · {room.memberCount} member{room.memberCount === 1 ? '' : 's'}
          </span>
        </div>
        <h1 className="mt-1 break-words text-xl font-semibold">{room.name}</h1>
        {room.description ? <p className="mt-1 break-words text-sm text-fg-muted">{room.description}</p> : null}
        <form onSubmit={onSubmit} noValidate className="mt-4 space-y-4">
          {isPrivate ? (
            <Field label="Room password" name="password" type="password" autoComplete="off" error={error ?? undefined} required />
          ) : (
            <FormError message={error ?? undefined} />
          )}
          {limited ? (
            <p role="alert" data-testid="join-rate-limited" className="rounded-md bg-warning-soft px-3 py-2 text-sm text-warning-fg">
              {limited.message}
              {blocked ? <span className="block font-medium">You can try again in {formatWait(waitSeconds)}.</span> : null}
            </p>
          ) : null}
          <button
            type="submit"
            disabled={submitting || blocked}
            className="w-full rounded-md bg-accent px-4 py-2 font-medium text-white hover:bg-accent-hover disabled:opacity-60"
          >
            {submitting ? 'Joining…' : 'Join room'}
          </button>
        </form>
      </div>
    </div>
  );
}
