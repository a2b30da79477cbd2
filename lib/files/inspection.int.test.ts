/**
 * What the server decides about an upload, from the contract (docs/protocol.md §3 `Attachment`, §4.11
 * "What the server decides", §6 uploads and downloads): the type from the content whatever the name says
 * (a lying extension, executables renamed `.png`, HTML and SVG), names made safe (1,000 characters,
 * `../../etc/passwd`, Windows paths, forbidden characters; control characters refused), and images end to
 * end — EXIF and GPS gone from what is served and from the thumbnail, upright, the colour profile kept,
 * dimensions right, a WebP thumbnail no larger than 720 px; corrupt images and decompression bombs stored
 * as plain files; voice messages.
 */
import { parse as parseDisposition } from 'content-disposition';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Attachment } from '@/lib/schemas/attachment';
import { startTestRealtime, type TestRealtime } from '@/lib/testing/realtime';
import {
  FIXTURE_GPS,
  animatedGif,
  avif,
  elfExecutable,
  html,
  jpegWithPrivateMetadata,
  pdf,
  peExecutable,
  png,
  pngBomb,
  randomBytes,
  svg,
  tiff,
  truncated,
  webmHeader,
  webp,
} from '@/lib/testing/file-fixtures';
import { attachmentRows, getFile, ownDataDir, person, roomOf, upload, uploadOk, useStorage, type HttpResult, type Person, type TestStorage } from '@/lib/testing/uploads';

vi.stubEnv('DATA_DIR', ownDataDir());
vi.stubEnv('RATE_LIMIT_UPLOADS_PER_MINUTE', '100000');
vi.stubEnv('RATE_LIMIT_ROOMS_PER_HOUR', '100000');

let rt: TestRealtime;
let storage: TestStorage;
let uploader: Person;
let roomId: string;

beforeAll(async () => {
  rt = await startTestRealtime();
  storage = await useStorage('local');
  uploader = await person();
  roomId = await roomOf(uploader, 'public');
});

afterAll(async () => {
  await rt?.close();
  await storage?.close();
});

const up = (bytes: Buffer, name: string, query?: Record<string, string>) => uploadOk(rt.url, uploader.cookie, roomId, bytes, { name, query });
const fetchAs = (url: string, headers: Record<string, string> = {}) => getFile(rt.url, uploader.cookie, url, { headers });

function disposition(response: HttpResult): { type: string; filename: string | undefined; raw: string } {
  const raw = String(response.headers['content-disposition'] ?? '');
  const parsed = parseDisposition(raw);
  return { type: parsed.type, filename: parsed.parameters.filename, raw };
}

/** Types a browser could treat as a document or script: never served as themselves (§6). */
const ACTIVE_TYPE = /html|xml|svg|javascript|ecmascript|json/i;

/**
 * Served so that a browser runs nothing: as its stored type unless that is an active one (then as
 * application/octet-stream), as an attachment, nosniff, sandboxed.
 */
function expectServedAsInertDownload(response: HttpResult, stored: Attachment): void {
  expect(response.status).toBe(200);
  const served = String(response.headers['content-type']);
  expect(served).toBe(ACTIVE_TYPE.test(stored.contentType) ? 'application/octet-stream' : stored.contentType);
  expect(served).not.toMatch(ACTIVE_TYPE);
  expect(disposition(response).type).toBe('attachment');
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(String(response.headers['content-security-policy'])).toMatch(/\bsandbox\b/);
}

describe('the type comes from the content, never from the name', () => {
  it('a PNG called photo.jpg is a PNG image (the name is kept)', async () => {
    const a = await up(await png(40, 30), 'photo.jpg');
    expect(a).toMatchObject({ name: 'photo.jpg', contentType: 'image/png', kind: 'image', width: 40, height: 30, voice: false });
    const served = await fetchAs(a.url);
    expect(served.headers['content-type']).toBe('image/png');
    expect(disposition(served).type).toBe('inline');
  });

  it('a PDF called cat.png is a PDF: a file, no preview, served as a download', async () => {
    const a = await up(pdf(), 'cat.png');
    expect(a).toMatchObject({ name: 'cat.png', contentType: 'application/pdf', kind: 'file', width: null, height: null, thumbnail: null });
    const served = await fetchAs(a.url);
    expect(served.headers['content-type']).toBe('application/pdf');
    expect(disposition(served).type).toBe('attachment');
    expect((await fetchAs(`${a.url}/thumbnail`)).status).toBe(404);
  });

  for (const [label, bytes, contentType] of [
    ['an ELF executable', elfExecutable(), 'application/x-elf'],
    ['a Windows executable', peExecutable(), 'application/x-msdownload'],
  ] as const) {
    it(`${label} renamed .png is that executable, served as an inert download, never an image`, async () => {
      const a = await up(bytes, 'holiday.png');
      expect(a).toMatchObject({ name: 'holiday.png', contentType, kind: 'file', width: null, thumbnail: null });
      const served = await fetchAs(a.url);
      expectServedAsInertDownload(served, a);
      expect(served.headers['content-type']).toBe(contentType);
      expect(served.body.equals(bytes)).toBe(true);
    });
  }

  it('HTML is never served as HTML, whatever it is called', async () => {
    for (const name of ['page.html', 'innocent.png', 'x.txt']) {
      const a = await up(html(), name);
      expect(a.kind).toBe('file');
      expect(a.thumbnail).toBeNull();
      expectServedAsInertDownload(await fetchAs(a.url), a);
    }
  });

  it('SVG (it can carry scripts) is a file served as an inert download, with no preview; XML too', async () => {
    for (const [name, bytes] of [
      ['logo.svg', svg()],
      ['logo.png', svg()],
      ['logo.svg', svg({ xmlDeclaration: true })],
    ] as const) {
      const a = await up(bytes, name);
      expect(a).toMatchObject({ kind: 'file', width: null, thumbnail: null });
      expectServedAsInertDownload(await fetchAs(a.url), a);
    }
  });

  it('bytes with no known signature are application/octet-stream', async () => {
    const a = await up(randomBytes(5000), 'data.png');
    expect(a).toMatchObject({ contentType: 'application/octet-stream', kind: 'file', thumbnail: null });
    expectServedAsInertDownload(await fetchAs(a.url), a);
  });

  it('the client’s Content-Type says nothing: only application/octet-stream is taken (415 otherwise)', async () => {
    const answer = await upload(rt.url, uploader.cookie, roomId, html(), { name: 'a.png', contentType: 'image/png' });
    expect(answer.status).toBe(415);
  });
});

describe('names', () => {
  const nameCases: [string, string][] = [
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\System32\\cmd.exe', 'cmd.exe'],
    ['C:\\Users\\me\\Desktop\\report.pdf', 'report.pdf'],
    ['/absolute/path/notes.txt', 'notes.txt'],
    ['a<b>c:d"e|f?g*h.txt', 'abcdefgh.txt'],
    ['Résumé – 履歴書.pdf', 'Résumé – 履歴書.pdf'],
    ['..', 'file'],
    ['../', 'file'],
    ['///', 'file'],
  ];
  for (const [given, expected] of nameCases) {
    it(`${JSON.stringify(given)} is stored as ${JSON.stringify(expected)}`, async () => {
      const a = await up(randomBytes(100), given);
      expect(a.name).toBe(expected);
      const served = await fetchAs(a.url);
      expect(disposition(served).filename).toBe(expected);
    });
  }

  it('a 1,000-character name is shortened to at most 255 UTF-8 bytes, keeping its extension', async () => {
    const a = await up(await png(4, 4), `${'x'.repeat(996)}.png`);
    expect(Buffer.byteLength(a.name, 'utf8')).toBeLessThanOrEqual(255);
    expect(a.name).toMatch(/^x{200,}\.png$/);
    const served = await fetchAs(a.url);
    expect(disposition(served).filename).toBe(a.name);
  });

  it('a 1,000-character name in a multi-byte script is cut between characters, extension kept', async () => {
    const a = await up(pdf(), `${'日本語'.repeat(332)}報告.pdf`);
    expect(Buffer.byteLength(a.name, 'utf8')).toBeLessThanOrEqual(255);
    expect(a.name.endsWith('.pdf')).toBe(true);
    expect(a.name).not.toContain('\uFFFD');
    expect(a.name.startsWith('日本語日本語')).toBe(true);
    expect([...a.name.slice(0, -4)].every((ch) => '日本語'.includes(ch))).toBe(true);
  });

  it('a unicode name is sent as filename* (RFC 5987) with an ASCII filename fallback', async () => {
    const a = await up(pdf(), 'Résumé – 履歴書.pdf');
    const { raw, filename } = disposition(await fetchAs(a.url));
    expect(filename).toBe('Résumé – 履歴書.pdf');
    expect(raw).toMatch(/filename\*=UTF-8''R%C3%A9sum%C3%A9/i);
    const fallback = /filename="([^"]*)"/.exec(raw)?.[1];
    expect(fallback, raw).toBeDefined();
    expect(fallback).toMatch(/^[\x20-\x7e]+$/);
    expect(fallback!.endsWith('.pdf')).toBe(true);
  });

  it('control characters and direction overrides in the name are refused (422, issue on name); nothing is stored', async () => {
    const before = (await getRows()).length;
    for (const name of ['a\u0000b.png', 'line\nbreak.png', 'tab\there.png', '\u001b[31mred.png', 'del\u007f.png', 'c1\u0085.png', 'evil\u202Egnp.exe', 'rlm\u200F.png', 'iso\u2066x.png']) {
      const answer = await upload(rt.url, uploader.cookie, roomId, randomBytes(100), { name });
      expect({ name, status: answer.status, code: answer.error?.code }).toEqual({ name, status: 422, code: 'INVALID_PAYLOAD' });
      expect(answer.error?.issues?.[0]?.path).toBe('name');
    }
    const tooLong = await upload(rt.url, uploader.cookie, roomId, randomBytes(100), { name: 'n'.repeat(4097) });
    expect(tooLong.status).toBe(422);
    const longest = await upload(rt.url, uploader.cookie, roomId, randomBytes(100), { name: 'n'.repeat(4096) });
    expect(longest.status).toBe(201);
    expect((await getRows()).length).toBe(before + 1);
  });
});

const getRows = () => attachmentRows(roomId);

/** A served image or thumbnail carries none of what the original's metadata said. */
async function expectNoMetadata(bytes: Buffer): Promise<void> {
  expect(bytes.includes('ParleyCam')).toBe(false);
  expect(bytes.includes(FIXTURE_GPS.xmpMarker)).toBe(false);
  expect(bytes.includes('Exif\u0000\u0000')).toBe(false);
  expect(bytes.includes('http://ns.adobe.com/xap/')).toBe(false);
  const meta = await sharp(bytes).metadata();
  expect(meta.exif).toBeUndefined();
  expect(meta.xmp).toBeUndefined();
  expect(meta.orientation === undefined || meta.orientation === 1).toBe(true);
}

describe('images', () => {
  it('EXIF and GPS are gone from the served image and its thumbnail; it is upright, its colour profile kept, its size as served', async () => {
    const original = await jpegWithPrivateMetadata();
    expect(original.includes('ParleyCam')).toBe(true);
    expect(original.includes(FIXTURE_GPS.xmpMarker)).toBe(true);
    const a = await up(original, 'IMG_0001.JPG');
    // Stored sideways (600×400, Orientation 6): upright it is 400×600.
    expect(a).toMatchObject({ kind: 'image', contentType: 'image/jpeg', width: 400, height: 600 });
    expect(a.thumbnail).toMatchObject({ width: 400, height: 600, url: `${a.url}/thumbnail` });

    const served = await fetchAs(a.url);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect(disposition(served).type).toBe('inline');
    await expectNoMetadata(served.body);
    const meta = await sharp(served.body).metadata();
    expect({ width: meta.width, height: meta.height, format: meta.format }).toEqual({ width: 400, height: 600, format: 'jpeg' });
    expect(meta.icc, 'the ICC colour profile is kept').toBeDefined();
    // Upright: the red mark, stored in the top-left corner sideways, is now in the top-right.
    const { data, info } = await sharp(served.body).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    expect(pixel(info.width - 10, 10)[0]).toBeGreaterThan(200);
    expect(pixel(10, 10)[0]).toBeLessThan(60);
    expect(a.size).toBe(served.body.length);
    expect(served.headers['content-length']).toBe(String(a.size));

    const thumb = await fetchAs(a.thumbnail!.url);
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    await expectNoMetadata(thumb.body);
    const thumbMeta = await sharp(thumb.body).metadata();
    expect({ width: thumbMeta.width, height: thumbMeta.height, format: thumbMeta.format }).toEqual({ width: 400, height: 600, format: 'webp' });
  });

  it('a large image gets a WebP thumbnail of at most 720 px on its longer side, in proportion', async () => {
    const a = await up(await png(2000, 1000), 'wide.png');
    expect(a).toMatchObject({ kind: 'image', width: 2000, height: 1000 });
    expect(a.thumbnail).toMatchObject({ width: 720, height: 360 });
    const thumb = await fetchAs(a.thumbnail!.url);
    const meta = await sharp(thumb.body).metadata();
    expect({ width: meta.width, height: meta.height, format: meta.format }).toEqual({ width: 720, height: 360, format: 'webp' });

    const tall = await up(await png(300, 1500), 'tall.png');
    expect(tall.thumbnail).toMatchObject({ width: 144, height: 720 });
  });

  it('a small image’s thumbnail is not enlarged', async () => {
    const a = await up(await png(300, 200), 'small.png');
    expect(a.thumbnail!.width).toBeLessThanOrEqual(300);
    expect(a.thumbnail!.height).toBeLessThanOrEqual(200);
    expect(a.thumbnail!.width / a.thumbnail!.height).toBeCloseTo(1.5, 1);
  });

  it('GIF and WebP are images, served inline with their own type', async () => {
    for (const [bytes, type] of [
      [await animatedGif(50, 20), 'image/gif'],
      [await webp(50, 20), 'image/webp'],
    ] as const) {
      const a = await up(bytes, 'pic.bin');
      expect(a).toMatchObject({ kind: 'image', contentType: type, width: 50, height: 20 });
      const served = await fetchAs(a.url);
      expect(served.headers['content-type']).toBe(type);
      expect(disposition(served).type).toBe('inline');
      expect((await fetchAs(a.thumbnail!.url)).headers['content-type']).toBe('image/webp');
    }
  });

  it('TIFF is served as PNG and AVIF as WebP (contentType and size say what is served)', async () => {
    for (const [bytes, type, format] of [
      [await tiff(120, 90), 'image/png', 'png'],
      [await avif(64, 48), 'image/webp', 'webp'],
    ] as const) {
      const a = await up(bytes, 'picture');
      expect(a).toMatchObject({ kind: 'image', contentType: type });
      const served = await fetchAs(a.url);
      expect(served.headers['content-type']).toBe(type);
      expect(served.body.length).toBe(a.size);
      expect((await sharp(served.body).metadata()).format).toBe(format);
    }
  });

  it('an animated GIF keeps its frames', async () => {
    const a = await up(await animatedGif(60, 40, 4), 'anim.gif');
    expect(a).toMatchObject({ kind: 'image', contentType: 'image/gif', width: 60, height: 40 });
    const meta = await sharp((await fetchAs(a.url)).body, { animated: true }).metadata();
    expect(meta.pages).toBe(4);
  });

  it('a corrupt image is stored as a plain file (no preview), never refused, and the server carries on', async () => {
    const corrupt = truncated(await png(400, 300));
    const a = await up(corrupt, 'broken.png');
    expect(a).toMatchObject({ kind: 'file', width: null, height: null, thumbnail: null, size: corrupt.length });
    expect((await fetchAs(`${a.url}/thumbnail`)).status).toBe(404);
    expect((await fetchAs(a.url)).body.equals(corrupt)).toBe(true);
    await up(await png(10, 10), 'fine.png');
  });

  it('a decompression bomb (2.5 billion pixels in a few hundred KB) is kept as a plain file without being decoded', async () => {
    const bomb = await pngBomb();
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    const a = await up(bomb, 'bomb.png');
    expect(a).toMatchObject({ kind: 'file', width: null, height: null, thumbnail: null });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
  });
});

describe('voice messages', () => {
  it('a WebM recording with voice=1 is audio with the client’s duration and waveform; without, a video', async () => {
    const bars = [0, 12, 80, 255, 128, 64];
    const voice = await up(webmHeader(), 'voice.webm', { voice: '1', durationMs: '4210', waveform: Buffer.from(bars).toString('base64url') });
    expect(voice).toMatchObject({ kind: 'audio', voice: true, durationMs: 4210, waveform: bars, width: null, thumbnail: null });
    const served = await fetchAs(voice.url);
    expect(disposition(served).type).toBe('inline');
    expect(String(served.headers['content-type'])).toMatch(/^(audio|video)\/webm\b/);

    const video: Attachment = await up(webmHeader(), 'clip.webm');
    expect(video).toMatchObject({ kind: 'video', voice: false, durationMs: null, waveform: null });
  });

  it('voice fields are checked: at most 128 bars of base64url, a duration of 0 … 3,600,000 ms', async () => {
    const bad: Record<string, string>[] = [
      { voice: '1', waveform: Buffer.alloc(129).toString('base64url') },
      { voice: '1', waveform: 'not base64!' },
      { voice: '1', durationMs: '3600001' },
      { voice: '1', durationMs: '-1' },
      { voice: '1', durationMs: '1.5' },
      { voice: 'yes' },
      { waveform: 'AAAA' },
    ];
    for (const query of bad) {
      const answer = await upload(rt.url, uploader.cookie, roomId, webmHeader(), { name: 'v.webm', query });
      expect({ query, status: answer.status }).toEqual({ query, status: 422 });
    }
    const longest = await up(webmHeader(), 'v.webm', { voice: '1', durationMs: '3600000', waveform: Buffer.alloc(128, 9).toString('base64url') });
    expect(longest.waveform).toHaveLength(128);
  });
});
