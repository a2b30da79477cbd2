'use client';
/**
 * Placing calls from a room: the header's voice and video buttons (a direct conversation rings the other
 * person; a room of at most four rings everyone else; a bigger room asks whom to ring, up to three). The banner
 * of a room's live call and "Call back" live in ./call-banner.tsx; this file is fetched after the first paint.
 */
import { HEADER_ACTION } from '@/components/ui/button';
import * as Popover from '@radix-ui/react-popover';
import { useId, useMemo, useState } from 'react';
import { useConnectionStatus } from '@/lib/realtime/client';
import { CALL_MAX_PARTICIPANTS } from '@/lib/schemas/limits';
import type { CallKind } from '@/lib/schemas/call';
import type { RoomMember } from '@/lib/schemas/room';
import { liveCallIn } from '@/lib/stores/calls';
import { useMe, useRoom } from '../room-context';
import { KIND_ICON, ringsEveryone } from './call-banner';
import { useCalls } from './calls-context';

const headerButton = HEADER_ACTION;

/** The room header's call buttons (hidden while the room has a live call: its banner offers to join). */
export function CallButtons() {
  const room = useRoom((s) => s.room);
  const members = useRoom((s) => s.members);
  const me = useMe();
  const live = useCalls((s) => liveCallIn(s.calls, room.id));
  const inCall = useCalls((s) => s.current !== null);
  const starting = useCalls((s) => s.pending === 'start');
  const connection = useConnectionStatus();
  const others = useMemo(() => members.filter((m) => m.user.id !== me.id), [members, me.id]);
  if (live) return null;
  const nobody = others.length === 0 && room.kind !== 'direct';
  const why = inCall ? 'You are in a call' : nobody ? 'Nobody else is in this room' : connection !== 'connected' ? 'Not connected' : null;
  const everyone = ringsEveryone(room, members.length);
  return (
    <div className="flex shrink-0 items-start gap-1" role="group" aria-label="Call">
      {(['audio', 'video'] as const).map((kind) =>
        everyone || why ? (
          <StartButton key={kind} kind={kind} disabledReason={why ?? (starting ? 'Starting a call…' : null)} />
        ) : (
          <InvitePicker key={kind} kind={kind} others={others} disabled={starting} />
        ),
      )}
    </div>
  );
}

function StartButton({ kind, disabledReason }: { kind: CallKind; disabledReason: string | null }) {
  const room = useRoom((s) => s.room);
  const start = useCalls((s) => s.start);
  const Icon = KIND_ICON[kind];
  const label = kind === 'video' ? 'Start a video call' : 'Start a voice call';
  return (
    <button
      type="button"
      data-testid={`start-${kind}-call`}
      aria-label={label}
      title={disabledReason ?? label}
      disabled={disabledReason !== null}
      onClick={() => void start(room.id, kind)}
      className={headerButton}
    >
      <Icon aria-hidden className="size-4" />
    </button>
  );
}

/** A room of more than four: choose up to three people to ring. */
function InvitePicker({ kind, others, disabled }: { kind: CallKind; others: RoomMember[]; disabled: boolean }) {
  const room = useRoom((s) => s.room);
  const start = useCalls((s) => s.start);
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const ids = useId();
  const Icon = KIND_ICON[kind];
  const label = kind === 'video' ? 'Start a video call' : 'Start a voice call';
  const limit = CALL_MAX_PARTICIPANTS - 1;
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return others
      .filter((m) => !q || m.user.displayName.toLowerCase().includes(q) || m.user.username.includes(q))
      .sort((a, b) => a.user.displayName.localeCompare(b.user.displayName))
      .slice(0, 50);
  }, [others, query]);
  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : c.length < limit ? [...c, id] : c));
  return (
    <Popover.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setChosen([]);
      }}
    >
      <Popover.Trigger asChild>
        <button type="button" data-testid={`start-${kind}-call`} aria-label={label} title={label} disabled={disabled} className={headerButton}>
          <Icon aria-hidden className="size-4" />
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content aria-labelledby={`${ids}-title`} align="end" sideOffset={4} collisionPadding={8} className="z-50 w-72 max-w-[calc(100vw-1rem)] rounded-lg border border-line bg-surface p-3 shadow-lg">
          <form
            aria-labelledby={`${ids}-title`}
            onSubmit={(event) => {
              event.preventDefault();
              if (chosen.length === 0) return;
              setOpen(false);
              void start(room.id, kind, chosen);
              setChosen([]);
            }}
          >
            <h2 id={`${ids}-title`} className="text-sm font-semibold text-fg">
              Who should {kind === 'video' ? 'join the video call' : 'join the call'}?
            </h2>
            <p className="mt-0.5 text-xs text-fg-muted">Up to {limit} people; others in the room can join once it started.</p>
            <label htmlFor={`${ids}-q`} className="sr-only">
              Find a member
            </label>
            <input
              id={`${ids}-q`}
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder="Find a member"
              className="mt-2 w-full rounded-md border border-line-strong px-2 py-1 text-sm focus:border-accent focus:outline-none focus:ring-2 focus:ring-focus/30"
            />
            <fieldset className="mt-2 max-h-56 overflow-y-auto">
              <legend className="sr-only">Members to ring</legend>
              {shown.map((m) => {
                const checked = chosen.includes(m.user.id);
                return (
                  <label key={m.user.id} className="flex cursor-pointer items-center gap-2 rounded px-1 py-1 text-sm text-fg hover:bg-surface-muted">
                    <input
                      type="checkbox"
                      data-testid="invite-member"
                      checked={checked}
                      disabled={!checked && chosen.length >= limit}
                      onChange={() => toggle(m.user.id)}
                      className="size-4 accent-accent"
                    />
                    <span className="truncate">{m.user.displayName}</span>
                    <span className="truncate text-xs text-fg-subtle">@{m.user.username}</span>
                  </label>
                );
              })}
              {shown.length === 0 ? <p className="px-1 py-1 text-sm text-fg-muted">Nobody matches.</p> : null}
            </fieldset>
            <button
              type="submit"
              disabled={chosen.length === 0}
              className="mt-2 w-full rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-white hover:bg-accent-hover focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2 disabled:opacity-60"
            >
              {chosen.length ? `Call ${chosen.length} ${chosen.length === 1 ? 'person' : 'people'}` : 'Choose whom to call'}
            </button>
          </form>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
