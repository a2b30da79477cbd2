'use client';
/**
 * The open thread, beside the timeline (over it on small screens), as in Slack and Element: the root
 * message, its replies live, a composer ("also send to room"), and my read position in the thread.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { DropOverlay, useFileDrop } from './attachments/drop-zone';
import { trayKeyFor, uploadsStore } from './attachments/uploads';
import { Composer } from './composer';
import { MessageRow } from './message-row';
import { useRowProps } from './message-list';
import { OutgoingRow } from './message-row/outgoing-row';
import { useMe, useRoom } from './room-context';
import { isWindowActive, subscribeWindowActive } from './use-window-active';

export function ThreadPanel() {
  const me = useMe();
  const thread = useRoom((s) => s.thread);
  const status = useRoom((s) => s.status);
  const members = useRoom((s) => s.members);
  const outgoing = useRoom((s) => s.timeline.outgoing);
  const closeThread = useRoom((s) => s.closeThread);
  const sendInThread = useRoom((s) => s.sendInThread);
  const typingInput = useRoom((s) => s.typingInput);
  const loadOlderReplies = useRoom((s) => s.loadOlderReplies);
  const markThreadSeen = useRoom((s) => s.markThreadSeen);
  const rowProps = useRowProps();
  const [alsoInRoom, setAlsoInRoom] = useState(false);
  const headingId = useId();
  const scroller = useRef<HTMLDivElement>(null);
  const memberUsers = useMemo(() => members.map((m) => m.user), [members]);

  const rootSeq = thread?.rootSeq;
  const roomId = useRoom((s) => s.room.id);
  const panel = useRef<HTMLElement>(null);
  const trayKey = trayKeyFor(roomId, rootSeq);
  const drop = useFileDrop((files) => {
    uploadsStore().getState().add(trayKey, roomId, files);
    panel.current?.querySelector('textarea')?.focus();
  }, status === 'live' && rootSeq !== undefined);
  const newest = thread?.replies.at(-1)?.seq ?? 0;
  const pending = useMemo(() => outgoing.filter((o) => o.threadRootSeq === rootSeq), [outgoing, rootSeq]);

  // New replies scroll into view; what is on screen while the window is active counts as read.
  useEffect(() => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [newest, pending.length]);
  useEffect(() => {
    if (rootSeq === undefined || newest === 0) return;
    const report = () => {
      if (isWindowActive()) markThreadSeen(rootSeq, newest);
    };
    report();
    return subscribeWindowActive(report);
  }, [rootSeq, newest, markThreadSeen]);

  if (!thread) return null;
  const root = thread.root;
  return (
    <aside
      ref={panel}
      aria-labelledby={headingId}
      data-testid="thread-panel"
      data-root-seq={thread.rootSeq}
      className="absolute inset-0 z-20 flex flex-col border-l border-line bg-surface md:relative md:w-96 md:shrink-0"
      {...drop.handlers}
    >
      {drop.dragging ? <DropOverlay label="Drop files to reply in the thread" /> : null}
      <div className="flex items-center justify-between border-b border-line px-3 py-2">
        <h2 id={headingId} className="text-sm font-semibold text-fg">
          Thread
          {root ? <span className="font-normal text-fg-muted"> · {root.author.displayName}</span> : null}
        </h2>
        <button
          type="button"
          onClick={closeThread}
          aria-label="Close thread"
          data-testid="close-thread"
          className="rounded px-2 py-1 text-fg-muted hover:bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
        >
          ✕
        </button>
      </div>
      <div ref={scroller} className="min-h-0 flex-1 overflow-y-auto pb-2">
        {root ? (
          <ol aria-label="Thread root" className="border-b border-line pb-2">
            <MessageRow message={root} grouped={false} receipt={null} place="thread-root" {...rowProps(root)} />
          </ol>
        ) : null}
        {thread.hasOlder && thread.replies.length > 0 ? (
          <div className="py-2 text-center text-sm">
            <button type="button" onClick={() => void loadOlderReplies()} disabled={thread.loading} className="text-link hover:underline disabled:text-fg-subtle">
              {thread.loading ? 'Loading…' : 'Show older replies'}
            </button>
          </div>
        ) : null}
        {thread.error ? (
          <p role="alert" className="px-3 py-2 text-sm text-danger-fg">
            {thread.error}
          </p>
        ) : null}
        <ol aria-label="Replies" aria-live="polite" aria-relevant="additions" className="flex flex-col">
          {/* Read receipts follow the room's timeline, not a thread's replies: none here. */}
          {thread.replies.map((reply) => (
            <MessageRow key={reply.seq} message={reply} grouped={false} receipt={null} place="thread-reply" {...rowProps(reply)} />
          ))}
          {pending.map((o) => (
            <OutgoingRow key={o.clientId} message={o} me={me.displayName} />
          ))}
        </ol>
        {!thread.loading && thread.replies.length === 0 && pending.length === 0 ? (
          <p className="p-4 text-center text-sm text-fg-muted">No replies yet. Start the thread below.</p>
        ) : null}
      </div>
      <Composer
        onSend={(body, attachments) => sendInThread(thread.rootSeq, body, alsoInRoom, attachments)}
        files={{ roomId, trayKey }}
        onTyping={typingInput}
        disabled={status !== 'live' || root?.deletedAt != null}
        placeholder="Reply in thread"
        label="Reply in thread"
        members={memberUsers}
        meId={me.id}
        autoFocus
        footer={
          <label className="flex items-center gap-2 text-xs text-fg-muted">
            <input
              type="checkbox"
              data-testid="also-in-room"
              checked={alsoInRoom}
              onChange={(e) => setAlsoInRoom(e.target.checked)}
              className="h-4 w-4 rounded border-line-strong text-link focus:ring-focus"
            />
            Also send to the room
          </label>
        }
      />
    </aside>
  );
}
