'use client';
import { useRouter } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import { ApiError, roomsApi } from '@/lib/api-client';
import { roomPowers } from '@/lib/community/permissions';
import { shownPresence } from '@/lib/stores/presence';
import { roomTitle } from '@/lib/stores/room-list';
import { deferred } from '@/components/ui/deferred';
import { HashIcon, LockIcon, UsersIcon } from './icons';
import { PresenceDot, PresenceText, usePresence } from './presence-context';
import { useMe, useRoom } from './room-context';
import { useRoomsStore } from './rooms-context';

// The header's actions show once the room is live (after the socket's handshake) and each opens a dialog, menu
// or popover: they are fetched after the first paint (components/ui/deferred.tsx), not with the page.
const CallButtons = deferred(() => import('./calls/call-buttons').then((m) => m.CallButtons)).Component;
const AddPeopleButton = deferred(() => import('./add-people').then((m) => m.AddPeopleButton)).Component;
const RoomSettingsButton = deferred(() => import('./room-settings/room-settings-dialog').then((m) => m.RoomSettingsButton)).Component;
const NotificationMenu = deferred(() => import('./notification-menu').then((m) => m.NotificationMenu)).Component;
const FilesButton = deferred(() => import('./attachments/files-panel').then((m) => m.FilesButton)).Component;

export function RoomHeader({ membersOpen, onToggleMembers }: { membersOpen: boolean; onToggleMembers(): void }) {
  const room = useRoom((s) => s.room);
  const status = useRoom((s) => s.status);
  const memberCount = useRoom((s) => s.members.length);
  const me = useMe();
  const rooms = useRoomsStore();
  const router = useRouter();
  const [confirming, setConfirming] = useState<'delete' | 'leave' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const isDirect = room.kind === 'direct';
  const isGroup = room.kind === 'group';
  // Groups have no owner powers: whoever started one leaves it like anyone else (§4.14).
  const isOwner = room.ownerId === me.id && !isGroup;
  const powers = roomPowers(room);
  const archived = room.archivedAt !== null;
  const peerInfo = usePresence(room.peer?.id);
  const peerOnline = useRoom((s) => (room.peer ? room.peer.id in s.online : false));
  const peerPresence = shownPresence(peerInfo, peerOnline);
  const jumpTo = useRoom((s) => s.jumpTo);

  async function run(action: () => Promise<unknown>, after: () => void) {
    setBusy(true);
    setError(null);
    try {
      await action();
      after();
      router.push('/');
    } catch (caught) {
      setBusy(false);
      setError(caught instanceof ApiError ? caught.message : 'Something went wrong. Please try again.');
    }
  }

  const leave = () => run(() => roomsApi.leave(room.id), () => rooms.getState().left(room.id));
  const remove = () => run(() => roomsApi.remove(room.id), () => rooms.getState().remove(room.id));

  return (
    <header data-testid="room-header" className="border-b border-line bg-surface px-3 py-2 sm:px-4">
      {/* The buttons go under the name, together, when a phone has no room for both. */}
      <div className="flex flex-wrap items-start gap-2">
        <div className="min-w-0 flex-1 basis-40">
          <h1 className="flex items-center gap-1.5 text-lg font-semibold">
            {isDirect ? (
              <PresenceDot presence={peerPresence} />
            ) : isGroup ? (
              <UsersIcon className="shrink-0 text-fg-subtle" role="img" aria-hidden={false} aria-label="Group conversation" />
            ) : room.kind === 'private' ? (
              <LockIcon className="shrink-0 text-fg-subtle" role="img" aria-hidden={false} aria-label="Private room" />
            ) : (
              <HashIcon className="shrink-0 text-fg-subtle" />
            )}
            <span className="truncate" data-testid="room-name">
              {roomTitle(room)}
            </span>
            {archived ? (
              <span data-testid="archived-badge" className="shrink-0 rounded bg-warning-soft px-1.5 py-0.5 text-xs font-medium text-warning-fg">
                Archived
              </span>
            ) : null}
          </h1>
          {isDirect ? (
            <p className="text-sm text-fg-muted">
              {room.peer ? `@${room.peer.username}` : null} <PresenceText presence={peerPresence} />
            </p>
          ) : isGroup ? (
            <p className="text-sm text-fg-muted">
              {room.memberCount} {room.memberCount === 1 ? 'person' : 'people'}
            </p>
          ) : room.topic ? (
            <p data-testid="room-topic" title={room.description || undefined} className="line-clamp-2 break-words text-sm text-fg-muted">
              {room.topic}
            </p>
          ) : room.description ? (
            <p className="line-clamp-2 break-words text-sm text-fg-muted">{room.description}</p>
          ) : null}
        </div>
        <div className="ml-auto flex min-w-0 max-w-full flex-wrap items-start justify-end gap-2">
          {status === 'live' && !archived ? <CallButtons /> : null}
          {status === 'live' && powers.addPeople ? <AddPeopleButton /> : null}
          {status === 'live' ? <RoomSettingsButton /> : null}
          {status === 'live' ? <NotificationMenu room={room} onError={setError} /> : null}
          {status === 'live' ? (
            <FilesButton roomId={room.id} roomLabel={isDirect || isGroup ? roomTitle(room) : `#${roomTitle(room)}`} onOpenMessage={(seq) => void jumpTo(seq)} />
          ) : null}
          {status === 'removed' ? null : (
            <button
              type="button"
              onClick={onToggleMembers}
              aria-expanded={membersOpen}
              aria-controls="room-members"
              className="flex min-h-touch shrink-0 items-center gap-1 rounded-control border border-line-strong px-3 text-sm hover:bg-surface-muted md:hidden"
            >
              <UsersIcon aria-hidden="true" />
              <span>{memberCount}</span>
              <span className="sr-only">members</span>
            </button>
          )}
          {status === 'live' && !confirming && !isDirect ? (
            isOwner ? (
              <button
                type="button"
                onClick={() => setConfirming('delete')}
                className="min-h-touch shrink-0 rounded-control border border-danger-line px-3 py-1 text-sm text-danger-fg hover:bg-danger-soft md:min-h-0"
              >
                Delete
              </button>
            ) : (
              <button
                type="button"
                disabled={busy}
                onClick={isGroup ? () => setConfirming('leave') : leave}
                className="min-h-touch shrink-0 rounded-control border border-line-strong px-3 py-1 text-sm hover:bg-surface-muted disabled:opacity-60 md:min-h-0"
              >
                {busy ? 'Leaving…' : 'Leave'}
              </button>
            )
          ) : null}
        </div>
      </div>
      {confirming === 'leave' ? (
        <InlineConfirm
          label="Leave this conversation"
          tone="neutral"
          confirmLabel={busy ? 'Leaving…' : 'Leave conversation'}
          confirmTestId="confirm-leave"
          busy={busy}
          onConfirm={leave}
          onCancel={() => setConfirming(null)}
        >
          Leave the conversation with <strong>{roomTitle(room)}</strong>? You stop seeing it; someone in it can add you again.
        </InlineConfirm>
      ) : null}
      {confirming === 'delete' ? (
        <InlineConfirm
          label="Delete this room"
          tone="danger"
          confirmLabel={busy ? 'Deleting…' : 'Delete room'}
          busy={busy}
          onConfirm={remove}
          onCancel={() => setConfirming(null)}
        >
          Delete <strong>{room.name}</strong> and all its messages for everyone? This cannot be undone.
        </InlineConfirm>
      ) : null}
      {error ? (
        <p role="alert" className="mt-2 text-sm text-danger-fg">
          {error}
        </p>
      ) : null}
    </header>
  );
}

/** A confirmation shown under the header (not a modal: the room stays readable while deciding). */
function InlineConfirm({
  label,
  tone,
  confirmLabel,
  confirmTestId,
  busy,
  onConfirm,
  onCancel,
  children,
}: {
  label: string;
  tone: 'neutral' | 'danger';
  confirmLabel: string;
  confirmTestId?: string;
  busy: boolean;
  onConfirm(): void;
  onCancel(): void;
  children: ReactNode;
}) {
  const frame = tone === 'danger' ? 'border-danger-line bg-danger-soft' : 'border-line bg-surface-muted';
  return (
    <div role="alertdialog" aria-label={label} className={`mt-2 rounded-md border p-3 text-sm ${frame}`}>
      <p className={tone === 'danger' ? 'text-danger-fg' : 'text-fg'}>{children}</p>
      <div className="mt-2 flex gap-2">
        <button
          type="button"
          data-testid={confirmTestId}
          disabled={busy}
          onClick={onConfirm}
          className="rounded-md bg-danger px-3 py-1 font-medium text-white hover:bg-danger disabled:opacity-60"
        >
          {confirmLabel}
        </button>
        <button type="button" disabled={busy} onClick={onCancel} className="rounded-md border border-line-strong bg-surface px-3 py-1 hover:bg-surface-muted">
          Cancel
        </button>
      </div>
    </div>
  );
}
