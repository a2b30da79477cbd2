'use client';
import dynamic from 'next/dynamic';
import { memo, useState } from 'react';
import { formatBytes } from '@/lib/files/display';
import type { Attachment } from '@/lib/schemas/attachment';
import { AudioPlayer } from './audio-player';
import { DownloadButton, FileChip } from './file-chip';
import { ImageGrid } from './image-grid';

// Fetched when an image is opened, not with every room that shows one.
const Lightbox = dynamic(() => import('./lightbox').then((m) => m.Lightbox), { ssr: false });

function VideoPlayer({ attachment }: { attachment: Attachment }) {
  return (
    <figure data-testid="video-player" data-attachment-id={attachment.id} className="w-[360px] max-w-full">
      <video
        controls
        preload="metadata"
        src={attachment.url}
        aria-label={attachment.name}
        className="aspect-video max-h-[360px] w-full rounded-lg bg-black"
      />
      <figcaption className="mt-1 flex items-center gap-2 text-xs text-fg-muted">
        <span className="min-w-0 flex-1 truncate" title={attachment.name}>
          {attachment.name} · {formatBytes(attachment.size)}
        </span>
        <DownloadButton
          attachment={attachment}
          className="shrink-0 rounded p-0.5 text-fg-subtle hover:text-link focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
        />
      </figcaption>
    </figure>
  );
}

/**
 * A message's files, in the order sent, grouped as people expect: images together (one preview or a
 * grid, opening the lightbox), then players for audio and video, then chips for everything else.
 */
export const AttachmentList = memo(function AttachmentList({ attachments, caption }: { attachments: Attachment[]; caption?: string }) {
  const [open, setOpen] = useState<number | null>(null);
  const images = attachments.filter((a) => a.kind === 'image');
  const media = attachments.filter((a) => a.kind === 'audio' || a.kind === 'video');
  const files = attachments.filter((a) => a.kind === 'file');
  return (
    <div data-testid="message-attachments" className="mt-1 flex flex-col items-start gap-1.5">
      {images.length > 0 ? (
        <>
          <ImageGrid images={images} onOpen={setOpen} />
          {open !== null ? <Lightbox images={images} index={open} onIndexChange={setOpen} caption={caption} /> : null}
        </>
      ) : null}
      {media.map((a) => (a.kind === 'audio' ? <AudioPlayer key={a.id} attachment={a} /> : <VideoPlayer key={a.id} attachment={a} />))}
      {files.length > 0 ? (
        <ul className="flex w-full flex-col items-start gap-1.5" aria-label={files.length > 1 ? `${files.length} files` : undefined}>
          {files.map((a) => (
            <li key={a.id} className="flex w-full max-w-full">
              <FileChip attachment={a} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
});
