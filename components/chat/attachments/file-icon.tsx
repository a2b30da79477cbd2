import {
  ArchiveBoxIcon,
  CodeBracketIcon,
  DocumentIcon,
  DocumentTextIcon,
  FilmIcon,
  MusicalNoteIcon,
  PhotoIcon,
  TableCellsIcon,
} from '@heroicons/react/20/solid';
import type { ComponentType, SVGProps } from 'react';
import type { FileFamily } from '@/lib/files/display';

const ICONS: Record<FileFamily, ComponentType<SVGProps<SVGSVGElement>>> = {
  pdf: DocumentTextIcon,
  text: DocumentTextIcon,
  code: CodeBracketIcon,
  sheet: TableCellsIcon,
  archive: ArchiveBoxIcon,
  image: PhotoIcon,
  video: FilmIcon,
  audio: MusicalNoteIcon,
  other: DocumentIcon,
};

/** Tints by family, so a PDF and a spreadsheet can be told apart at a glance (text stays ≥ 4.5:1 on them). */
const TONES: Record<FileFamily, string> = {
  pdf: 'bg-danger-soft text-danger-fg',
  text: 'bg-sky-100 text-sky-700',
  code: 'bg-violet-100 text-violet-700',
  sheet: 'bg-success-soft text-success-fg',
  archive: 'bg-warning-soft text-warning-fg',
  image: 'bg-pink-100 text-pink-700',
  video: 'bg-indigo-100 text-indigo-700',
  audio: 'bg-teal-100 text-teal-700',
  other: 'bg-surface-sunken text-fg-muted',
};

/** A file's type as a tinted square with an icon (decorative: the name next to it says what it is). */
export function FileIcon({ family, size = 'md' }: { family: FileFamily; size?: 'sm' | 'md' }) {
  const Icon = ICONS[family];
  const box = size === 'sm' ? 'size-8' : 'size-10';
  return (
    <span aria-hidden="true" className={`flex ${box} shrink-0 items-center justify-center rounded-md ${TONES[family]}`}>
      <Icon className={size === 'sm' ? 'size-4' : 'size-5'} />
    </span>
  );
}

/** A short word for the type: "PDF", "ZIP archive", or the extension. */
export function typeLabel(family: FileFamily, name: string, contentType: string): string {
  const extension = name.match(/\.([A-Za-z0-9]{1,8})$/)?.[1]?.toUpperCase();
  if (family === 'pdf') return 'PDF';
  if (family === 'archive') return `${extension ?? 'Compressed'} archive`;
  if (family === 'image') return `${extension ?? 'Image'} image`;
  if (family === 'video') return 'Video';
  if (family === 'audio') return 'Audio';
  if (extension) return extension;
  return contentType === 'application/octet-stream' ? 'File' : contentType;
}
