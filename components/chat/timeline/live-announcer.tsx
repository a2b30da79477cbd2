'use client';
import { useEffect, useRef, useState } from 'react';
import { messageSnippet } from '@/lib/notifications/decide';
import type { ChatMessage } from '@/lib/schemas/message';
import { inMainTimeline } from '@/lib/stores/timeline';

const MAX_CHARS = 140;
/** More than this many at once (a catch-up after reconnecting) is summarised, not read out one by one. */
const MAX_EACH = 3;
const BULK = 20;

function announcement(message: ChatMessage): string {
  const text = message.deletedAt ? 'deleted message' : messageSnippet(message);
  const short = text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1)}…` : text;
  return `${message.author.displayName}: ${short}`;
}

/**
 * Reads out new messages from others, politely and once each. It lives outside the virtualised list:
 * rows mount and unmount as one scrolls, which a live region inside the list would announce as news.
 */
export function LiveAnnouncer({ messages, meId, live }: { messages: readonly ChatMessage[]; meId: string; live: boolean }) {
  const [text, setText] = useState('');
  const newest = messages.at(-1)?.seq ?? 0;
  const announced = useRef(newest);
  useEffect(() => {
    // Only the live edge: pages loaded on scrolling or a jump are history, not news.
    if (!live) {
      announced.current = Math.max(announced.current, newest);
      return;
    }
    const fresh = messages.filter((m) => m.seq > announced.current && m.author.id !== meId && inMainTimeline(m) && !m.event);
    announced.current = Math.max(announced.current, newest);
    // Many at once is a page loaded (back to the newest after a jump), not news as it happens.
    if (fresh.length === 0 || fresh.length > BULK) return;
    setText(
      fresh.length > MAX_EACH
        ? `${fresh.length} new messages. ${announcement(fresh.at(-1)!)}`
        : fresh.map(announcement).join('. '),
    );
  }, [messages, newest, meId, live]);
  return (
    <div aria-live="polite" aria-atomic="true" data-testid="timeline-announcer" className="sr-only">
      {text}
    </div>
  );
}
