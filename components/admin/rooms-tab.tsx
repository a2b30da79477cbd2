'use client';
import Link from 'next/link';
import { useState } from 'react';
import type { AdminRoomView } from '@/lib/schemas/admin';
import { adminApi } from './admin-api';
import { Badge, ConfirmButton, DateTime, ErrorNote, LoadMore, SearchBox, useOneActAtATime } from './admin-ui';
import { usePagedList } from './use-paged-list';

function RoomRow({ room, onArchive, onDelete }: { room: AdminRoomView; onArchive(room: AdminRoomView, archived: boolean): void; onDelete(room: AdminRoomView): void }) {
  return (
    <li data-testid="admin-room" data-room-id={room.id} className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2 py-3">
      <div className="min-w-0 flex-1 basis-56">
        <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
          {room.kind === 'public' ? (
            <Link href={`/rooms/${room.id}`} className="break-words font-medium text-fg hover:underline">
              {room.name}
            </Link>
          ) : (
            <span className="break-words font-medium text-fg">{room.name}</span>
          )}
          <Badge>{room.kind === 'private' ? 'Private' : 'Public'}</Badge>
          {room.archivedAt ? <Badge tone="warning">Archived</Badge> : null}
        </p>
        <p className="mt-0.5 text-xs text-fg-muted">
          Owner {room.owner.displayName} (@{room.owner.username}) · {room.memberCount} member{room.memberCount === 1 ? '' : 's'} · {room.lastSeq} message
          {room.lastSeq === 1 ? '' : 's'} · created <DateTime iso={room.createdAt} />
        </p>
      </div>
      <div className="flex flex-wrap gap-2">
        {room.archivedAt ? (
          <ConfirmButton
            label="Restore"
            srLabel={room.name}
            title={`Restore “${room.name}”?`}
            description="Its members can post again, and a public room is back in the directory."
            confirmLabel="Restore"
            onConfirm={() => onArchive(room, false)}
            testId="restore-room"
          />
        ) : (
          <ConfirmButton
            label="Archive"
            srLabel={room.name}
            title={`Archive “${room.name}”?`}
            description="The room becomes read-only for everyone and leaves the directory. Its history stays, and you can restore it."
            confirmLabel="Archive"
            onConfirm={() => onArchive(room, true)}
            testId="archive-room"
          />
        )}
        <ConfirmButton
          label="Delete"
          srLabel={room.name}
          title={`Delete “${room.name}”?`}
          description={`The room and all its messages and files are gone for its ${room.memberCount} member${room.memberCount === 1 ? '' : 's'}. This cannot be undone.`}
          confirmLabel="Delete room"
          danger
          onConfirm={() => onDelete(room)}
          testId="delete-room"
        />
      </div>
    </li>
  );
}

/** Public and private rooms (never conversations): archive, restore, delete. */
export function RoomsTab() {
  const [query, setQuery] = useState('');
  const q = query.trim();
  const list = usePagedList<AdminRoomView>(q, async (cursor, signal) => {
    const page = await adminApi.rooms({ q, cursor }, signal);
    return { items: page.rooms, nextCursor: page.nextCursor };
  });
  const { act, error, notice, setNotice } = useOneActAtATime();

  const setArchived = (room: AdminRoomView, archived: boolean) =>
    void act(async () => {
      const { settings } = await adminApi.setArchived(room.id, archived);
      list.replace({ ...room, archivedAt: settings.archivedAt });
      setNotice(archived ? `“${room.name}” is archived.` : `“${room.name}” is restored.`);
    });

  const remove = (room: AdminRoomView) =>
    void act(async () => {
      await adminApi.deleteRoom(room.id);
      list.remove(room.id);
      setNotice(`“${room.name}” was deleted.`);
    });

  return (
    <div className="space-y-3">
      <SearchBox label="Search rooms" value={query} onChange={setQuery} placeholder="Room name" />
      <p aria-live="polite" className="text-sm text-fg-muted">
        {list.status === 'loading' ? 'Loading…' : list.status === 'ready' && list.items.length === 0 ? (q ? `No rooms match “${q}”.` : 'There are no rooms yet.') : ''}
      </p>
      <p role="status" className="text-sm text-success-fg empty:hidden">
        {notice ?? ''}
      </p>
      <ErrorNote message={list.error ?? error ?? list.moreError} />
      {list.items.length > 0 ? (
        <ul aria-label="Rooms" className="divide-y divide-line border-y border-line">
          {list.items.map((room) => (
            <RoomRow key={room.id} room={room} onArchive={setArchived} onDelete={remove} />
          ))}
        </ul>
      ) : null}
      {list.hasMore ? <LoadMore loading={list.loadingMore} onClick={() => void list.loadMore()} /> : null}
    </div>
  );
}
