'use client';
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { RegistrationMode } from '@/lib/schemas/admin';
import type { CreatedInvite, InviteView } from '@/lib/schemas/moderation';
import { adminApi } from './admin-api';
import { Badge, ConfirmButton, DateTime, ErrorNote, OneTimeSecret, messageOf, primaryButtonClass } from './admin-ui';

const MODES: { value: RegistrationMode; label: string; hint: string }[] = [
  { value: 'open', label: 'Open', hint: 'Anyone who can reach this server can create an account.' },
  { value: 'invite', label: 'By invitation', hint: 'Only people with a sign-up invitation link can create an account.' },
  { value: 'closed', label: 'Closed', hint: 'Nobody can create an account. Existing accounts keep working.' },
];

const EXPIRIES: { label: string; seconds: number | null }[] = [
  { label: '1 hour', seconds: 60 * 60 },
  { label: '1 day', seconds: 24 * 60 * 60 },
  { label: '7 days', seconds: 7 * 24 * 60 * 60 },
  { label: '30 days', seconds: 30 * 24 * 60 * 60 },
  { label: 'Never', seconds: null },
];

const STATUS_LABEL: Record<InviteView['status'], { text: string; tone: 'success' | 'neutral' | 'danger' | 'warning' }> = {
  active: { text: 'Active', tone: 'success' },
  expired: { text: 'Expired', tone: 'neutral' },
  used_up: { text: 'Used up', tone: 'warning' },
  revoked: { text: 'Revoked', tone: 'danger' },
};

function RegistrationModeSetting() {
  const ids = useId();
  const [mode, setMode] = useState<RegistrationMode | null>(null);
  const [saving, setSaving] = useState<RegistrationMode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    adminApi.settings().then(
      (s) => current && setMode(s.registrationMode),
      (caught: unknown) => current && setError(messageOf(caught, 'Could not load the settings.')),
    );
    return () => {
      current = false;
    };
  }, []);

  async function choose(next: RegistrationMode) {
    setSaving(next);
    setError(null);
    setSaved(null);
    try {
      const answer = await adminApi.setRegistrationMode(next);
      setMode(answer.registrationMode);
      setSaved(`Saved: registration is ${MODES.find((m) => m.value === answer.registrationMode)!.label.toLowerCase()}.`);
    } catch (caught) {
      setError(messageOf(caught, 'Could not save. Try again.'));
    } finally {
      setSaving(null);
    }
  }

  const shown = saving ?? mode;
  return (
    <section aria-labelledby={`${ids}-heading`}>
      <h2 id={`${ids}-heading`} className="text-lg font-semibold">
        Registration
      </h2>
      {mode === null && !error ? <p className="mt-2 text-sm text-fg-muted">Loading…</p> : null}
      {mode !== null ? (
        <fieldset className="mt-2" disabled={saving !== null}>
          <legend className="text-sm text-fg-muted">Who can create an account</legend>
          <div className="mt-2 space-y-2">
            {MODES.map((m) => (
              <label
                key={m.value}
                className={`flex cursor-pointer items-start gap-3 rounded-md border p-3 ${shown === m.value ? 'border-accent bg-accent-soft' : 'border-line hover:bg-surface-muted'}`}
              >
                <input
                  type="radio"
                  name="registrationMode"
                  value={m.value}
                  checked={shown === m.value}
                  onChange={() => void choose(m.value)}
                  aria-describedby={`${ids}-${m.value}-hint`}
                  className="mt-1 accent-accent"
                />
                <span>
                  <span className="block text-sm font-medium text-fg">{m.label}</span>
                  <span id={`${ids}-${m.value}-hint`} className="block text-sm text-fg-muted">
                    {m.hint}
                  </span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      <p aria-live="polite" className="mt-2 text-sm text-success-fg">
        {saved ?? ''}
      </p>
      <ErrorNote message={error} />
    </section>
  );
}

function SignupInvitations() {
  const ids = useId();
  const [invites, setInvites] = useState<InviteView[] | null>(null);
  const [expiry, setExpiry] = useState(String(7 * 24 * 60 * 60));
  const [limited, setLimited] = useState(false);
  const [maxUses, setMaxUses] = useState('1');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let current = true;
    adminApi.invites().then(
      ({ invites: list }) => {
        if (!current) return;
        setInvites(list);
        setListError(null);
      },
      (caught: unknown) => current && setListError(messageOf(caught, 'Could not load the invitations.')),
    );
    return () => {
      current = false;
    };
  }, [reloads]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const uses = limited ? Number(maxUses) : null;
    if (uses !== null && (!Number.isInteger(uses) || uses < 1 || uses > 10_000)) return setError('Uses must be a whole number from 1 to 10 000.');
    setCreating(true);
    try {
      const answer = await adminApi.createInvite({ expiresInSeconds: expiry === 'never' ? null : Number(expiry), maxUses: uses });
      setCreated(answer);
      setReloads((n) => n + 1);
    } catch (caught) {
      setError(messageOf(caught, 'Could not create the invitation. Try again.'));
    } finally {
      setCreating(false);
    }
  }

  async function revoke(invite: InviteView) {
    setListError(null);
    try {
      await adminApi.revokeInvite(invite.id);
      if (created?.invite.id === invite.id) setCreated(null);
      setReloads((n) => n + 1);
    } catch (caught) {
      setListError(messageOf(caught, 'Could not revoke it. Try again.'));
    }
  }

  // The register page takes the token directly: the link works whether or not the person is signed in.
  const link = created ? `${window.location.origin}/register?invite=${encodeURIComponent(created.token)}` : '';
  return (
    <section aria-labelledby={`${ids}-heading`}>
      <h2 id={`${ids}-heading`} className="text-lg font-semibold">
        Sign-up invitations
      </h2>
      <p className="mt-1 text-sm text-fg-muted">
        While registration is by invitation, a person needs one of these links to create an account. Each link is shown once, when you create it.
      </p>
      <form onSubmit={(e) => void create(e)} className="mt-3 space-y-3 rounded-md border border-line p-3" aria-label="Create a sign-up invitation">
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <label htmlFor={`${ids}-expiry`} className="w-24 text-sm font-medium text-fg-muted">
            Expires after
          </label>
          <select
            id={`${ids}-expiry`}
            value={expiry}
            onChange={(e) => setExpiry(e.target.value)}
            className="rounded-md border border-line-strong bg-surface px-2 py-1.5 text-sm text-fg shadow-sm outline-none focus:ring-2 focus:ring-focus"
          >
            {EXPIRIES.map((e) => (
              <option key={e.label} value={e.seconds === null ? 'never' : String(e.seconds)}>
                {e.label}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <legend className="float-left w-24 text-sm font-medium text-fg-muted">Uses</legend>
          <label className="flex items-center gap-1.5 text-sm text-fg-muted">
            <input type="radio" name={`${ids}-uses`} checked={!limited} onChange={() => setLimited(false)} className="accent-accent" />
            Unlimited
          </label>
          <span className="flex items-center gap-1.5 text-sm text-fg-muted">
            <label className="flex items-center gap-1.5">
              <input type="radio" name={`${ids}-uses`} checked={limited} onChange={() => setLimited(true)} className="accent-accent" />
              At most
            </label>
            <input
              type="number"
              min={1}
              max={10_000}
              value={maxUses}
              onChange={(e) => {
                setMaxUses(e.target.value);
                setLimited(true);
              }}
              aria-label="Most uses"
              className="w-20 rounded-md border border-line-strong bg-surface px-2 py-1 text-sm text-fg shadow-sm outline-none focus:ring-2 focus:ring-focus"
            />
            {Number(maxUses) === 1 ? 'person' : 'people'}
          </span>
        </fieldset>
        <button type="submit" disabled={creating} className={primaryButtonClass}>
          {creating ? 'Creating…' : 'Create link'}
        </button>
      </form>
      <div className="mt-3 space-y-3">
        <ErrorNote message={error} />
        {created ? (
          <OneTimeSecret label="Invitation link" value={link} note="Shown only now: copy it and send it to the person you are inviting." testId="signup-link" />
        ) : null}
      </div>
      <ErrorNote message={listError} />
      {invites === null && !listError ? <p className="mt-3 text-sm text-fg-muted">Loading…</p> : null}
      {invites !== null && invites.length === 0 ? <p className="mt-3 text-sm text-fg-muted">No sign-up invitations yet.</p> : null}
      {invites !== null && invites.length > 0 ? (
        <ul aria-label="Sign-up invitations" className="mt-3 divide-y divide-line border-y border-line">
          {invites.map((invite) => (
            <li key={invite.id} data-testid="signup-invite" className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 py-3">
              <div className="min-w-0 text-sm">
                <p className="flex flex-wrap items-center gap-2">
                  <Badge tone={STATUS_LABEL[invite.status].tone}>{STATUS_LABEL[invite.status].text}</Badge>
                  <span className="text-fg">
                    {invite.uses} of {invite.maxUses ?? 'unlimited'} use{invite.maxUses === 1 ? '' : 's'}
                  </span>
                </p>
                <p className="mt-0.5 text-xs text-fg-muted">
                  By {invite.createdBy ? `${invite.createdBy.displayName} (@${invite.createdBy.username})` : 'someone since deleted'}, <DateTime iso={invite.createdAt} /> ·{' '}
                  {invite.expiresAt ? (
                    <>
                      {invite.status === 'expired' ? 'expired' : 'expires'} <DateTime iso={invite.expiresAt} />
                    </>
                  ) : (
                    'never expires'
                  )}
                </p>
              </div>
              {invite.status === 'active' ? (
                <ConfirmButton
                  label="Revoke"
                  srLabel={`the invitation created ${new Date(invite.createdAt).toLocaleString()}`}
                  title="Revoke this invitation?"
                  description="The link stops working at once. Accounts already created with it stay."
                  confirmLabel="Revoke"
                  danger
                  onConfirm={() => void revoke(invite)}
                  testId="revoke-invite"
                />
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** Instance settings: who may register, and the sign-up invitations that let people in. */
export function SettingsTab() {
  return (
    <div className="space-y-8">
      <RegistrationModeSetting />
      <SignupInvitations />
    </div>
  );
}
