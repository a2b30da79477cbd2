'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { ApiError } from '@/lib/api-client';
import { invitesApi } from '@/lib/community/api';
import type { InvitePreview } from '@/lib/schemas/moderation';
import { Button, buttonClasses } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';
import { HashIcon, LockIcon } from '../chat/icons';

type Load = { state: 'loading' } | { state: 'ready'; preview: InvitePreview } | { state: 'invalid' } | { state: 'error'; message: string };

const linkPrimary = buttonClasses({ variant: 'primary', size: 'lg', className: 'w-full' });
const linkSecondary = buttonClasses({ variant: 'secondary', size: 'lg', className: 'w-full' });

function Invalid() {
  return (
    <div data-testid="invite-invalid" className="text-center">
      <h1 className="text-xl font-semibold text-fg">This invitation is not valid</h1>
      <p className="mt-2 text-sm text-fg-muted">
        It may have expired, been used up or been revoked. Ask whoever sent it for a new link.
      </p>
      <Link href="/" className={`mt-5 ${linkSecondary}`}>
        Go to Parley
      </Link>
    </div>
  );
}

function expiryText(iso: string | null): string {
  if (!iso) return '';
  return `Valid until ${new Date(iso).toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })}.`;
}

/**
 * The invitation's landing card: its room's public face (name, description, size, who invited) and
 * "Join room"; a sign-up invitation leads to registration. Reads the preview from the browser (it needs
 * no session), so an invalid link answers the same as any other (docs/protocol.md §4.13).
 */
export function InviteLanding({ token, signedInAs }: { token: string | null; signedInAs: string | null }) {
  const router = useRouter();
  const [load, setLoad] = useState<Load>(token ? { state: 'loading' } : { state: 'invalid' });
  const [joining, setJoining] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const returnPath = token ? `/invite/${token}` : '/';

  useEffect(() => {
    if (!token) return;
    let live = true;
    invitesApi.preview(token).then(
      (preview) => live && setLoad({ state: 'ready', preview }),
      (caught: unknown) => {
        if (!live) return;
        if (caught instanceof ApiError && caught.code === 'NOT_FOUND') setLoad({ state: 'invalid' });
        else setLoad({ state: 'error', message: caught instanceof ApiError ? caught.message : 'Could not load the invitation. Try again.' });
      },
    );
    return () => {
      live = false;
    };
  }, [token, attempt]);

  async function join() {
    if (!token) return;
    setJoining(true);
    setError(null);
    try {
      const { room } = await invitesApi.accept(token);
      router.push(`/rooms/${room.id}`);
    } catch (caught) {
      setJoining(false);
      if (caught instanceof ApiError && caught.code === 'NOT_FOUND') setLoad({ state: 'invalid' });
      else setError(caught instanceof ApiError ? caught.message : 'Could not join. Try again.');
    }
  }

  if (load.state === 'invalid') return <Invalid />;
  if (load.state === 'loading') {
    return (
      <div role="status" aria-label="Opening the invitation…" className="space-y-3">
        <Skeleton className="h-4 w-1/2" />
        <Skeleton className="h-6 w-3/4" />
        <Skeleton className="h-4 w-full" />
        <Skeleton className="mt-5 h-11 w-full" />
      </div>
    );
  }
  if (load.state === 'error') {
    return (
      <div className="text-center">
        <p role="alert" className="rounded-control border border-danger-line bg-danger-soft px-3 py-2 text-sm text-danger-fg">
          {load.message}
        </p>
        <Button
          variant="secondary"
          onClick={() => {
            setLoad({ state: 'loading' });
            setAttempt((n) => n + 1);
          }}
          className="mt-3">
          Try again
        </Button>
      </div>
    );
  }

  const { preview } = load;
  const invitedBy = preview.invitedBy ? `${preview.invitedBy.displayName} invited you` : 'You are invited';

  if (preview.kind === 'signup' || !preview.room) {
    return (
      <div data-testid="invite-signup" className="text-center">
        <h1 className="text-xl font-semibold text-fg">Join Parley</h1>
        <p className="mt-2 text-sm text-fg-muted">
          {invitedBy} to create an account on this server. {expiryText(preview.expiresAt)}
        </p>
        {signedInAs ? (
          <>
            <p className="mt-4 text-sm text-fg-muted">You are signed in as {signedInAs}: you have an account already.</p>
            <Link href="/" className={`mt-4 ${linkSecondary}`}>
              Go to your rooms
            </Link>
          </>
        ) : (
          <div className="mt-5 space-y-2">
            <Link href={`/register?invite=${encodeURIComponent(token!)}`} className={linkPrimary}>
              Create your account
            </Link>
            <Link href="/login" className={linkSecondary}>
              I have an account: sign in
            </Link>
          </div>
        )}
      </div>
    );
  }

  const { room } = preview;
  const isPrivate = room.kind === 'private';
  return (
    <div data-testid="invite-room">
      <p className="text-sm text-fg-muted">{invitedBy} to join</p>
      <div className="mt-2 flex items-center gap-2 text-fg-subtle">
        {isPrivate ? <LockIcon /> : <HashIcon />}
        <span className="text-sm" data-testid="invite-room-members">
          {isPrivate ? 'Private' : 'Public'} room · {room.memberCount} member{room.memberCount === 1 ? '' : 's'}
        </span>
      </div>
      <h1 className="mt-1 break-words text-xl font-semibold text-fg">{room.name}</h1>
      {room.description ? <p className="mt-1 whitespace-pre-line break-words text-sm text-fg-muted">{room.description}</p> : null}
      {preview.expiresAt ? <p className="mt-2 text-xs text-fg-muted">{expiryText(preview.expiresAt)}</p> : null}
      {error ? (
        <p role="alert" data-testid="invite-error" className="mt-4 rounded-control border border-danger-line bg-danger-soft px-3 py-2 text-sm text-danger-fg">
          {error}
        </p>
      ) : null}
      {signedInAs ? (
        <div className="mt-5">
          <Button size="lg" onClick={() => void join()} disabled={joining} className="w-full">
            {joining ? 'Joining…' : 'Join room'}
          </Button>
          <p className="mt-2 text-center text-xs text-fg-muted">Signed in as {signedInAs}.</p>
        </div>
      ) : (
        <div className="mt-5 space-y-2">
          <Link href={`/login?callbackUrl=${encodeURIComponent(returnPath)}`} className={linkPrimary}>
            Sign in to join
          </Link>
          <Link href={`/register?callbackUrl=${encodeURIComponent(returnPath)}`} className={linkSecondary}>
            New here? Create an account
          </Link>
        </div>
      )}
    </div>
  );
}
