'use client';
import { useMemo } from 'react';
import type { ChatMessage } from '@/lib/schemas/message';
import { roomPowers } from '@/lib/community/permissions';
import type { RoomMember } from '@/lib/schemas/room';
import { deferred } from '@/components/ui/deferred';
import { MessageRowsSkeleton } from '@/components/ui/skeleton';
import { preloadMessageMarkdown } from './message-body';
import { useMe, useRoom } from './room-context';

/**
 * The room's timeline (./timeline/timeline-view.tsx). It only ever renders in the browser (Virtuoso places rows
 * with inline styles that the CSP keeps out of server HTML), so it is not part of the page's first JavaScript: it
 * starts downloading while the page hydrates and its socket connects (components/ui/deferred.tsx), together
 * with the Markdown renderer so that rows first appear formatted. Until then, skeleton rows (the server's HTML has
 * them too, so the first paint is not an empty room), or, if a fetch failed and is being tried again, a line saying so.
 */
const Timeline = deferred(
  () => Promise.all([import('./timeline/timeline-view'), preloadMessageMarkdown()]).then(([m]) => m.MessageList),
  (_props, state) => (
    <div className="relative flex min-h-0 flex-1 flex-col" data-testid="message-scroller-placeholder">
      {state === 'failed' ? (
        <p role="status" className="m-auto p-4 text-center text-sm text-fg-muted">
          The conversation could not be loaded; trying again…{' '}
          <button type="button" onClick={() => location.reload()} className="font-medium text-link underline underline-offset-2 focus-visible:outline-2 focus-visible:outline-focus">
            Reload the page
          </button>
        </p>
      ) : (
        <MessageRowsSkeleton />
      )}
    </div>
  ),
);
export const MessageList = Timeline.Component;
/**
 * For the signed-in shell, whose code runs before a room page's: starting the fetch there rather than when the page's
 * own modules run (late in hydration) puts the room's first rows on screen sooner.
 */
export const preloadTimeline = Timeline.preload;

/** Display names and usernames of the room's members, by user id. */
export function useMemberNames(members: RoomMember[]) {
  return useMemo(() => {
    const names = new Map<string, string>();
    const usernames = new Map<string, string>();
    for (const m of members) {
      names.set(m.user.id, m.user.displayName);
      usernames.set(m.user.id, m.user.username);
    }
    return { names, usernames };
  }, [members]);
}

/** Per member list, per message: one Set each, so memoized rows are not re-rendered for a new but equal Set. */
const mentionSets = new WeakMap<ReadonlyMap<string, string>, WeakMap<ChatMessage, ReadonlySet<string>>>();

function mentionedUsernames(message: ChatMessage, usernames: ReadonlyMap<string, string>): ReadonlySet<string> {
  let byMessage = mentionSets.get(usernames);
  if (!byMessage) mentionSets.set(usernames, (byMessage = new WeakMap()));
  let set = byMessage.get(message);
  if (!set) byMessage.set(message, (set = new Set(message.mentions.map((id) => usernames.get(id)).filter((u): u is string => Boolean(u)))));
  return set;
}

/** The per-message props every row view (timeline, thread) computes the same way. */
export function useRowProps() {
  const me = useMe();
  const members = useRoom((s) => s.members);
  const room = useRoom((s) => s.room);
  const editingSeq = useRoom((s) => s.editingSeq);
  const highlightSeq = useRoom((s) => s.highlightSeq);
  const threadReads = useRoom((s) => s.threadReads);
  const { names, usernames } = useMemberNames(members);
  const deleteAny = roomPowers(room).deleteAnyMessage;
  return (message: ChatMessage) => {
    const mentioned = mentionedUsernames(message, usernames);
    const mine = message.author.id === me.id;
    const thread = message.thread;
    const following = thread !== null && (mine || threadReads[message.seq] !== undefined || thread.participants.some((p) => p.id === me.id));
    return {
      mine,
      // Moderators and up delete anyone's message; a room event's line only they may delete (§4.13).
      // An archived room is read-only: nothing is deleted either.
      canDelete: room.archivedAt === null && (message.event ? deleteAny : mine || deleteAny),
      editing: editingSeq === message.seq,
      highlighted: highlightSeq === message.seq,
      mentionsMe: !mine && (message.mentionsRoom || message.mentions.includes(me.id)),
      mentionedUsernames: mentioned,
      meUsername: me.username,
      threadUnread: following && thread.participants[0]?.id !== me.id && thread.lastReplySeq > (threadReads[message.seq] ?? 0),
      names,
    };
  };
}

