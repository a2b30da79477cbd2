'use client';
/**
 * Invitation links: make one (how long it lasts, how many may use it), see its link once with Copy, and
 * the room's links with their state and Revoke. The server keeps only a hash: a lost link is revoked and
 * made again, never shown again.
 */
import { ClipboardDocumentIcon } from '@heroicons/react/20/solid';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { invitesApi } from '@/lib/community/api';
import type { InviteView } from '@/lib/schemas/moderation';
import type { RoomSummary } from '@/lib/schemas/room';
import { useMe } from '../room-context';
import { buttonClass, errorText, inputClass, SectionTitle, StatusLine } from './controls';

const EXPIRY: { value: string; seconds: number | null; label: string }[] = [
  { value: '3600', seconds: 3600, label: '1 hour' },
  { value: '86400', seconds: 86_400, label: '1 day' },
  { value: '604800', seconds: 604_800, label: '7 days' },
  { value: '2592000', seconds: 2_592_000, label: '30 days' },
  { value: 'never', seconds: null, label: 'Never' },
];
const USES: { value: string; uses: number | null; label: string }[] = [
  { value: 'unlimited', uses: null, label: 'No limit' },
  { value: '1', uses: 1, label: '1 use' },
  { value: '5', uses: 5, label: '5 uses' },
  { value: '10', uses: 10, label: '10 uses' },
  { value: '25', uses: 25, label: '25 uses' },
  { value: '100', uses: 100, label: '100 uses' },
];

const STATUS: Record<InviteView['status'], { label: string; tone: string }> = {
  active: { label: 'Active', tone: 'bg-success-soft text-success-fg' },
  expired: { label: 'Expired', tone: 'bg-surface-sunken text-fg-muted' },
  used_up: { label: 'Used up', tone: 'bg-surface-sunken text-fg-muted' },
  revoked: { label: 'Revoked', tone: 'bg-danger-soft text-danger-fg' },
};

function shortDate(iso: string): string {
  return new Date(iso).toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export function InvitesSettings({ room, revokeAny }: { room: RoomSummary; revokeAny: boolean }) {
  const me = useMe();
  const ids = useId();
  const [expiry, setExpiry] = useState('604800');
  const [uses, setUses] = useState('unlimited');
  const [invites, setInvites] = useState<InviteView[] | null>(null);
  const [created, setCreated] = useState<{ url: string; id: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const linkInput = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const archived = room.archivedAt !== null;

  useEffect(() => {
    let live = true;
    invitesApi.list(room.id).then(
      (answer) => live && setInvites(answer.invites),
      (caught: unknown) => live && setError(errorText(caught, 'Could not load the invitations. Try again.')),
    );
    return () => {
      live = false;
    };
  }, [room.id]);

  // A new link is the point: focus on it, selected, so it can be copied at once.
  useEffect(() => {
    if (!created) return;
    linkInput.current?.focus();
    linkInput.current?.select();
  }, [created]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreating(true);
    setError(null);
    setDone(null);
    setCopied(false);
    try {
      const answer = await invitesApi.create(room.id, {
        expiresInSeconds: EXPIRY.find((e) => e.value === expiry)!.seconds,
        maxUses: USES.find((u) => u.value === uses)!.uses,
      });
      setCreated({ url: `${window.location.origin}${answer.path}`, id: answer.invite.id });
      setInvites((list) => [answer.invite, ...(list ?? []).filter((i) => i.id !== answer.invite.id)]);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setCreating(false);
    }
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.url);
      setCopied(true);
    } catch {
      // No clipboard permission (or an insecure origin): leave it selected for Ctrl+C.
      linkInput.current?.focus();
      linkInput.current?.select();
      setDone('Press Ctrl+C (⌘C) to copy the selected link.');
    }
  }

  async function revoke(invite: InviteView) {
    setBusy(invite.id);
    setError(null);
    setDone(null);
    try {
      await invitesApi.revoke(invite.id);
      setInvites((list) => list?.map((i) => (i.id === invite.id ? { ...i, status: 'revoked', revokedAt: new Date().toISOString() } : i)) ?? null);
      if (created?.id === invite.id) setCreated(null);
      setDone('The invitation was revoked: its link no longer works.');
      heading.current?.focus();
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div data-testid="invites-settings" className="space-y-4">
      <SectionTitle headingRef={heading} title="Invitations" hint="Anyone with an invitation link can join, without the password, until it expires, is used up or is revoked." />
      {archived ? (
        <p className="rounded-md bg-warning-soft px-3 py-2 text-sm text-warning-fg">This room is archived: nobody can join, and no invitations can be made.</p>
      ) : (
        <form onSubmit={create} className="flex flex-wrap items-end gap-3 rounded-md border border-line p-3">
          <div>
            <label htmlFor={`${ids}-expiry`} className="mb-1 block text-sm font-medium text-fg-muted">
              Expires after
            </label>
            <select id={`${ids}-expiry`} value={expiry} onChange={(e) => setExpiry(e.target.value)} className={`${inputClass} border-line-strong`}>
              {EXPIRY.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`${ids}-uses`} className="mb-1 block text-sm font-medium text-fg-muted">
              Can be used
            </label>
            <select id={`${ids}-uses`} value={uses} onChange={(e) => setUses(e.target.value)} className={`${inputClass} border-line-strong`}>
              {USES.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" data-testid="create-invite" disabled={creating} className={buttonClass.primary}>
            {creating ? 'Creating…' : 'Create link'}
          </button>
        </form>
      )}
      {created ? (
        <div data-testid="created-invite" className="rounded-md border border-accent-soft-strong bg-accent-soft p-3">
          <label htmlFor={`${ids}-link`} className="block text-sm font-medium text-fg">
            Invitation link
          </label>
          <p className="mb-2 text-xs text-fg-muted">Copy it now: for safety it is shown only this once.</p>
          <div className="flex gap-2">
            <input
              id={`${ids}-link`}
              ref={linkInput}
              readOnly
              data-testid="invite-link"
              value={created.url}
              onFocus={(e) => e.currentTarget.select()}
              className={`${inputClass} min-w-0 flex-1 border-line-strong bg-surface font-mono text-xs`}
            />
            <button type="button" data-testid="copy-invite" onClick={() => void copy()} className={`${buttonClass.secondary} flex shrink-0 items-center gap-1`}>
              <ClipboardDocumentIcon aria-hidden="true" className="size-4" />
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <p role="status" className="sr-only">
            {copied ? 'Link copied.' : ''}
          </p>
        </div>
      ) : null}
      <StatusLine error={error} done={done} />
      <div>
        <h4 className="mb-1 text-sm font-semibold text-fg">Links</h4>
        {invites === null && !error ? <p className="text-sm text-fg-muted">Loading…</p> : null}
        {invites?.length === 0 ? <p className="text-sm text-fg-muted">No invitations yet.</p> : null}
        {invites && invites.length > 0 ? (
          <ul aria-label="Invitations" className="divide-y divide-line">
            {invites.map((invite) => {
              const status = STATUS[invite.status];
              const mine = invite.createdBy?.id === me.id;
              const revocable = invite.status === 'active' && (mine || revokeAny);
              return (
                <li key={invite.id} data-testid="invite-row" data-status={invite.status} className="flex flex-wrap items-center gap-2 py-2 text-sm">
                  <span className={`shrink-0 rounded px-1.5 text-xs font-medium ${status.tone}`}>{status.label}</span>
                  <span className="flex min-w-0 flex-1 flex-col">
                    <span className="text-fg">
                      {invite.maxUses === null ? `${invite.uses} ${invite.uses === 1 ? 'use' : 'uses'}` : `${invite.uses} of ${invite.maxUses} uses`}
                      {' · '}
                      {invite.expiresAt === null ? 'never expires' : `${invite.status === 'expired' ? 'expired' : 'expires'} ${shortDate(invite.expiresAt)}`}
                    </span>
                    <span className="text-xs text-fg-muted">
                      By {mine ? 'you' : (invite.createdBy?.displayName ?? 'a deleted user')} on {shortDate(invite.createdAt)}
                    </span>
                  </span>
                  {revocable ? (
                    <button
                      type="button"
                      data-testid="revoke-invite"
                      disabled={busy !== null}
                      onClick={() => void revoke(invite)}
                      aria-label={`Revoke the invitation made ${shortDate(invite.createdAt)}`}
                      className={buttonClass.small}
                    >
                      {busy === invite.id ? 'Revoking…' : 'Revoke'}
                    </button>
                  ) : null}
                </li>
              );
            })}
          </ul>
        ) : null}
      </div>
    </div>
  );
}
