/**
 * Small files of known content for the files tests: real images (sharp), an image carrying EXIF with GPS
 * and a rotation, corrupt and decompression-bomb PNGs built byte by byte, executables and documents whose
 * magic numbers say what they are whatever they are called.
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** Text planted in the EXIF of `jpegWithLocation`: it must never be served. */
export const EXIF_MARKER = 'ParleySecretCamera';
/** The GPS position planted with it (Paris), as the EXIF rationals say. */
export const GPS_LATITUDE = '48/1 51/1 2400/100';

export async function png(width: number, height: number, colour = '#3a7'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer();
}

export async function gif(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#27c' } }).gif().toBuffer();
}

export async function webp(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#c72' } }).webp().toBuffer();
}

/**
 * A 64×32 JPEG stored sideways (EXIF Orientation 6: shown rotated to 32×64), with a camera make, a GPS
 * position and a Display P3 colour profile: what is served must be upright, keep the profile and carry
 * none of the rest.
 */
export async function jpegWithLocation(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 32, channels: 3, background: '#c33' } })
    .jpeg()
    .withIccProfile('p3')
    .withMetadata({ orientation: 6 })
    .withExifMerge({
      IFD0: { Make: EXIF_MARKER, Model: 'SpyCam 3000' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: GPS_LATITUDE, GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 700/100' },
    })
    .toBuffer();
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(width: number, height: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = 8; // bit depth
  data[9] = 0; // greyscale
  return pngChunk('IHDR', data);
}

/**
 * A decompression bomb: a valid PNG header claiming `edge`×`edge` pixels (10 billion by default) with a
 * few hundred bytes of compressed zeros. Decoding it would need gigabytes.
 */
export function bombPng(edge = 100_000): Buffer {
  const rows = deflateSync(Buffer.alloc(64 * 1024), { level: 9 });
  return Buffer.concat([PNG_SIGNATURE, ihdr(edge, edge), pngChunk('IDAT', rows), pngChunk('IEND', Buffer.alloc(0))]);
}

/** Starts like a PNG (so its type is PNG) and then is garbage: it cannot be decoded. */
export function corruptPng(): Buffer {
  const garbage = Buffer.alloc(2_000);
  for (let i = 0; i < garbage.length; i += 1) garbage[i] = (i * 7919) & 0xff;
  return Buffer.concat([PNG_SIGNATURE, ihdr(40, 40), pngChunk('IDAT', garbage.subarray(0, 500)), garbage]);
}

/** The start of a 64-bit Linux executable (ELF magic and header), padded. */
export function elfExecutable(): Buffer {
  const header = Buffer.alloc(4096);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(header, 0);
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(0x3e, 18); // x86-64
  return header;
}

/** A Windows executable: "MZ", a DOS stub and a PE signature. */
export function windowsExecutable(): Buffer {
  const file = Buffer.alloc(4096);
  file.write('MZ', 0, 'ascii');
  file.writeUInt32LE(0x80, 0x3c);
  file.write('PE\u0000\u0000', 0x80, 'latin1');
  file.write('This program cannot be run in DOS mode.', 0x4e, 'ascii');
  return file;
}

export function pdf(text = 'Parley test document'): Buffer {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );
}

export const HTML_PAGE = Buffer.from('<!doctype html><html><body><script>document.title = "pwned"</script></body></html>\n');
export const SVG_IMAGE = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)"><script>alert(2)</script></svg>\n');

/** A minimal WebM (EBML header with DocType "webm"): what a browser's MediaRecorder makes a voice message in. */
export function webmAudio(): Buffer {
  const docType = Buffer.concat([Buffer.from([0x42, 0x82, 0x84]), Buffer.from('webm', 'ascii')]);
  const header = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x80 | docType.length]), docType]);
  // A Segment with some payload so the file is not just a header.
  const payload = Buffer.alloc(2_000, 0x11);
  const segment = Buffer.concat([Buffer.from([0x18, 0x53, 0x80, 0x67, 0x01, 0, 0, 0, 0, 0, (payload.length >> 8) & 0xff, payload.length & 0xff]), payload]);
  return Buffer.concat([header, segment]);
}

/** Bytes with no magic number (served as application/octet-stream). */
export function binaryBlob(size: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  // Never start with a known signature.
  bytes.write('PRLY', 0, 'ascii');
  return bytes;
}
