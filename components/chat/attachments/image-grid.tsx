'use client';
import { fitBox, previewSource } from '@/lib/files/display';
import type { Attachment } from '@/lib/schemas/attachment';

/** The longest side of an image preview in the timeline, in CSS pixels (thumbnails are 2× that for HiDPI). */
export const PREVIEW_MAX_PX = 360;

/**
 * A message's images: one alone at its own proportions (at most PREVIEW_MAX_PX), several as a grid of
 * squares. Every box has its size before the image arrives — the <img> width and height attributes give
 * the browser its aspect ratio, kept when a narrow screen shrinks it — so the timeline never jumps as
 * previews load. (No inline styles: the CSP drops them from server-rendered HTML.)
 */
export function ImageGrid({ images, onOpen }: { images: Attachment[]; onOpen(index: number): void }) {
  if (images.length === 1) {
    const image = images[0]!;
    const source = previewSource(image);
    const box = fitBox(image.width ?? source.width, image.height ?? source.height, PREVIEW_MAX_PX);
    return (
      <button
        type="button"
        onClick={() => onOpen(0)}
        aria-label={`Open image ${image.name}`}
        data-testid="image-preview"
        data-attachment-id={image.id}
        className="block max-w-full overflow-hidden rounded-lg border border-line bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2"
      >
        {/* eslint-disable-next-line @next/next/no-img-element -- private, session-bound bytes: nothing for the image optimizer to do */}
        <img src={source.src} alt={image.name} width={box.width} height={box.height} loading="lazy" decoding="async" className="block h-auto max-w-full" />
      </button>
    );
  }
  const threeColumns = images.length !== 2 && images.length !== 4;
  return (
    <ul
      aria-label={`${images.length} images`}
      data-testid="image-grid"
      className={`grid w-[360px] max-w-full gap-1 ${threeColumns ? 'grid-cols-3' : 'grid-cols-2'}`}
    >
      {images.map((image, index) => {
        const source = previewSource(image);
        const cell = threeColumns ? 118 : 178;
        return (
          <li key={image.id} className="aspect-square min-w-0">
            <button
              type="button"
              onClick={() => onOpen(index)}
              aria-label={`Open image ${image.name} (${index + 1} of ${images.length})`}
              data-testid="image-preview"
              data-attachment-id={image.id}
              className="block size-full overflow-hidden rounded-md border border-line bg-surface-sunken focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-focus focus-visible:ring-offset-2"
            >
              {/* eslint-disable-next-line @next/next/no-img-element -- see above */}
              <img src={source.src} alt={image.name} width={cell} height={cell} loading="lazy" decoding="async" className="block size-full object-cover" />
            </button>
          </li>
        );
      })}
    </ul>
  );
}
