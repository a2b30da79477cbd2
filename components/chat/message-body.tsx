'use client';
import { memo } from 'react';
import { deferred } from '@/components/ui/deferred';

/**
 * A message body: the Markdown renderer once its chunk is here, the text as typed until then.
 *
 * The Markdown stack (micromark, remark, GFM, hast) is the largest library on the room page, so it is deferred
 * (components/ui/deferred.tsx). The timeline waits for it (./message-list.tsx), so rows normally appear formatted;
 * a body rendered before it is here (a failed fetch being retried) shows as plain text with its line breaks: the
 * same words, never raw HTML, only without formatting.
 */
const Markdown = deferred(
  () => import('./message-markdown').then((m) => m.MessageMarkdown),
  ({ body }) => (
    <div className="min-w-0 whitespace-pre-wrap break-words text-body text-fg" data-markdown="pending">
      {body}
    </div>
  ),
);

export const MessageBody = memo(Markdown.Component);

/** Fetch the Markdown renderer (the timeline waits for it, so rows first appear formatted). */
export const preloadMessageMarkdown = Markdown.preload;
