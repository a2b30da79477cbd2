'use client';
import { ArrowUpTrayIcon } from '@heroicons/react/20/solid';
import { useRef, useState, type DragEvent } from 'react';
import { filesFromTransfer } from './uploads';

function carriesFiles(event: DragEvent): boolean {
  return [...event.dataTransfer.types].includes('Files');
}

/**
 * Drag-and-drop of files onto an area: `dragging` while files hover over it (child elements entering and
 * leaving do not make it flicker), `onFiles` on the drop. Text or links dragged around are left alone.
 */
export function useFileDrop(onFiles: (files: File[]) => void, enabled = true) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);

  const handlers = {
    onDragEnter(event: DragEvent) {
      if (!enabled || !carriesFiles(event)) return;
      event.preventDefault();
      depth.current += 1;
      setDragging(true);
    },
    onDragOver(event: DragEvent) {
      if (!enabled || !carriesFiles(event)) return;
      // Without this the browser opens the file instead of dropping it here.
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave(event: DragEvent) {
      if (!enabled || !carriesFiles(event)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop(event: DragEvent) {
      if (!enabled || !carriesFiles(event)) return;
      event.preventDefault();
      // An inner drop zone (the thread panel) took it: the room around it does not take it again.
      event.stopPropagation();
      depth.current = 0;
      setDragging(false);
      const files = filesFromTransfer(event.dataTransfer);
      if (files.length > 0) onFiles(files);
    },
  };
  return { dragging, handlers };
}

/** What the area shows while files hover over it. */
export function DropOverlay({ label }: { label: string }) {
  return (
    <div
      data-testid="drop-overlay"
      aria-hidden="true"
      className="pointer-events-none absolute inset-2 z-40 flex flex-col items-center justify-center gap-2 rounded-xl border-2 border-dashed border-accent bg-accent-soft/95 p-4 text-center"
    >
      <span className="flex size-12 items-center justify-center rounded-full bg-accent text-white shadow">
        <ArrowUpTrayIcon className="size-6" />
      </span>
      <p className="text-base font-semibold text-fg">{label}</p>
      <p className="text-sm text-fg-muted">Up to 10 files at a time</p>
    </div>
  );
}
