/**
 * Renders Parley's app icons from SVG with sharp: `npx tsx scripts/make-icons.ts`. The outputs are committed in
 * public/ (browsers fetch them as static files); rerun after changing the mark.
 *   favicon.ico            16/32/48 px PNGs in an ICO container (old browsers, RSS readers, /favicon.ico probes)
 *   apple-touch-icon.png   180 px, opaque (iOS rounds the corners itself and shows transparency as black)
 *   icon-192.png, icon-512.png      "any" purpose: a rounded tile
 *   icon-maskable-512.png  full-bleed background, the mark inside the 80 % safe zone (Android crops to any shape)
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

const ACCENT = '#2563eb';
const publicDir = path.join(import.meta.dirname, '..', 'public');

/** The speech bubble (favicon.svg's paths, 32-unit box) in white with accent lines, scaled to `size` at (x, y). */
function bubble(x: number, y: number, size: number): string {
  const s = size / 32;
  return `<g transform="translate(${x} ${y}) scale(${s})">
    <path fill="#fff" d="M6 4h20a4 4 0 0 1 4 4v12a4 4 0 0 1-4 4H14l-6 5v-5H6a4 4 0 0 1-4-4V8a4 4 0 0 1 4-4z"/>
    <path fill="${ACCENT}" d="M9 11h14v2.5H9zM9 16h9v2.5H9z"/>
  </g>`;
}

/** A square icon: accent background (rounded unless full-bleed) with the bubble taking `markShare` of the side. */
function tile({ rounded, markShare }: { rounded: boolean; markShare: number }): string {
  const n = 512;
  const mark = n * markShare;
  const offset = (n - mark) / 2;
  const radius = rounded ? 112 : 0;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n} ${n}" width="${n}" height="${n}">
    <rect width="${n}" height="${n}" rx="${radius}" fill="${ACCENT}"/>
    ${bubble(offset, offset + mark * 0.03, mark)}
  </svg>`;
}

async function png(svg: string, size: number): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 300 }).resize(size, size).png({ compressionLevel: 9 }).toBuffer();
}

/** An ICO file holding PNG images (supported by every browser since Windows Vista-era ICO readers). */
function ico(images: { size: number; data: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  const entries: Buffer[] = [];
  let offset = 6 + 16 * images.length;
  for (const { size, data } of images) {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0);
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt8(0, 2); // no palette
    entry.writeUInt8(0, 3);
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(data.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += data.length;
    entries.push(entry);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.data)]);
}

async function main(): Promise<void> {
  const rounded = tile({ rounded: true, markShare: 0.72 });
  const square = tile({ rounded: false, markShare: 0.62 });
  // The maskable icon's mark stays inside the central 80 % circle (radius 0.4 of the side).
  const maskable = tile({ rounded: false, markShare: 0.5 });
  // Small sizes use favicon.svg's own look (bubble on transparent): crisper at 16 px than a tile.
  const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">
    <path fill="${ACCENT}" d="M6 4h20a4 4 0 0 1 4 4v12a4 4 0 0 1-4 4H14l-6 5v-5H6a4 4 0 0 1-4-4V8a4 4 0 0 1 4-4z"/>
    <path fill="#fff" d="M9 11h14v2.5H9zM9 16h9v2.5H9z"/>
  </svg>`;

  const outputs: [string, Buffer][] = [
    ['apple-touch-icon.png', await png(square, 180)],
    ['icon-192.png', await png(rounded, 192)],
    ['icon-512.png', await png(rounded, 512)],
    ['icon-maskable-512.png', await png(maskable, 512)],
    ['favicon.ico', ico(await Promise.all([16, 32, 48].map(async (size) => ({ size, data: await png(favicon, size) }))))],
  ];
  for (const [name, data] of outputs) {
    writeFileSync(path.join(publicDir, name), data);
    console.log(`public/${name}: ${data.length} bytes`);
  }
}

await main();
