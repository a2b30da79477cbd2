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
      className="group/chip flex w-80 max-w-full items-center gap-3 rounded-lg border border-slate-200 bg-white p-2 pr-3 text-left hover:border-slate-300 hover:bg-slate-50 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
    >
      <FileIcon family={family} />
      <span className="min-w-0 flex-1">
        <span className="block truncate text-sm font-medium text-slate-900">{attachment.name}</span>
        <span className="block truncate text-xs text-slate-600">
          {typeLabel(family, attachment.name, attachment.contentType)} · {size}
        </span>
      </span>
      <ArrowDownTrayIcon aria-hidden="true" className="size-5 shrink-0 text-slate-500 group-hover/chip:text-brand-700" />
    </a>
  );
}
