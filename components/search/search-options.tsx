'use client';
import { ChatBubbleLeftRightIcon, UserGroupIcon, UserIcon } from '@heroicons/react/20/solid';
import { Command } from 'cmdk';
import type { ReactNode } from 'react';
import { HashIcon, LockIcon } from '@/components/chat/icons';
import { callSnippet } from '@/lib/calls/describe';
import { attachmentSummary } from '@/lib/files/display';
import type { RoomSummary } from '@/lib/schemas/room';
import type { SearchHit, SnippetPart } from '@/lib/schemas/search';
import type { PublicUser } from '@/lib/schemas/user';
import { roomTitle } from '@/lib/stores/room-list';
import { hitTime } from './hit-time';

/** One look for every option: the active one (keyboard or pointer) in the brand tint. */
const optionClass =
  'flex cursor-pointer select-none items-start gap-3 rounded-lg px-3 py-2 text-fg data-[selected=true]:bg-accent-soft data-[selected=true]:ring-1 data-[selected=true]:ring-inset data-[selected=true]:ring-focus';

function RoomKindIcon({ kind, className = '' }: { kind: RoomSummary['kind']; className?: string }) {
  if (kind === 'direct') return <UserIcon aria-hidden className={`size-4 shrink-0 text-fg-subtle ${className}`} />;
  if (kind === 'group') return <UserGroupIcon aria-hidden className={`size-4 shrink-0 text-fg-subtle ${className}`} />;
  if (kind === 'private') return <LockIcon className={`shrink-0 text-fg-subtle ${className}`} />;
  return <HashIcon className={`shrink-0 text-fg-subtle ${className}`} />;
}

/** The snippet as plain text, the matched words marked: never parsed as HTML or Markdown. */
export function Snippet({ parts }: { parts: SnippetPart[] }) {
  return (
    <p data-testid="search-snippet" className="line-clamp-3 break-words text-sm text-fg-muted">
      {parts.map((part, i) =>
        part.match ? (
          <mark key={i} className="rounded-sm bg-amber-200 px-0.5 font-medium text-slate-900">
            {part.text}
          </mark>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </p>
  );
}

function Badge({ children }: { children: ReactNode }) {
  return <span className="shrink-0 rounded bg-surface-sunken px-1.5 py-px text-xs font-medium text-fg-muted">{children}</span>;
}

export function HitOption({ hit, value, now, onSelect }: { hit: SearchHit; value: string; now: Date; onSelect(): void }) {
  const { message, room } = hit;
  const where = room.kind === 'direct' ? (room.peer?.displayName ?? 'Direct message') : room.name;
  const time = hitTime(message.createdAt, now);
  return (
    <Command.Item
      value={value}
      onSelect={onSelect}
      data-testid="search-hit"
      data-room-id={room.id}
      data-seq={message.seq}
      className={optionClass}
    >
      <RoomKindIcon kind={room.kind} className="mt-1" />
      <div className="min-w-0 flex-1">
        <div className="flex min-w-0 items-baseline gap-2 text-sm">
          <span className="min-w-0 flex-1 truncate">
            <span className="font-semibold text-fg">{where}</span>
            {/* Wide screens: "Room · Author" on one line; phones give the author a line of its own. */}
            <span className="hidden text-fg-muted sm:inline">
              <span aria-hidden> · </span>
              {message.author.displayName}
            </span>
          </span>
          <time dateTime={message.createdAt} title={time.title} className="shrink-0 text-xs text-fg-muted">
            {time.label}
          </time>
        </div>
        <p className="truncate text-sm font-medium text-fg-muted sm:hidden">{message.author.displayName}</p>
        {hit.snippet.some((part) => part.text.trim()) ? <Snippet parts={hit.snippet} /> : null}
        {message.call ? (
          <p data-testid="search-hit-call" className="truncate text-sm text-fg-muted">
            {callSnippet(message.call)}
          </p>
        ) : null}
        {message.attachments.length > 0 ? (
          <p data-testid="search-hit-files" className="truncate text-sm text-fg-muted">
            {attachmentSummary(message.attachments)}
          </p>
        ) : null}
        {message.threadRootSeq !== null || !room.isMember ? (
          <div className="mt-1 flex flex-wrap gap-1.5">
            {message.threadRootSeq !== null ? <Badge>Thread reply</Badge> : null}
            {!room.isMember ? <Badge>Not joined · open to join</Badge> : null}
          </div>
        ) : null}
      </div>
    </Command.Item>
  );
}

export function RoomOption({ room, value, onSelect }: { room: RoomSummary; value: string; onSelect(): void }) {
  return (
    <Command.Item value={value} onSelect={onSelect} data-testid="search-room" data-room-id={room.id} className={optionClass}>
      <RoomKindIcon kind={room.kind} className="mt-0.5" />
      <span className="min-w-0 flex-1 truncate text-sm font-medium">{roomTitle(room)}</span>
      <span className="shrink-0 text-xs text-fg-muted">
        {room.kind === 'direct' ? (room.peer ? `@${room.peer.username}` : '') : `${room.memberCount} member${room.memberCount === 1 ? '' : 's'}`}
      </span>
    </Command.Item>
  );
}

export function JoinableRoomOption({ room, value, onSelect }: { room: RoomSummary; value: string; onSelect(): void }) {
  const members = `${room.memberCount} member${room.memberCount === 1 ? '' : 's'}`;
  return (
    <Command.Item value={value} onSelect={onSelect} data-testid="search-joinable-room" data-room-id={room.id} className={optionClass}>
      <RoomKindIcon kind={room.kind} className="mt-0.5" />
      <span className="min-w-0 flex-1">
        <span className="block truncate text-sm font-medium">{room.name}</span>
        {room.description ? <span className="block truncate text-xs text-fg-muted">{room.description}</span> : null}
      </span>
      <span className="shrink-0 text-xs text-fg-muted">
        {members} · {room.kind === 'private' ? 'password to join' : 'join'}
      </span>
    </Command.Item>
  );
}

export function PersonOption({ user, value, onSelect }: { user: PublicUser; value: string; onSelect(): void }) {
  return (
    <Command.Item value={value} onSelect={onSelect} data-testid="search-person" data-username={user.username} className={optionClass}>
      <ChatBubbleLeftRightIcon aria-hidden className="mt-0.5 size-4 shrink-0 text-fg-subtle" />
      <span className="min-w-0 flex-1 truncate text-sm">
        <span className="font-medium">{user.displayName}</span> <span className="text-fg-muted">@{user.username}</span>
      </span>
      <span className="shrink-0 text-xs text-fg-muted">Message</span>
    </Command.Item>
  );
}

export const groupClass =
  'px-2 pb-1 [&_[cmdk-group-heading]]:px-3 [&_[cmdk-group-heading]]:pb-1 [&_[cmdk-group-heading]]:pt-3 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-semibold [&_[cmdk-group-heading]]:uppercase [&_[cmdk-group-heading]]:tracking-wide [&_[cmdk-group-heading]]:text-fg-muted';

export { optionClass };
