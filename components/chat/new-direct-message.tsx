'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ApiError, directApi } from '@/lib/api-client';
import { groupsApi } from '@/lib/community/api';
import { GROUP_MAX_MEMBERS, GROUP_MIN_MEMBERS } from '@/lib/schemas/limits';
import type { RoomSummary } from '@/lib/schemas/room';
import type { PublicUser } from '@/lib/schemas/user';
import { PeoplePicker } from './people-picker';
import { openRoomHref } from './room-navigation';
import { useRoomsStore } from './rooms-context';

const MIN_OTHERS = GROUP_MIN_MEMBERS - 1;
const MAX_OTHERS = GROUP_MAX_MEMBERS - 1;

/**
 * Finds people by username or display name: choosing a name opens (or starts) the direct conversation
 * with them; choosing 2–8 people with their "+" starts a group conversation (docs/protocol.md §4.14).
 */
export function NewDirectMessage({ onDone }: { onDone(): void }) {
  const rooms = useRoomsStore();
  const router = useRouter();
  const [starting, setStarting] = useState<string | null>(null);
  const [group, setGroup] = useState<PublicUser[]>([]);
  const [error, setError] = useState<string | null>(null);

  async function open(action: () => Promise<{ room: RoomSummary }>, key: string, fallback: string) {
    setStarting(key);
    setError(null);
    try {
      const { room } = await action();
      rooms.getState().upsert(room);
      onDone();
      openRoomHref(`/rooms/${room.id}`, rooms, router);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : fallback);
    } finally {
      setStarting(null);
    }
  }

  const enough = group.length >= MIN_OTHERS;
  return (
    <div data-testid="new-direct-message" className="mt-1 rounded-md border border-line bg-surface p-2">
      <PeoplePicker
        label="Find people"
        selected={group}
        onChange={setGroup}
        max={MAX_OTHERS}
        onMessage={(user) => void open(() => directApi.start(user.id), user.id, 'Could not start the conversation. Try again.')}
        busyId={starting}
        onEscape={onDone}
      />
      <p className="mt-1 px-1 text-xs text-fg-muted">
        Choose a name to message them, or <span aria-hidden="true">+</span> <span className="sr-only">add</span> {MIN_OTHERS}–{MAX_OTHERS} people for a group.
      </p>
      {group.length > 0 ? (
        <button
          type="button"
          data-testid="start-group"
          disabled={!enough || starting !== null}
          onClick={() => void open(() => groupsApi.start(group.map((u) => u.id)), 'group', 'Could not start the group. Try again.')}
          className="mt-2 w-full rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-white hover:bg-accent-hover focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2 disabled:opacity-60"
        >
          {starting === 'group' ? 'Starting…' : enough ? `Start a group with ${group.length} people` : `Choose ${MIN_OTHERS - group.length} more for a group`}
        </button>
      ) : null}
      {error ? (
        <p role="alert" className="mt-1 px-1 text-sm text-danger-fg">
          {error}
        </p>
      ) : null}
    </div>
  );
}
