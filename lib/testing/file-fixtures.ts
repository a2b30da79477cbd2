/**
 * Files for upload tests, generated at test time (no binary fixtures in the repository): real images made
 * with sharp, hand-built headers for the formats sharp cannot write (executables, WebM, Ogg), and the hostile
 * cases (truncated, decompression bomb, renamed executable). Shared by the inspector's tests and HTTP tests.
 */
import { createDeflate } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { seededRandom } from './seeded-random';

/** A recognisable picture: a red block in the top-left corner of a blue canvas, so a rotation can be seen. */
async function markedPixels(width: number, height: number): Promise<Sharp> {
  const mark = await sharp({ create: { width: Math.ceil(width / 4), height: Math.ceil(height / 4), channels: 3, background: '#ff0000' } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#0000ff' } }).composite([{ input: mark, left: 0, top: 0 }]);
}

/** GPS coordinates written into the EXIF and XMP of `jpegWithPrivateMetadata`, to be searched for in outputs. */
export const FIXTURE_GPS = { latitude: '48/1 51/1 2981/100', longitude: '2/1 17/1 4000/100', xmpMarker: 'parley-fixture-location' };

/**
 * A 600×400 JPEG as a phone writes it: EXIF with camera and GPS, orientation 6 (to be shown rotated 90°
 * clockwise, i.e. 400×600 upright), XMP, and a Display P3 ICC profile. The red mark is in the stored top-left.
 */
export async function jpegWithPrivateMetadata(): Promise<Buffer> {
  const xmp = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.49N" exif:UserComment="${FIXTURE_GPS.xmpMarker}"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
  const image = await markedPixels(600, 400);
  return image
    .withIccProfile('p3')
    .withExif({
      IFD0: { Make: 'ParleyCam', Model: 'Fixture 1', Orientation: '6' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: FIXTURE_GPS.latitude,
        GPSLongitudeRef: 'E',
        GPSLongitude: FIXTURE_GPS.longitude,
      },
    })
    .withMetadata({ orientation: 6 })
    .withXmp(xmp)
    .jpeg({ quality: 85 })
    .toBuffer();
}

export async function jpeg(width = 320, height = 240): Promise<Buffer> {
  return (await markedPixels(width, height)).jpeg().toBuffer();
}

export async function png(width = 320, height = 240, options: { alpha?: boolean } = {}): Promise<Buffer> {
  const base = await markedPixels(width, height);
  return (options.alpha ? base.ensureAlpha(0.5) : base).png().toBuffer();
}

export async function webp(width = 320, height = 240): Promise<Buffer> {
  return (await markedPixels(width, height)).webp().toBuffer();
}

export async function avif(width = 64, height = 48): Promise<Buffer> {
  return (await markedPixels(width, height)).avif({ effort: 0 }).toBuffer();
}

export async function tiff(width = 320, height = 240): Promise<Buffer> {
  return (await markedPixels(width, height)).tiff().toBuffer();
}

/** Frames of different colours stacked vertically, as sharp's animated input/output expects. */
function animationFrames(width: number, height: number, frames: number): Sharp {
  const frameSize = width * height * 3;
  const pixels = Buffer.alloc(frameSize * frames);
  for (let f = 0; f < frames; f++) {
    const shade = Math.round((255 * f) / Math.max(1, frames - 1));
    for (let i = 0; i < frameSize; i += 3) {
      pixels[f * frameSize + i] = shade;
      pixels[f * frameSize + i + 1] = 255 - shade;
      pixels[f * frameSize + i + 2] = 64;
    }
  }
  return sharp(pixels, { raw: { width, height: height * frames, channels: 3, pageHeight: height } });
}

export async function animatedGif(width = 120, height = 80, frames = 4): Promise<Buffer> {
  return animationFrames(width, height, frames)
    .gif({ delay: Array.from({ length: frames }, () => 100), loop: 0 })
    .toBuffer();
}

export async function animatedWebp(width = 120, height = 80, frames = 4): Promise<Buffer> {
  return animationFrames(width, height, frames)
    .webp({ delay: Array.from({ length: frames }, () => 100), loop: 0 })
    .toBuffer();
}

/** The first `fraction` of a file: what an interrupted copy leaves. */
export function truncated(bytes: Buffer, fraction = 0.5): Buffer {
  return bytes.subarray(0, Math.floor(bytes.length * fraction));
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/**
 * A valid PNG of `width`×`height` black pixels (1-bit greyscale) that is small on disk because zeros compress
 * about 1000:1: 50000×50000 is ~300 KB and 2.5 billion pixels when decoded. Compressed in a stream, so making
 * it needs little memory.
 */
export async function pngBomb(width = 50_000, height = 50_000): Promise<Buffer> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const row = Buffer.alloc(1 + Math.ceil(width / 8)); // filter byte 0 + the row's bits, all zero
  const rowsPerWrite = Math.max(1, Math.floor((1 << 20) / row.length));
  const block = Buffer.concat(Array.from({ length: rowsPerWrite }, () => row));
  const deflate = createDeflate({ level: 9 });
  const compressed: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => compressed.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  for (let written = 0; written < height; written += rowsPerWrite) {
    const rows = Math.min(rowsPerWrite, height - written);
    const ok = deflate.write(rows === rowsPerWrite ? block : block.subarray(0, rows * row.length));
    if (!ok) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', Buffer.concat(compressed)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** The header of a 64-bit Linux ELF executable followed by filler: enough for any type sniffer. */
export function elfExecutable(): Buffer {
  const header = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(header, 0); // \x7fELF, 64-bit, little-endian, version 1
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(0x3e, 18); // x86-64
  header.writeUInt32LE(1, 20);
  header.writeUInt16LE(64, 52); // header size
  return Buffer.concat([header, Buffer.alloc(448, 0x90)]);
}

/** A DOS/PE ("MZ") header with its PE signature, as Windows executables start. */
export function peExecutable(): Buffer {
  const file = Buffer.alloc(512);
  file.write('MZ', 0, 'latin1');
  file.writeUInt32LE(0x80, 0x3c); // e_lfanew: where the PE header is
  file.write('PE\0\0', 0x80, 'latin1');
  file.writeUInt16LE(0x8664, 0x84); // machine: x86-64
  return file;
}

export function pdf(): Buffer {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
      'trailer << /Root 1 0 R >>\n%%EOF\n',
    'latin1',
  );
}

export function html(): Buffer {
  return Buffer.from('<!doctype html><html><head><title>x</title></head><body><script>alert(document.cookie)</script></body></html>\n');
}

/** An SVG with a script: must never be served as an image of ours. */
export function svg(options: { xmlDeclaration?: boolean } = {}): Buffer {
  const body =
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10" fill="red"/></svg>\n';
  return Buffer.from((options.xmlDeclaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : '') + body);
}

/** EBML element: id bytes, a one-byte size (payloads < 127 bytes), payload. */
function ebml(id: number[], payload: Buffer): Buffer {
  if (payload.length >= 0x7f) throw new Error('payload too long for a one-byte EBML size');
  return Buffer.concat([Buffer.from(id), Buffer.from([0x80 | payload.length]), payload]);
}

/** The start of a WebM (or Matroska) file as MediaRecorder writes it: the EBML header, then a Segment of unknown size. */
export function webmHeader(docType: 'webm' | 'matroska' = 'webm'): Buffer {
  const header = Buffer.concat([
    ebml([0x42, 0x86], Buffer.from([1])), // EBMLVersion
    ebml([0x42, 0xf7], Buffer.from([1])), // EBMLReadVersion
    ebml([0x42, 0xf2], Buffer.from([4])), // EBMLMaxIDLength
    ebml([0x42, 0xf3], Buffer.from([8])), // EBMLMaxSizeLength
    ebml([0x42, 0x82], Buffer.from(docType, 'ascii')), // DocType
    ebml([0x42, 0x87], Buffer.from([4])), // DocTypeVersion
    ebml([0x42, 0x85], Buffer.from([2])), // DocTypeReadVersion
  ]);
  const segment = Buffer.from([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]); // size unknown (live)
  return Buffer.concat([ebml([0x1a, 0x45, 0xdf, 0xa3], header), segment, Buffer.alloc(256)]);
}

const OGG_FIRST_PACKETS = {
  opus: Buffer.concat([Buffer.from('OpusHead', 'ascii'), Buffer.from([1, 1, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0])]),
  vorbis: Buffer.concat([Buffer.from('\x01vorbis', 'latin1'), Buffer.alloc(23)]),
  theora: Buffer.concat([Buffer.from('\x80theora', 'latin1'), Buffer.alloc(35)]),
};

/** The first page of an Ogg stream whose first packet announces `codec` (Opus for a voice recording). */
export function oggHeader(codec: keyof typeof OGG_FIRST_PACKETS = 'opus'): Buffer {
  const packet = OGG_FIRST_PACKETS[codec];
  const page = Buffer.alloc(27);
  page.write('OggS', 0, 'ascii');
  page[5] = 0x02; // beginning of stream
  page.writeUInt32LE(0x5041524c, 14); // serial
  page[26] = 1; // one segment
  return Buffer.concat([page, Buffer.from([packet.length]), packet, Buffer.alloc(64)]);
}

/** Bytes no sniffer recognises and that are not text (seeded, so a failure can be replayed). */
export function randomBytes(size = 4096, seed = 12): Buffer {
  const random = seededRandom(seed);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = Math.floor(random() * 256);
  bytes[0] = 0x00; // a NUL near the start: never text, whatever the seed
  bytes[1] = 0xff;
  return bytes;
}

export function utf8Text(): Buffer {
  return Buffer.from('Notes — café, naïve, 日本語, emoji 🎉\nSecond line.\n'.repeat(200));
}

/**
 * The EICAR anti-virus test file (harmless, detected by every scanner by design). Kept encoded so this source
 * file is not itself reported by a scanner on a developer's machine.
 */
export function eicar(): Buffer {
  return Buffer.from('WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo=', 'base64');
}
