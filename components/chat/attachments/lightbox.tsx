'use client';
import {
  ChevronLeftIcon,
  ChevronRightIcon,
  MagnifyingGlassMinusIcon,
  MagnifyingGlassPlusIcon,
  XMarkIcon,
} from '@heroicons/react/20/solid';
import * as Dialog from '@radix-ui/react-dialog';
import { useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { fitBox, formatBytes } from '@/lib/files/display';
import type { Attachment } from '@/lib/schemas/attachment';
import { DownloadButton } from './file-chip';

const ZOOMS = [1, 1.5, 2, 3, 4] as const;

export interface LightboxProps {
  images: Attachment[];
  /** The image shown, or null when closed. */
  index: number | null;
  onIndexChange(index: number | null): void;
  /** "Alice · 10:42", under the name. */
  caption?: string;
}

function IconButton({ label, onClick, disabled, children, testId }: { label: string; onClick(): void; disabled?: boolean; children: ReactNode; testId?: string }) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      onClick={onClick}
      disabled={disabled}
      data-testid={testId}
      className="flex size-10 shrink-0 items-center justify-center rounded-full text-white hover:bg-white/15 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-white disabled:opacity-40 disabled:hover:bg-transparent"
    >
      {children}
    </button>
  );
}

/**
 * A message's images full screen: ←/→ between them, +/− (or a click on the image) to zoom, 0 to fit,
 * Esc to close; focus stays inside while open and goes back to the preview that opened it.
 */
export function Lightbox({ images, index, onIndexChange, caption }: LightboxProps) {
  const open = index !== null && images[index] !== undefined;
  // The preview that opened it (no Radix Trigger here: previews are plain buttons) gets focus back on close.
  // Taken as it opens (before focus moves in); kept after closing, since Radix hands focus back a tick later.
  const opener = useRef<HTMLElement | null>(null);
  useLayoutEffect(() => {
    if (open) opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  }, [open]);
  return (
    <Dialog.Root open={open} onOpenChange={(next) => !next && onIndexChange(null)}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-50 bg-slate-950/90" />
        {open ? (
          <LightboxContent
            images={images}
            index={index}
            onIndexChange={onIndexChange}
            caption={caption}
            onClosed={() => {
              opener.current?.focus({ preventScroll: true });
            }}
          />
        ) : null}
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function LightboxContent({
  images,
  index,
  onIndexChange,
  caption,
  onClosed,
}: {
  images: Attachment[];
  index: number;
  onIndexChange(index: number | null): void;
  caption?: string;
  onClosed(): void;
}) {
  const image = images[index]!;
  // Zoom and "loaded" belong to the image shown: another one starts fitted (without remounting, so focus stays put).
  const [zoomed, setZoomed] = useState({ id: image.id, zoom: 0 });
  const [loadedId, setLoadedId] = useState<string | null>(null);
  const zoom = zoomed.id === image.id ? zoomed.zoom : 0;
  const loaded = loadedId === image.id;
  const setZoom = (next: (z: number) => number) => setZoomed({ id: image.id, zoom: next(zoom) });
  const [viewport, setViewport] = useState({ width: 0, height: 0 });
  const stage = useRef<HTMLDivElement>(null);
  const several = images.length > 1;
  const factor = ZOOMS[zoom]!;

  useLayoutEffect(() => {
    const el = stage.current;
    if (!el) return;
    const measure = () => setViewport({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Zooming keeps the middle of the view in the middle.
  const previousFactor = useRef(factor);
  useLayoutEffect(() => {
    const el = stage.current;
    const before = previousFactor.current;
    previousFactor.current = factor;
    if (!el || before === factor) return;
    const ratio = factor / before;
    el.scrollLeft = (el.scrollLeft + el.clientWidth / 2) * ratio - el.clientWidth / 2;
    el.scrollTop = (el.scrollTop + el.clientHeight / 2) * ratio - el.clientHeight / 2;
  }, [factor]);

  const fit = fitBox(image.width ?? 0, image.height ?? 0, Math.max(1, viewport.width - 32), Math.max(1, viewport.height - 32));
  const shown = { width: Math.round(fit.width * factor), height: Math.round(fit.height * factor) };
  const go = (by: number) => onIndexChange((index + by + images.length) % images.length);
  const zoomBy = (by: number) => setZoom((z) => Math.max(0, Math.min(ZOOMS.length - 1, z + by)));
  const fitToScreen = () => setZoom(() => 0);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === 'ArrowLeft' && several) go(-1);
    else if (event.key === 'ArrowRight' && several) go(1);
    else if (event.key === '+' || event.key === '=') zoomBy(1);
    else if (event.key === '-' || event.key === '_') zoomBy(-1);
    else if (event.key === '0') fitToScreen();
    else return;
    event.preventDefault();
  }

  return (
    <Dialog.Content
      onKeyDown={onKeyDown}
      onCloseAutoFocus={(event) => {
        event.preventDefault();
        onClosed();
      }}
      data-testid="lightbox"
      data-index={index}
      data-zoom={factor}
      className="fixed inset-0 z-50 flex flex-col text-white outline-none"
    >
      <div className="flex items-center gap-1 bg-slate-950/60 px-2 py-1.5 sm:gap-2 sm:px-3">
        <div className="min-w-0 flex-1 px-1">
          <Dialog.Title className="truncate text-sm font-medium" title={image.name}>
            {image.name}
          </Dialog.Title>
          <p className="truncate text-xs text-slate-300">
            {[several ? `${index + 1} of ${images.length}` : null, caption, formatBytes(image.size)].filter(Boolean).join(' · ')}
          </p>
        </div>
        <IconButton label="Zoom out" onClick={() => zoomBy(-1)} disabled={zoom === 0} testId="lightbox-zoom-out">
          <MagnifyingGlassMinusIcon aria-hidden="true" className="size-5" />
        </IconButton>
        <span className="hidden w-10 text-center text-xs tabular-nums text-slate-300 sm:inline" aria-live="polite">
          {Math.round(factor * 100)}%
        </span>
        <IconButton label="Zoom in" onClick={() => zoomBy(1)} disabled={zoom === ZOOMS.length - 1} testId="lightbox-zoom-in">
          <MagnifyingGlassPlusIcon aria-hidden="true" className="size-5" />
        </IconButton>
        <DownloadButton
          attachment={image}
          testId="lightbox-download"
          iconClassName="size-5"
          className="flex size-10 shrink-0 items-center justify-center rounded-full hover:bg-white/15 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-white"
        />
        <Dialog.Close
          aria-label="Close"
          title="Close (Esc)"
          data-testid="lightbox-close"
          className="flex size-10 shrink-0 items-center justify-center rounded-full hover:bg-white/15 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-white"
        >
          <XMarkIcon aria-hidden="true" className="size-6" />
        </Dialog.Close>
      </div>
      <div className="relative min-h-0 flex-1">
        <div
          ref={stage}
          data-testid="lightbox-stage"
          className={`absolute inset-0 overflow-auto ${factor > 1 ? '' : 'overflow-hidden'}`}
          onClick={(event) => {
            // A click beside the image closes, as in most viewers.
            if (event.target === event.currentTarget) onIndexChange(null);
          }}
        >
          <div className="flex min-h-full min-w-full items-center justify-center p-4" style={{ width: shown.width + 32, height: shown.height + 32 }} onClick={(event) => {
            if (event.target === event.currentTarget) onIndexChange(null);
          }}>
            {/* eslint-disable-next-line @next/next/no-img-element -- private, session-bound bytes */}
            <img
              key={image.id}
              src={image.url}
              alt={image.name}
              width={shown.width}
              height={shown.height}
              onLoad={() => setLoadedId(image.id)}
              onClick={() => setZoom((z) => (z === 0 ? 2 : 0))}
              data-testid="lightbox-image"
              data-loaded={loaded || undefined}
              className={`max-w-none select-none bg-slate-800/40 ${factor > 1 ? 'cursor-zoom-out' : 'cursor-zoom-in'}`}
              style={{
                width: shown.width,
                height: shown.height,
                // The thumbnail fills the box while the full image comes.
                backgroundImage: image.thumbnail && !loaded ? `url(${image.thumbnail.url})` : undefined,
                backgroundSize: 'cover',
              }}
              draggable={false}
            />
          </div>
        </div>
        {several ? (
          <>
            <div className="absolute left-1 top-1/2 -translate-y-1/2 rounded-full bg-slate-950/50 sm:left-3">
              <IconButton label="Previous image" onClick={() => go(-1)} testId="lightbox-previous">
                <ChevronLeftIcon aria-hidden="true" className="size-6" />
              </IconButton>
            </div>
            <div className="absolute right-1 top-1/2 -translate-y-1/2 rounded-full bg-slate-950/50 sm:right-3">
              <IconButton label="Next image" onClick={() => go(1)} testId="lightbox-next">
                <ChevronRightIcon aria-hidden="true" className="size-6" />
              </IconButton>
            </div>
          </>
        ) : null}
      </div>
      <Dialog.Description className="sr-only">
        {several ? 'Left and right arrow keys move between images. ' : ''}Plus and minus zoom, 0 fits the image, Escape closes.
      </Dialog.Description>
    </Dialog.Content>
  );
}
