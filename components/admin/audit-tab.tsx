'use client';
import { useId, useState, type FormEvent } from 'react';
import type { AuditView } from '@/lib/schemas/admin';
import type { PublicUser } from '@/lib/schemas/user';
import { adminApi, type AuditFilter } from './admin-api';
import { DateTime, ErrorNote, LoadMore, buttonClass, inputClass, messageOf, primaryButtonClass } from './admin-ui';
import { usePagedList } from './use-paged-list';

/** What each audit kind means, for people (docs/protocol.md §4.15 "Audit kinds"). Unknown kinds show as they are. */
export const AUDIT_KIND_LABELS: Record<string, string> = {
  'user.registered': 'Created an account',
  'user.updated': 'Changed their profile',
  'user.deleted': 'Deleted their account',
  'user.password_changed': 'Changed their password',
  'user.password_change_failed': 'Gave a wrong current password',
  'login.succeeded': 'Signed in',
  'login.failed': 'Failed to sign in',
  'login.rate_limited': 'Was stopped signing in (too many attempts)',
  'sessions.ended': 'Signed out sessions',
  'room.created': 'Created a room',
  'room.updated': 'Changed a room’s settings',
  'room.deleted': 'Deleted a room',
  'room.archived': 'Archived a room',
  'room.restored': 'Restored a room',
  'room.join_failed': 'Gave a wrong room password',
  'room.ownership_transferred': 'Transferred a room',
  'member.role_changed': 'Changed a member’s role',
  'member.kicked': 'Removed a member',
  'member.banned': 'Banned someone',
  'member.unbanned': 'Lifted a ban',
  'member.muted': 'Muted a member',
  'member.unmuted': 'Unmuted a member',
  'members.added': 'Added people to a room',
  'message.deleted_by_moderator': 'Deleted someone’s message',
  'invite.created': 'Created an invitation',
  'invite.revoked': 'Revoked an invitation',
  'invite.accepted': 'Joined by invitation',
  'group.created': 'Started a group conversation',
  'upload.infected': 'Uploaded an infected file (refused)',
  'admin.user_disabled': 'Disabled an account',
  'admin.user_enabled': 'Enabled an account',
  'admin.password_reset': 'Reset a password',
  'admin.settings_changed': 'Changed instance settings',
};

const KIND_GROUPS: { prefix: string; label: string }[] = [
  { prefix: 'admin.', label: 'Administration' },
  { prefix: 'user.', label: 'Accounts' },
  { prefix: 'login.', label: 'Sign-ins' },
  { prefix: 'room.', label: 'Rooms' },
  { prefix: 'member.', label: 'Moderation' },
  { prefix: 'invite.', label: 'Invitations' },
];

const DETAIL_LABELS: Record<string, string> = {
  userId: 'User',
  userIds: 'Users',
  roomId: 'Room',
  inviteId: 'Invitation',
  endedSessions: 'Sessions ended',
  count: 'Sessions',
  keptCurrent: 'Kept this session',
  registrationMode: 'Registration',
  previous: 'Before',
  username: 'Username',
  instanceAdmin: 'Instance admin',
  name: 'Name',
  kind: 'Kind',
  reason: 'Reason',
  from: 'From',
  to: 'To',
};

function humanKey(key: string): string {
  return DETAIL_LABELS[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

function humanValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(humanValue).join(', ');
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${humanKey(k).toLowerCase()}: ${humanValue(v)}`)
    .join('; ');
}

/** An event's details as label/value pairs; ids stay ids (copyable), as the log stores them. */
function Details({ details }: { details: unknown }) {
  if (details === null || details === undefined) return null;
  if (typeof details !== 'object' || Array.isArray(details)) return <p className="text-xs text-fg-muted">{humanValue(details)}</p>;
  const entries = Object.entries(details as Record<string, unknown>);
  if (entries.length === 0) return null;
  return (
    <dl className="mt-1 grid grid-cols-[minmax(0,auto)_minmax(0,1fr)] gap-x-3 gap-y-0.5 text-xs">
      {entries.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="text-fg-subtle">{humanKey(key)}</dt>
          <dd className={`min-w-0 break-all text-fg ${/Ids?$/.test(key) ? 'font-mono' : ''}`}>{humanValue(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function EventRow({ event, onActor }: { event: AuditView; onActor(actor: PublicUser): void }) {
  return (
    <li data-testid="audit-event" data-kind={event.kind} className="py-3">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3">
        <p className="min-w-0 text-sm text-fg">
          {event.actor ? (
            <button
              type="button"
              onClick={() => onActor(event.actor!)}
              className="font-medium text-link hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
              title={`Only events by @${event.actor.username}`}
            >
              {event.actor.displayName}
              <span className="sr-only">: show only their events</span>
            </button>
          ) : (
            <span className="font-medium text-fg-muted">Someone unknown</span>
          )}{' '}
          {AUDIT_KIND_LABELS[event.kind]?.toLowerCase() ?? 'did something'} <code className="ml-1 rounded bg-surface-sunken px-1 text-xs text-fg-muted">{event.kind}</code>
        </p>
        <p className="text-xs text-fg-subtle">
          <DateTime iso={event.createdAt} />
          {event.ip ? ` · ${event.ip}` : ''}
        </p>
      </div>
      <Details details={event.details} />
    </li>
  );
}

/** datetime-local gives the browser's local time without a zone: this makes it an instant. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The audit log: who did what, newest first, filtered by kind (or a group), person and time. */
export function AuditTab() {
  const ids = useId();
  const [filter, setFilter] = useState<AuditFilter>({});
  const [actor, setActor] = useState<PublicUser | null>(null);
  const [draft, setDraft] = useState({ kind: '', actor: '', from: '', to: '' });
  const [formError, setFormError] = useState<string | null>(null);
  const [resolving, setResolving] = useState(false);
  const list = usePagedList<AuditView>(
    JSON.stringify(filter),
    async (cursor, signal) => {
      const page = await adminApi.audit({ ...filter, cursor }, signal);
      return { items: page.events, nextCursor: page.nextCursor };
    },
    { debounce: false },
  );

  async function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFormError(null);
    const from = toIso(draft.from);
    const to = toIso(draft.to);
    if (from && to && from >= to) return setFormError('“To” must be after “From”.');
    let who: PublicUser | null = null;
    const name = draft.actor.trim().replace(/^@/, '').toLowerCase();
    if (name) {
      if (actor && actor.username === name) {
        who = actor;
      } else {
        setResolving(true);
        try {
          const { users } = await adminApi.users({ q: name });
          who = users.find((u) => u.username === name) ?? null;
        } catch (caught) {
          return setFormError(messageOf(caught, 'Could not look that person up. Try again.'));
        } finally {
          setResolving(false);
        }
        if (!who) return setFormError(`Nobody is called @${name}.`);
      }
    }
    setActor(who);
    setFilter({ kind: draft.kind || undefined, actorId: who?.id, from, to });
  }

  function showActor(user: PublicUser) {
    setActor(user);
    setDraft((d) => ({ ...d, actor: user.username }));
    setFilter((f) => ({ ...f, actorId: user.id }));
  }

  function clear() {
    setDraft({ kind: '', actor: '', from: '', to: '' });
    setActor(null);
    setFormError(null);
    setFilter({});
  }

  const filtered = Object.values(filter).some(Boolean);
  return (
    <div className="space-y-3">
      <form onSubmit={(e) => void apply(e)} aria-label="Filter the audit log" className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor={`${ids}-kind`} className="mb-1 block text-sm font-medium text-fg-muted">
            Kind
          </label>
          <select id={`${ids}-kind`} value={draft.kind} onChange={(e) => setDraft((d) => ({ ...d, kind: e.target.value }))} className={inputClass}>
            <option value="">All kinds</option>
            <optgroup label="Groups">
              {KIND_GROUPS.map((g) => (
                <option key={g.prefix} value={g.prefix}>
                  {g.label} ({g.prefix}…)
                </option>
              ))}
            </optgroup>
            <optgroup label="One kind">
              {Object.entries(AUDIT_KIND_LABELS).map(([kind, label]) => (
                <option key={kind} value={kind}>
                  {label} ({kind})
                </option>
              ))}
            </optgroup>
          </select>
        </div>
        <div>
          <label htmlFor={`${ids}-actor`} className="mb-1 block text-sm font-medium text-fg-muted">
            Who (username)
          </label>
          <input
            id={`${ids}-actor`}
            value={draft.actor}
            onChange={(e) => setDraft((d) => ({ ...d, actor: e.target.value }))}
            placeholder="Anyone"
            autoComplete="off"
            autoCapitalize="none"
            maxLength={33}
            className={inputClass}
          />
        </div>
        <div>
          <label htmlFor={`${ids}-from`} className="mb-1 block text-sm font-medium text-fg-muted">
            From
          </label>
          <input id={`${ids}-from`} type="datetime-local" value={draft.from} onChange={(e) => setDraft((d) => ({ ...d, from: e.target.value }))} className={inputClass} />
        </div>
        <div>
          <label htmlFor={`${ids}-to`} className="mb-1 block text-sm font-medium text-fg-muted">
            To
          </label>
          <input id={`${ids}-to`} type="datetime-local" value={draft.to} onChange={(e) => setDraft((d) => ({ ...d, to: e.target.value }))} className={inputClass} />
        </div>
        <div className="flex flex-wrap gap-2 sm:col-span-2">
          <button type="submit" disabled={resolving} className={primaryButtonClass}>
            {resolving ? 'Looking up…' : 'Apply filters'}
          </button>
          <button type="button" onClick={clear} disabled={!filtered && !draft.kind && !draft.actor && !draft.from && !draft.to} className={buttonClass}>
            Clear
          </button>
        </div>
      </form>
      <ErrorNote message={formError ?? list.error ?? list.moreError} />
      <p aria-live="polite" className="text-sm text-fg-muted">
        {list.status === 'loading' ? 'Loading…' : list.status === 'ready' && list.items.length === 0 ? (filtered ? 'No events match these filters.' : 'Nothing has happened yet.') : ''}
      </p>
      {list.items.length > 0 ? (
        <ul aria-label="Audit events" className="divide-y divide-line border-y border-line">
          {list.items.map((event) => (
            <EventRow key={event.id} event={event} onActor={showActor} />
          ))}
        </ul>
      ) : null}
      {list.hasMore ? <LoadMore loading={list.loadingMore} onClick={() => void list.loadMore()} /> : null}
    </div>
  );
}
