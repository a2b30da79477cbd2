/**
 * Contracts between the upload pipeline (lib/files/upload.ts) and what it calls on a received file:
 * the inspector (type from content, image processing — lib/files/inspect.ts) and the virus scanner
 * (lib/files/scan.ts). Both take a path to a complete temporary file that nobody else can see yet.
 */
import type { AttachmentKind } from '../schemas/attachment';

export interface ProcessedImage {
  /** The image as it will be served: re-encoded from the pixels, with no EXIF/GPS/XMP (ICC kept), rotated upright. */
  path: string;
  contentType: string;
  width: number;
  height: number;
  size: number;
  /** A WebP preview no larger than THUMBNAIL_MAX_EDGE on its longer side. */
  thumbnail: { path: string; width: number; height: number; size: number };
}

export interface Inspection {
  /** From the content (magic numbers), never from the name; `application/octet-stream` when unknown. */
  contentType: string;
  kind: AttachmentKind;
  /**
   * Present when the file is an image that was decoded and re-encoded. Absent for other files, for images
   * we cannot decode (corrupt, unsupported, or over the pixel limit): those are stored as plain files.
   */
  image?: ProcessedImage;
}

export interface InspectOptions {
  /** Decoded pixels (width × height × frames) allowed: the guard against decompression bombs. */
  maxPixels: number;
  /** Folder for the files the inspector writes (the caller removes them). */
  workDir: string;
  /** The uploader said this is a voice recording: a WebM/Ogg/MP4 container is then audio, not video. */
  voice: boolean;
}

export type Inspector = (filePath: string, options: InspectOptions) => Promise<Inspection>;

export type ScanResult = { clean: true } | { clean: false; signature: string };

export interface Scanner {
  /** "none" | "clamav" */
  readonly name: string;
  /** Throws when the scanner cannot give an answer (unreachable, timed out): the upload is then refused. */
  scan(filePath: string): Promise<ScanResult>;
  /** Whether the scanner answers (readiness). */
  check(): Promise<void>;
}

/** The longer side of a thumbnail, in pixels (timeline previews are at most 360 CSS px, so 2× for HiDPI). */
export const THUMBNAIL_MAX_EDGE = 720;
