'use client';
import { fitBox } from '@/lib/files/display';
import type { Attachment } from '@/lib/schemas/attachment';

/** The longest side of an image preview in the timeline, in CSS pixels (thumbnails are 2× that for HiDPI). */
export const PREVIEW_MAX_PX = 360;
/** Grid cells of a message with several images. */
const CELL_PX = 178;

function previewSource(image: Attachment): { src: string; width: number; height: number } {
  if (image.thumbnail) return { src: image.thumbnail.url, width: image.thumbnail.width, height: image.thumbnail.height };
  return { src: image.url, width: image.width ?? 0, height: image.height ?? 0 };
}

/**
 * A message's images: one alone at its own proportions (at most PREVIEW_MAX_PX), several as a grid of
 * squares. Every box has its size before the image arrives (width/height from the server, aspect-ratio
 * kept when a narrow screen shrinks it), so the timeline never jumps as previews load.
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
        className="block max-w-full overflow-hidden rounded-lg border border-slate-200 bg-slate-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 focus-visible:ring-offset-2"
        style={{ width: box.width, aspectRatio: `${box.width} / ${box.height}` }}
      >
        {/* eslint-disable-next-line @next/next/no-img-element -- private, session-bound bytes: nothing for the image optimizer to do */}
        <img src={source.src} alt={image.name} width={box.width} height={box.height} loading="lazy" decoding="async" className="size-full object-cover" />
      </button>
    );
  }
  const columns = images.length === 4 || images.length === 2 ? 2 : Math.min(3, images.length);
  return (
    <ul
      aria-label={`${images.length} images`}
      data-testid="image-grid"
      className="grid max-w-full gap-1"
      style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, ${CELL_PX}px))`, width: columns * CELL_PX + (columns - 1) * 4 }}
    >
      {images.map((image, index) => {
        const source = previewSource(image);
        return (
          <li key={image.id} className="aspect-square">
            <button
              type="button"
              onClick={() => onOpen(index)}
              aria-label={`Open image ${image.name} (${index + 1} of ${images.length})`}
              data-testid="image-preview"
              data-attachment-id={image.id}
              className="block size-full overflow-hidden rounded-md border border-slate-200 bg-slate-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 focus-visible:ring-offset-2"
            >
              {/* eslint-disable-next-line @next/next/no-img-element -- see above */}
              <img src={source.src} alt={image.name} width={CELL_PX} height={CELL_PX} loading="lazy" decoding="async" className="size-full object-cover" />
            </button>
          </li>
        );
      })}
    </ul>
  );
}
