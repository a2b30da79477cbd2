'use client';
/**
 * The room's members with their roles and mutes, and per member the acts the viewer's role allows over
 * theirs (docs/protocol.md §4.13): change role, mute for a while (with a reason), unmute, kick, ban.
 */
import { CheckIcon, EllipsisHorizontalIcon } from '@heroicons/react/20/solid';
import * as Menu from '@radix-ui/react-dropdown-menu';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { MUTE_PRESETS, formatUntil } from '@/lib/community/describe';
import { membersApi, bansApi } from '@/lib/community/api';
import { assignableRoles, canModerate, isMutedNow, type AssignableRole } from '@/lib/community/permissions';
import { roleRank, type MemberRole, type RoomMember, type RoomSummary } from '@/lib/schemas/room';
import { useMe, useRoom, useRoomStoreApi } from '../room-context';
import { ConfirmDialog, errorText, inputClass, SectionTitle, StatusLine } from './controls';

const ROLE_LABEL: Record<MemberRole, string> = { owner: 'Owner', admin: 'Admin', moderator: 'Moderator', member: 'Member' };
const MAKE_LABEL: Record<AssignableRole, string> = { admin: 'Make admin', moderator: 'Make moderator', member: 'Make member' };

const itemClass =
  'flex cursor-default select-none items-center gap-2 rounded px-2 py-1.5 text-sm text-fg outline-none data-[highlighted]:bg-accent-soft-strong data-[disabled]:opacity-60';

export function RoleBadge({ role }: { role: MemberRole }) {
  if (role === 'member') return null;
  const tone = role === 'owner' ? 'bg-warning-soft text-warning-fg' : role === 'admin' ? 'bg-accent-soft-strong text-link' : 'bg-success-soft text-success-fg';
  return (
    <span data-testid="role-badge" data-role={role} className={`shrink-0 rounded px-1.5 text-xs font-medium ${tone}`}>
      {ROLE_LABEL[role].toLowerCase()}
    </span>
  );
}

type Pending = { kind: 'kick' | 'ban' | 'mute'; member: RoomMember } | null;

/** Re-renders when the soonest mute among `members` ends, so its badge goes away on time. */
function useMuteClock(members: RoomMember[]): number {
  const [now, setNow] = useState(() => Date.now());
  const next = useMemo(() => {
    const ends = members.map((m) => (m.mutedUntil ? Date.parse(m.mutedUntil) : Infinity)).filter((t) => t > now);
    return ends.length ? Math.min(...ends) : Infinity;
  }, [members, now]);
  useEffect(() => {
    if (!Number.isFinite(next)) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.min(2_147_000_000, Math.max(0, next - Date.now()) + 50));
    return () => clearTimeout(timer);
  }, [next]);
  return now;
}

export function MembersSettings({ room }: { room: RoomSummary }) {
  const me = useMe();
  const members = useRoom((s) => s.members);
  const roomStore = useRoomStoreApi();
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [muteSeconds, setMuteSeconds] = useState(MUTE_PRESETS[1]!.seconds);
  const triggers = useRef(new Map<string, HTMLButtonElement>());
  const list = useRef<HTMLUListElement>(null);
  /** Whom the open confirmation is about: kept past its closing, for where focus goes back. */
  const actingOn = useRef<string | null>(null);
  const filterId = useId();
  const durationName = useId();
  const now = useMuteClock(members);
  const viewer = room.role;
  const archived = room.archivedAt !== null;

  const rows = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return members
      .filter((m) => !q || m.user.displayName.toLowerCase().includes(q) || m.user.username.includes(q))
      .sort((a, b) => roleRank(b.role) - roleRank(a.role) || a.user.displayName.localeCompare(b.user.displayName, undefined, { sensitivity: 'base' }));
  }, [members, filter]);

  async function act(description: string, action: () => Promise<{ member: RoomMember } | void>): Promise<string | null> {
    setError(null);
    setDone(null);
    try {
      const answer = await action();
      if (answer) roomStore.getState().applyMember(answer.member);
      setDone(description);
      return null;
    } catch (caught) {
      const message = errorText(caught);
      setError(message);
      return message;
    }
  }

  /** The member's menu button, or the list when the member is gone (kicked, banned). Read when the dialog closes. */
  function focusTarget(): HTMLElement | null {
    const id = actingOn.current;
    return (id ? triggers.current.get(id) : undefined) ?? list.current;
  }
  function ask(kind: NonNullable<Pending>['kind'], member: RoomMember) {
    actingOn.current = member.user.id;
    setPending({ kind, member });
  }

  return (
    <div data-testid="members-settings">
      <SectionTitle title="Members" hint={`${members.length} ${members.length === 1 ? 'person' : 'people'}. You can act on members of a lower role than yours.`} />
      <label htmlFor={filterId} className="sr-only">
        Filter members
      </label>
      <input
        id={filterId}
        type="search"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
        placeholder="Filter members"
        autoComplete="off"
        className={`${inputClass} mb-3 border-line-strong`}
      />
      <StatusLine error={error} done={done} />
      <ul ref={list} tabIndex={-1} aria-label="Members" className="mt-2 divide-y divide-line focus:outline-none">
        {rows.map((member) => {
          const isSelf = member.user.id === me.id;
          const roles = archived ? [] : assignableRoles(viewer, member.role, isSelf);
          const moderatable = !archived && canModerate(viewer, member.role, isSelf);
          const muted = isMutedNow(member.mutedUntil, now);
          const hasActions = roles.length > 0 || moderatable;
          return (
            <li key={member.user.id} data-testid="settings-member" data-username={member.user.username} data-role={member.role} data-muted={muted || undefined} className="flex items-center gap-2 py-2">
              <span className="flex min-w-0 flex-1 flex-col">
                <span className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-0.5 text-sm">
                  <span className="truncate font-medium text-fg">
                    {member.user.displayName}
                    {isSelf ? <span className="font-normal text-fg-muted"> (you)</span> : null}
                  </span>
                  <RoleBadge role={member.role} />
                  {muted && member.mutedUntil ? (
                    <span data-testid="mute-badge" className="shrink-0 rounded bg-surface-sunken px-1.5 text-xs text-fg-muted">
                      muted until {formatUntil(member.mutedUntil)}
                    </span>
                  ) : null}
                </span>
                <span className="truncate text-xs text-fg-muted">@{member.user.username}</span>
              </span>
              {hasActions ? (
                <Menu.Root modal={false}>
                  <Menu.Trigger asChild>
                    <button
                      type="button"
                      ref={(el) => {
                        if (el) triggers.current.set(member.user.id, el);
                        else triggers.current.delete(member.user.id);
                      }}
                      data-testid="member-actions"
                      aria-label={`Actions for ${member.user.displayName}`}
                      className="flex size-8 shrink-0 items-center justify-center rounded-md text-fg-muted hover:bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus data-[state=open]:bg-surface-sunken"
                    >
                      <EllipsisHorizontalIcon aria-hidden="true" className="size-5" />
                    </button>
                  </Menu.Trigger>
                  <Menu.Portal>
                    <Menu.Content align="end" sideOffset={4} collisionPadding={8} className="z-[55] w-56 rounded-md border border-line bg-surface p-1 shadow-lg">
                      {roles.length > 0 ? (
                        <>
                          <Menu.Label className="px-2 pb-1 pt-1.5 text-xs font-semibold uppercase tracking-wide text-fg-muted">
                            Role: {ROLE_LABEL[member.role]}
                          </Menu.Label>
                          {roles.map((role) => (
                            <Menu.Item
                              key={role}
                              data-testid={`make-${role}`}
                              className={itemClass}
                              onSelect={() =>
                                void act(`${member.user.displayName} is now ${role === 'admin' ? 'an admin' : `a ${role}`}.`, () =>
                                  membersApi.setRole(room.id, member.user.id, role),
                                )
                              }
                            >
                              <CheckIcon aria-hidden="true" className="size-4 text-transparent" />
                              {MAKE_LABEL[role]}
                            </Menu.Item>
                          ))}
                        </>
                      ) : null}
                      {moderatable ? (
                        <>
                          {roles.length > 0 ? <Menu.Separator className="my-1 h-px bg-surface-strong" /> : null}
                          {muted ? (
                            <Menu.Item
                              data-testid="unmute"
                              className={itemClass}
                              onSelect={() => void act(`${member.user.displayName} can post again.`, () => membersApi.unmute(room.id, member.user.id))}
                            >
                              Unmute
                            </Menu.Item>
                          ) : null}
                          <Menu.Item data-testid="mute" className={itemClass} onSelect={() => ask('mute', member)}>
                            {muted ? 'Mute for another while…' : 'Mute…'}
                          </Menu.Item>
                          <Menu.Separator className="my-1 h-px bg-surface-strong" />
                          <Menu.Item data-testid="kick" className={`${itemClass} text-danger-fg`} onSelect={() => ask('kick', member)}>
                            Remove from room…
                          </Menu.Item>
                          <Menu.Item data-testid="ban" className={`${itemClass} text-danger-fg`} onSelect={() => ask('ban', member)}>
                            Ban…
                          </Menu.Item>
                        </>
                      ) : null}
                    </Menu.Content>
                  </Menu.Portal>
                </Menu.Root>
              ) : null}
            </li>
          );
        })}
        {rows.length === 0 ? <li className="py-3 text-sm text-fg-muted">Nobody matches.</li> : null}
      </ul>

      <ConfirmDialog
        open={pending?.kind === 'kick'}
        onOpenChange={(open) => !open && setPending(null)}
        title={`Remove ${pending?.member.user.displayName ?? ''}?`}
        description="They leave the room now. They can come back the usual ways (joining, a password, an invitation)."
        confirmLabel="Remove"
        busyLabel="Removing…"
        withReason
        returnFocus={focusTarget}
        onConfirm={(reason) => {
          const target = pending!.member;
          return act(`${target.user.displayName} was removed.`, () => membersApi.kick(room.id, target.user.id, reason));
        }}
      />
      <ConfirmDialog
        open={pending?.kind === 'ban'}
        onOpenChange={(open) => !open && setPending(null)}
        title={`Ban ${pending?.member.user.displayName ?? ''}?`}
        description="They leave the room now and cannot come back by any way until the ban is lifted (Bans)."
        confirmLabel="Ban"
        busyLabel="Banning…"
        withReason
        returnFocus={focusTarget}
        onConfirm={(reason) => {
          const target = pending!.member;
          return act(`${target.user.displayName} was banned.`, async () => {
            await bansApi.ban(room.id, target.user.id, reason);
          });
        }}
      />
      <ConfirmDialog
        open={pending?.kind === 'mute'}
        onOpenChange={(open) => !open && setPending(null)}
        title={`Mute ${pending?.member.user.displayName ?? ''}`}
        description="They keep reading but cannot post, react or start calls until the mute ends."
        confirmLabel="Mute"
        busyLabel="Muting…"
        danger={false}
        withReason
        returnFocus={focusTarget}
        onConfirm={(reason) => {
          const target = pending!.member;
          const label = MUTE_PRESETS.find((p) => p.seconds === muteSeconds)?.label ?? '';
          return act(`${target.user.displayName} is muted for ${label}.`, () => membersApi.mute(room.id, target.user.id, muteSeconds, reason));
        }}
      >
        <fieldset className="mt-3">
          <legend className="mb-1 text-sm font-medium text-fg-muted">For how long</legend>
          <div className="grid grid-cols-2 gap-1 sm:grid-cols-3">
            {MUTE_PRESETS.map((preset) => (
              <label key={preset.seconds} className="flex items-center gap-2 text-sm">
                <input type="radio" name={durationName} checked={muteSeconds === preset.seconds} onChange={() => setMuteSeconds(preset.seconds)} />
                {preset.label}
              </label>
            ))}
          </div>
        </fieldset>
      </ConfirmDialog>
    </div>
  );
}
