'use client';
/** Acts that change what the room is: archive or restore it, hand it to someone else, delete it. */
import { useRouter } from 'next/navigation';
import { useId, useRef, useState } from 'react';
import { roomsApi } from '@/lib/api-client';
import { roomSettingsApi } from '@/lib/community/api';
import type { RoomPowers } from '@/lib/community/permissions';
import type { RoomSummary } from '@/lib/schemas/room';
import { useMe, useRoom, useRoomStoreApi } from '../room-context';
import { useRoomsStore } from '../rooms-context';
import { buttonClass, ConfirmDialog, errorText, inputClass, StatusLine } from './controls';

function Block({ title, children, testId }: { title: string; children: React.ReactNode; testId: string }) {
  return (
    <section data-testid={testId} className="rounded-md border border-danger-line p-3">
      <h4 className="text-sm font-semibold text-fg">{title}</h4>
      <div className="mt-1 space-y-2 text-sm text-fg-muted">{children}</div>
    </section>
  );
}

export function DangerZone({ room, powers, onDeleted }: { room: RoomSummary; powers: RoomPowers; onDeleted(): void }) {
  const me = useMe();
  const members = useRoom((s) => s.members);
  const roomStore = useRoomStoreApi();
  const rooms = useRoomsStore();
  const router = useRouter();
  const ids = useId();
  const [confirm, setConfirm] = useState<'archive' | 'transfer' | 'delete' | null>(null);
  const [heir, setHeir] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [restoring, setRestoring] = useState(false);
  /** Archive, or Restore in its place once archived: where focus goes back after either. */
  const archiveButton = useRef<HTMLButtonElement>(null);
  const transferButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const archived = room.archivedAt !== null;
  const candidates = members.filter((m) => m.user.id !== me.id).sort((a, b) => a.user.displayName.localeCompare(b.user.displayName));
  const heirMember = candidates.find((m) => m.user.id === heir);

  function took(answer: RoomSummary, message: string) {
    roomStore.getState().applyRoom(answer);
    rooms.getState().settings(answer);
    setDone(message);
  }

  async function archive(): Promise<string | null> {
    setError(null);
    setDone(null);
    try {
      took((await roomSettingsApi.archive(room.id)).room, 'The room is archived: read-only for everyone.');
      return null;
    } catch (caught) {
      return errorText(caught);
    }
  }

  async function restore() {
    setRestoring(true);
    setError(null);
    setDone(null);
    try {
      took((await roomSettingsApi.restore(room.id)).room, 'The room is restored.');
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setRestoring(false);
    }
  }

  async function transfer(): Promise<string | null> {
    if (!heirMember) return 'Choose a member first.';
    try {
      took((await roomSettingsApi.transfer(room.id, heirMember.user.id)).room, `${heirMember.user.displayName} owns the room now; you are an admin.`);
      setHeir('');
      return null;
    } catch (caught) {
      return errorText(caught);
    }
  }

  async function remove(): Promise<string | null> {
    try {
      await roomsApi.remove(room.id);
      rooms.getState().remove(room.id);
      onDeleted();
      router.push('/');
      return null;
    } catch (caught) {
      return errorText(caught);
    }
  }

  return (
    <div data-testid="danger-zone" className="space-y-4">
      <StatusLine error={error} done={done} />
      {powers.archive ? (
        <Block title={archived ? 'Restore the room' : 'Archive the room'} testId="archive-block">
          {archived ? (
            <>
              <p>The room is archived: everyone can read it, nobody can post or join. Restoring it opens it again.</p>
              <button ref={archiveButton} type="button" data-testid="restore-room" disabled={restoring} onClick={() => void restore()} className={buttonClass.secondary}>
                {restoring ? 'Restoring…' : 'Restore room'}
              </button>
            </>
          ) : (
            <>
              <p>Keep the room and its history, read-only: nobody can post, react, join or change settings until it is restored. It leaves the directory.</p>
              <button ref={archiveButton} type="button" data-testid="archive-room" onClick={() => setConfirm('archive')} className={buttonClass.dangerOutline}>
                Archive room
              </button>
            </>
          )}
        </Block>
      ) : null}
      {powers.transfer ? (
        <Block title="Transfer ownership" testId="transfer-block">
          <p>Make another member the owner. You become an admin.</p>
          <div className="flex flex-wrap items-end gap-2">
            <div className="min-w-0 flex-1">
              <label htmlFor={`${ids}-heir`} className="mb-1 block text-sm font-medium text-fg-muted">
                New owner
              </label>
              <select id={`${ids}-heir`} value={heir} onChange={(e) => setHeir(e.target.value)} className={`${inputClass} border-line-strong`}>
                <option value="">Choose a member…</option>
                {candidates.map((m) => (
                  <option key={m.user.id} value={m.user.id}>
                    {m.user.displayName} (@{m.user.username})
                  </option>
                ))}
              </select>
            </div>
            <button
              ref={transferButton}
              type="button"
              data-testid="transfer-room"
              disabled={!heirMember}
              onClick={() => setConfirm('transfer')}
              className={buttonClass.dangerOutline}
            >
              Transfer…
            </button>
          </div>
        </Block>
      ) : null}
      {powers.deleteRoom ? (
        <Block title="Delete the room" testId="delete-block">
          <p>Delete the room and all its messages and files for everyone. This cannot be undone.</p>
          <button ref={deleteButton} type="button" data-testid="delete-room" onClick={() => setConfirm('delete')} className={buttonClass.danger}>
            Delete room…
          </button>
        </Block>
      ) : null}

      <ConfirmDialog
        open={confirm === 'archive'}
        onOpenChange={(open) => !open && setConfirm(null)}
        title={`Archive ${room.name}?`}
        description="It becomes read-only for everyone until an admin restores it."
        confirmLabel="Archive"
        busyLabel="Archiving…"
        returnFocus={() => archiveButton.current}
        onConfirm={archive}
      />
      <ConfirmDialog
        open={confirm === 'transfer'}
        onOpenChange={(open) => !open && setConfirm(null)}
        title={`Make ${heirMember?.user.displayName ?? 'them'} the owner?`}
        description="Only they can then delete the room or transfer it again. You become an admin."
        confirmLabel="Transfer ownership"
        busyLabel="Transferring…"
        returnFocus={() => transferButton.current}
        onConfirm={transfer}
      />
      <ConfirmDialog
        open={confirm === 'delete'}
        onOpenChange={(open) => !open && setConfirm(null)}
        title={`Delete ${room.name}?`}
        description="The room, its messages and files are deleted for everyone. This cannot be undone."
        confirmLabel="Delete room"
        busyLabel="Deleting…"
        returnFocus={() => deleteButton.current}
        onConfirm={remove}
      />
    </div>
  );
}
