'use client';
import { HEADER_ACTION } from '@/components/ui/button';
import { FolderIcon, XMarkIcon } from '@heroicons/react/20/solid';
import * as Dialog from '@radix-ui/react-dialog';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '@/lib/api-client';
import { fileFamily, formatBytes, formatDuration } from '@/lib/files/display';
import { filesApi } from '@/lib/files/upload-client';
import type { AttachmentKind, SharedFile } from '@/lib/schemas/attachment';
import type { ChatMessage } from '@/lib/schemas/message';
import { useRoom } from '../room-context';
import { FileIcon } from './file-icon';
import { DownloadButton } from './file-chip';

const PAGE = 30;
const FILTERS: { kind: AttachmentKind | null; label: string }[] = [
  { kind: null, label: 'All' },
  { kind: 'image', label: 'Images' },
  { kind: 'video', label: 'Videos' },
  { kind: 'audio', label: 'Audio' },
  { kind: 'file', label: 'Files' },
];

interface Listing {
  kind: AttachmentKind | null;
  files: SharedFile[];
  nextCursor: string | null;
  loading: boolean;
  error: string | null;
}

/** One room's shared files, newest first, a page at a time, for one kind (or all). */
function useRoomFiles(roomId: string, kind: AttachmentKind | null, enabled: boolean) {
  const [listing, setListing] = useState<Listing>({ kind, files: [], nextCursor: null, loading: true, error: null });
  const generation = useRef(0);

  const load = useCallback(
    async (before: string | null) => {
      const mine = ++generation.current;
      setListing((l) => ({ ...(l.kind === kind ? l : { kind, files: [], nextCursor: null }), loading: true, error: null }));
      try {
        const page = await filesApi.roomFiles(roomId, { ...(before ? { before } : {}), ...(kind ? { kind } : {}), limit: PAGE });
        if (generation.current !== mine) return;
        setListing((l) => ({
          kind,
          files: before && l.kind === kind ? [...l.files, ...page.files.filter((f) => !l.files.some((h) => h.attachment.id === f.attachment.id))] : page.files,
          nextCursor: page.nextCursor,
          loading: false,
          error: null,
        }));
      } catch (caught) {
        if (generation.current !== mine) return;
        setListing((l) => ({ ...l, kind, loading: false, error: caught instanceof ApiError ? caught.message : 'Could not load the files. Try again.' }));
      }
    },
    [roomId, kind],
  );

  useEffect(() => {
    // Opening the panel (or another filter) reads the list afresh: files come and go with messages.
    if (enabled) void load(null);
    return () => {
      generation.current += 1;
    };
  }, [enabled, load]);

  // Open, it stays current: a file sent, or a message with files deleted, in what the room shows reads the
  // first page again (replies in threads not open are not seen here; reopening the panel shows them).
  const news = useRoom((state) => fileNews(state.timeline.messages));
  const seenNews = useRef(news);
  useEffect(() => {
    if (news === seenNews.current) return;
    seenNews.current = news;
    if (enabled) void load(null);
  }, [news, enabled, load]);

  return { listing, loadMore: () => listing.nextCursor && void load(listing.nextCursor), reload: () => void load(null) };
}

/** Changes when a message with files arrives or one is deleted (older pages coming in leave it alone). */
function fileNews(messages: readonly ChatMessage[]): string {
  let newest = 0;
  let deleted = 0;
  for (const m of messages) {
    if (m.attachments.length > 0 && m.seq > newest) newest = m.seq;
    if (m.deletedAt !== null) deleted += 1;
  }
  return `${newest}:${deleted}`;
}

function sharedAt(iso: string): string {
  const date = new Date(iso);
  const sameYear = date.getFullYear() === new Date().getFullYear();
  return date.toLocaleDateString([], { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) });
}

function FileRow({ file, onOpen }: { file: SharedFile; onOpen(): void }) {
  const { attachment, author } = file;
  const detail = attachment.voice && attachment.durationMs !== null ? formatDuration(attachment.durationMs) : formatBytes(attachment.size);
  const title = attachment.voice ? 'Voice message' : attachment.name;
  return (
    <li data-testid="shared-file" data-attachment-id={attachment.id} data-seq={file.seq} className="flex items-center gap-3 px-3 py-2 hover:bg-surface-muted sm:px-4">
      {attachment.thumbnail ? (
        // eslint-disable-next-line @next/next/no-img-element -- private, session-bound bytes
        <img
          src={attachment.thumbnail.url}
          alt=""
          width={40}
          height={40}
          loading="lazy"
          decoding="async"
          className="size-10 shrink-0 rounded-md border border-line bg-surface-sunken object-cover"
        />
      ) : (
        <FileIcon family={fileFamily(attachment)} />
      )}
      <div className="min-w-0 flex-1">
        <button
          type="button"
          onClick={onOpen}
          title={`${attachment.name}: show the message`}
          data-testid="shared-file-open"
          className="block max-w-full truncate rounded text-left text-sm font-medium text-fg hover:text-link hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
        >
          {title}
          <span className="sr-only">, show it in the conversation</span>
        </button>
        {/* A long name gives way first: the date and size always show. */}
        <p className="flex min-w-0 gap-1 text-xs text-fg-muted">
          <span className="min-w-0 truncate">{author.displayName}</span>
          <span className="shrink-0">
            · <time dateTime={file.createdAt}>{sharedAt(file.createdAt)}</time> · {detail}
            {file.threadRootSeq !== null ? ' · in a thread' : ''}
          </span>
        </p>
      </div>
      <DownloadButton
        attachment={attachment}
        className="flex size-8 shrink-0 items-center justify-center rounded text-fg-muted hover:bg-surface-sunken hover:text-link focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
      />
    </li>
  );
}

/**
 * The room's "Files": a button for the room header and the sheet it opens — everything shared in the
 * room, newest first, filtered by kind, each opening its message in the timeline (or its thread).
 */
export function FilesButton({ roomId, roomLabel, onOpenMessage }: { roomId: string; roomLabel: string; onOpenMessage(seq: number): void }) {
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<AttachmentKind | null>(null);
  const { listing, loadMore, reload } = useRoomFiles(roomId, kind, open);
  const current = listing.kind === kind;
  const files = current ? listing.files : [];

  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger
        data-testid="files-button"
        title="Files shared in this room"
        className={HEADER_ACTION}
      >
        <FolderIcon aria-hidden="true" className="size-4 text-fg-subtle" />
        <span className="sr-only sm:not-sr-only">Files</span>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-50 bg-slate-900/40" />
        <Dialog.Content
          data-testid="files-panel"
          className="fixed inset-y-0 right-0 z-50 flex w-full flex-col bg-surface shadow-xl outline-none sm:w-[26rem] sm:max-w-[calc(100vw-2rem)]"
        >
          <div className="flex items-center gap-2 border-b border-line px-3 py-2 sm:px-4">
            <Dialog.Title className="min-w-0 flex-1 truncate text-base font-semibold text-fg">Files in {roomLabel}</Dialog.Title>
            <Dialog.Close
              aria-label="Close files"
              className="flex size-8 items-center justify-center rounded text-fg-muted hover:bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
            >
              <XMarkIcon aria-hidden="true" className="size-5" />
            </Dialog.Close>
          </div>
          <Dialog.Description className="sr-only">Files shared in this conversation, newest first. Choose one to see its message.</Dialog.Description>
          <div role="group" aria-label="Show" className="flex flex-wrap gap-1 border-b border-line px-3 py-2 sm:px-4">
            {FILTERS.map((filter) => (
              <button
                key={filter.label}
                type="button"
                aria-pressed={kind === filter.kind}
                onClick={() => setKind(filter.kind)}
                data-testid="files-filter"
                className={`rounded-full px-3 py-1 text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus ${
                  kind === filter.kind ? 'bg-accent font-medium text-white' : 'bg-surface-sunken text-fg-muted hover:bg-surface-strong'
                }`}
              >
                {filter.label}
              </button>
            ))}
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto" aria-busy={listing.loading || undefined}>
            {files.length > 0 ? (
              <ul aria-label="Shared files" className="divide-y divide-line">
                {files.map((file) => (
                  <FileRow
                    key={file.attachment.id}
                    file={file}
                    onOpen={() => {
                      setOpen(false);
                      onOpenMessage(file.seq);
                    }}
                  />
                ))}
              </ul>
            ) : null}
            {current && listing.error ? (
              <div role="alert" className="m-3 flex flex-wrap items-center gap-2 rounded-md bg-danger-soft px-3 py-2 text-sm text-danger-fg">
                <span>{listing.error}</span>
                <button type="button" onClick={() => (files.length > 0 ? loadMore() : reload())} className="font-medium underline">
                  Try again
                </button>
              </div>
            ) : null}
            {listing.loading ? (
              <p role="status" className="p-4 text-center text-sm text-fg-muted">
                Loading files…
              </p>
            ) : current && !listing.error && files.length === 0 ? (
              <p data-testid="files-empty" className="p-6 text-center text-sm text-fg-muted">
                {kind === null ? 'No files have been shared here yet. Drop one on the conversation to share it.' : `No ${FILTERS.find((f) => f.kind === kind)!.label.toLowerCase()} shared here yet.`}
              </p>
            ) : null}
            {current && listing.nextCursor && !listing.loading && !listing.error ? (
              <div className="p-3 text-center">
                <button
                  type="button"
                  onClick={loadMore}
                  data-testid="files-load-more"
                  className="rounded-md border border-line-strong px-3 py-1.5 text-sm font-medium text-fg-muted hover:bg-surface-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
                >
                  Load more
                </button>
              </div>
            ) : null}
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
