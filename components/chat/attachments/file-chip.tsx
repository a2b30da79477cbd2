import { ArrowDownTrayIcon } from '@heroicons/react/20/solid';
import { fileFamily, formatBytes } from '@/lib/files/display';
import type { Attachment } from '@/lib/schemas/attachment';
import { FileIcon, typeLabel } from './file-icon';

/** `?download=1`: always saved, never opened in the tab (docs/protocol.md §6). */
export function downloadUrl(attachment: Pick<Attachment, 'url'>): string {
  return `${attachment.url}?download=1`;
}

/**
 * The icon-only "save this file" link shared by previews, players, the lightbox and the Files view; each
 * place gives its own look (`className`, `iconClassName`), the behaviour and the label stay one.
 */
export function DownloadButton({
  attachment,
  label = `Download ${attachment.name}`,
  className,
  iconClassName = 'size-4',
  testId,
}: {
  attachment: Pick<Attachment, 'url' | 'name'>;
  label?: string;
  className: string;
  iconClassName?: string;
  testId?: string;
}) {
  return (
    <a href={downloadUrl(attachment)} download={attachment.name} aria-label={label} title="Download" data-testid={testId} className={className}>
      <ArrowDownTrayIcon aria-hidden="true" className={iconClassName} />
    </a>
  );
}

/** Any file that is not previewed: icon, name (the whole of it on hover), type and size; activating it downloads. */
export function FileChip({ attachment }: { attachment: Attachment }) {
  const family = fileFamily(attachment);
  const size = formatBytes(attachment.size);
  return (
    <a
      href={downloadUrl(attachment)}
      download={attachment.name}
      title={attachment.name}
      data-testid="file-chip"
      data-attachment-id={attachment.id}
      aria-label={`Download ${attachment.name} (${size})`}
      className="group/chip flex w-80 max-w-full items-center gap-3 rounded-lg border border-line bg-surface p-2 pr-3 text-left hover:border-line-strong hover:bg-surface-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus"
    >
      <FileIcon family={family} />
      <span className="min-w-0 flex-1">
        <span className="block truncate text-sm font-medium text-fg">{attachment.name}</span>
        <span className="block truncate text-xs text-fg-muted">
          {typeLabel(family, attachment.name, attachment.contentType)} · {size}
        </span>
      </span>
      <ArrowDownTrayIcon aria-hidden="true" className="size-5 shrink-0 text-fg-subtle group-hover/chip:text-link" />
    </a>
  );
}
