/**
 * How files look to people, pure (browser and server): sizes, durations, one-line summaries where a
 * message is previewed as text, preview boxes sized before an image loads, and voice waveforms.
 */
import { WAVEFORM_MAX_BARS } from '../schemas/limits';
import type { Attachment, AttachmentKind } from '../schemas/attachment';

/** One way to write sizes, shared with the server's messages ("Files can be at most 25 MB."). */
export { formatBytes } from '../schemas/limits';

/** "0:07", "12:34", "1:02:03" from milliseconds (whole seconds, rounded down). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** The parts of an attachment a text summary needs. */
export type SummaryAttachment = Pick<Attachment, 'name' | 'kind' | 'voice'>;

const KIND_WORDS: Record<AttachmentKind, [string, string]> = {
  image: ['Image', 'images'],
  video: ['Video', 'videos'],
  audio: ['Audio', 'audio files'],
  file: ['File', 'files'],
};
const KIND_MARK: Record<AttachmentKind, string> = { image: '🖼', video: '🎬', audio: '🎵', file: '📎' };

/**
 * One line for a message's files where its text is shown alone (notifications, quotes, search hits):
 * "🖼 Image", "📎 report.pdf", "🎤 Voice message", "🖼 3 images", "📎 4 files". Empty without files.
 */
export function attachmentSummary(attachments: readonly SummaryAttachment[]): string {
  if (attachments.length === 0) return '';
  if (attachments.length === 1) {
    const only = attachments[0]!;
    if (only.voice) return '🎤 Voice message';
    if (only.kind === 'file') return `📎 ${only.name}`;
    return `${KIND_MARK[only.kind]} ${KIND_WORDS[only.kind][0]}`;
  }
  const kinds = new Set(attachments.map((a) => a.kind));
  if (kinds.size === 1) {
    const kind = attachments[0]!.kind;
    return `${KIND_MARK[kind]} ${attachments.length} ${KIND_WORDS[kind][1]}`;
  }
  return `📎 ${attachments.length} files`;
}

/** The largest box of the image's proportions that fits in max × max (never larger than the image). */
export function fitBox(width: number, height: number, maxWidth: number, maxHeight = maxWidth): { width: number; height: number } {
  if (!(width > 0) || !(height > 0)) return { width: maxWidth, height: Math.round(maxHeight * 0.75) };
  const scale = Math.min(1, maxWidth / width, maxHeight / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** What an icon for a file should show, from its (server-decided) type and its name. */
/** What the timeline shows of an image: its thumbnail when there is one (2× the preview box), else the file. */
export function previewSource(image: Pick<Attachment, 'url' | 'width' | 'height' | 'thumbnail'>): { src: string; width: number; height: number } {
  if (image.thumbnail) return { src: image.thumbnail.url, width: image.thumbnail.width, height: image.thumbnail.height };
  return { src: image.url, width: image.width ?? 0, height: image.height ?? 0 };
}

export type FileFamily = 'pdf' | 'text' | 'code' | 'sheet' | 'archive' | 'image' | 'video' | 'audio' | 'other';

export function fileFamily(attachment: Pick<Attachment, 'contentType' | 'kind' | 'name'>): FileFamily {
  if (attachment.kind !== 'file') return attachment.kind;
  const type = attachment.contentType.toLowerCase();
  const extension = attachment.name.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? '';
  if (type === 'application/pdf') return 'pdf';
  if (/zip|x-tar|gzip|x-7z|x-rar|x-bzip|x-xz|zstd/.test(type)) return 'archive';
  if (/spreadsheet|ms-excel|csv/.test(type) || ['csv', 'tsv', 'xls', 'xlsx', 'ods'].includes(extension)) return 'sheet';
  if (['js', 'ts', 'tsx', 'jsx', 'py', 'rb', 'go', 'rs', 'java', 'c', 'h', 'cpp', 'sh', 'json', 'yaml', 'yml', 'toml', 'xml', 'html', 'css', 'sql'].includes(extension)) return 'code';
  if (type.startsWith('text/') || ['txt', 'log', 'md', 'rtf', 'doc', 'docx', 'odt'].includes(extension) || /word|opendocument\.text/.test(type)) return 'text';
  return 'other';
}

/**
 * A voice waveform from decoded samples: `bars` values 0–255, each the peak of its slice of the
 * recording relative to the loudest (so a quiet recording still shows its shape), on a square-root scale
 * as ears hear it (soft syllables stay visible beside loud ones).
 */
export function waveformBars(samples: Float32Array, bars = 64): number[] {
  const count = Math.max(1, Math.min(WAVEFORM_MAX_BARS, Math.floor(bars)));
  if (samples.length === 0) return new Array<number>(count).fill(0);
  const peaks = new Array<number>(count).fill(0);
  for (let bar = 0; bar < count; bar += 1) {
    const start = Math.floor((bar * samples.length) / count);
    const end = Math.max(start + 1, Math.floor(((bar + 1) * samples.length) / count));
    let peak = 0;
    for (let i = start; i < end && i < samples.length; i += 1) {
      const value = Math.abs(samples[i]!);
      if (value > peak) peak = value;
    }
    peaks[bar] = peak;
  }
  const loudest = Math.max(...peaks);
  if (!(loudest > 0)) return peaks.map(() => 0);
  return peaks.map((p) => Math.min(255, Math.round(Math.sqrt(p / loudest) * 255)));
}

/** `bars` resampled to `count` (by the peak of each span), for drawing a stored waveform at another width. */
export function resampleBars(bars: readonly number[], count: number): number[] {
  if (bars.length === 0 || count <= 0) return [];
  if (bars.length === count) return [...bars];
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = Math.floor((i * bars.length) / count);
    const end = Math.max(start + 1, Math.floor(((i + 1) * bars.length) / count));
    let peak = 0;
    for (let j = start; j < end; j += 1) peak = Math.max(peak, bars[j] ?? 0);
    out.push(peak);
  }
  return out;
}

/** base64url (RFC 4648 §5, no padding) of bytes 0–255: the `waveform` query parameter of an upload. */
export function base64UrlBytes(bytes: readonly number[]): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]! & 255;
    const b = i + 1 < bytes.length ? bytes[i + 1]! & 255 : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! & 255 : 0;
    const triple = (a << 16) | (b << 8) | c;
    out += alphabet[(triple >> 18) & 63]! + alphabet[(triple >> 12) & 63]!;
    if (i + 1 < bytes.length) out += alphabet[(triple >> 6) & 63]!;
    if (i + 2 < bytes.length) out += alphabet[triple & 63]!;
  }
  return out;
}

/** What the browser's type for a local file suggests it will be once uploaded (the server decides for real). */
export function guessKind(type: string): AttachmentKind {
  if (/^image\/(png|jpe?g|gif|webp|avif|tiff)$/i.test(type)) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'file';
}
