import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fixtures from '../testing/file-fixtures';
import { IMAGE_JOBS, inspectFile } from './inspect';
import { THUMBNAIL_MAX_EDGE, type InspectOptions, type Inspection, type ProcessedImage } from './types';

const FIXTURE_MARKER = fixtures.FIXTURE_GPS.xmpMarker;
let root: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'parley-inspect-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes `bytes` under `name` (names must not matter) and inspects it with its own work folder. */
async function inspect(bytes: Buffer, name: string, options: Partial<InspectOptions> = {}): Promise<Inspection & { workDir: string }> {
  const dir = path.join(root, String(++counter));
  const workDir = path.join(dir, 'work');
  await mkdir(workDir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  const result = await inspectFile(file, { maxPixels: 80_000_000, workDir, voice: false, ...options });
  return { ...result, workDir };
}

function imageOf(result: Inspection): ProcessedImage {
  expect(result.kind).toBe('image');
  expect(result.image).toBeDefined();
  return result.image!;
}

/** The reported numbers are the written files' own. */
async function expectTruthfulImage(image: ProcessedImage, workDir: string): Promise<void> {
  expect(path.dirname(image.path)).toBe(workDir);
  expect(path.dirname(image.thumbnail.path)).toBe(workDir);
  const served = await sharp(image.path).metadata();
  expect(`image/${served.format}`).toBe(image.contentType);
  expect(served.width).toBe(image.width);
  expect(served.pageHeight ?? served.height).toBe(image.height);
  expect((await stat(image.path)).size).toBe(image.size);
  const thumb = await sharp(image.thumbnail.path).metadata();
  expect(thumb.format).toBe('webp');
  expect(thumb.pages ?? 1).toBe(1);
  expect([thumb.width, thumb.height]).toEqual([image.thumbnail.width, image.thumbnail.height]);
  expect((await stat(image.thumbnail.path)).size).toBe(image.thumbnail.size);
  expect(Math.max(thumb.width, thumb.height)).toBeLessThanOrEqual(THUMBNAIL_MAX_EDGE);
}

/** Mean colour of a region of a file, as [r, g, b]. */
async function meanColour(file: string, region: { left: number; top: number; width: number; height: number }): Promise<number[]> {
  const cut = await sharp(file).extract(region).png().toBuffer(); // stats() reads its input, not a pipeline's result
  const { channels } = await sharp(cut).stats();
  return channels.slice(0, 3).map((c) => Math.round(c.mean));
}

describe('images are decoded and re-encoded', () => {
  it('strips EXIF, GPS and XMP from a phone JPEG, applies its orientation and keeps its colour profile', async () => {
    const original = await fixtures.jpegWithPrivateMetadata();
    const before = await sharp(original).metadata();
    expect(before.exif).toBeDefined(); // the fixture really carries what must go
    expect(before.xmp).toBeDefined();
    expect(before.orientation).toBe(6);

    const result = await inspect(original, 'IMG_0001.JPG');
    expect(result.contentType).toBe('image/jpeg');
    const image = imageOf(result);
    expect(image.contentType).toBe('image/jpeg');
    expect([image.width, image.height]).toEqual([400, 600]); // 600×400 stored, turned upright
    await expectTruthfulImage(image, result.workDir);

    const served = await sharp(image.path).metadata();
    expect(served.exif).toBeUndefined();
    expect(served.xmp).toBeUndefined();
    expect(served.iptc).toBeUndefined();
    expect(served.orientation).toBeUndefined();
    expect(served.hasProfile).toBe(true);
    expect(before.icc).toBeDefined();
    expect(served.icc?.equals(before.icc!)).toBe(true); // the original profile, byte for byte
    const bytes = (await readFile(image.path)).toString('latin1');
    for (const secret of ['ParleyCam', FIXTURE_MARKER, 'Exif\0\0']) expect(bytes).not.toContain(secret);

    // Orientation 6 shows the stored top-left corner at the top right: the red mark must be there now.
    expect(await meanColour(image.path, { left: 320, top: 10, width: 60, height: 60 })).toEqual([
      expect.toSatisfy((r: number) => r > 200),
      expect.toSatisfy((g: number) => g < 60),
      expect.toSatisfy((b: number) => b < 60),
    ]);
    expect((await meanColour(image.path, { left: 10, top: 10, width: 60, height: 60 }))[2]).toBeGreaterThan(200);

    expect([image.thumbnail.width, image.thumbnail.height]).toEqual([400, 600]);
    const thumb = await sharp(image.thumbnail.path).metadata();
    expect(thumb.exif).toBeUndefined();
    expect(thumb.xmp).toBeUndefined();
  });

  it('keeps a PNG a PNG with its alpha, and a palette PNG a palette PNG with exactly its colours', async () => {
    const result = await inspect(await fixtures.png(2000, 1000, { alpha: true }), 'a.png');
    const image = imageOf(result);
    expect([result.contentType, image.contentType, image.width, image.height]).toEqual(['image/png', 'image/png', 2000, 1000]);
    expect((await sharp(image.path).metadata()).hasAlpha).toBe(true);
    expect([image.thumbnail.width, image.thumbnail.height]).toEqual([720, 360]);
    await expectTruthfulImage(image, result.workDir);

    const palette = await sharp(await fixtures.png(300, 200)).png({ palette: true, colours: 16 }).toBuffer();
    const paletted = imageOf(await inspect(palette, 'p.png'));
    expect((await sharp(paletted.path).metadata()).isPalette).toBe(true);
    const pixels = async (input: Buffer | string) => sharp(input).removeAlpha().raw().toBuffer();
    expect((await pixels(paletted.path)).equals(await pixels(palette))).toBe(true);
  });

  it('keeps WebP as WebP, serves AVIF as WebP and TIFF as PNG (browsers cannot show TIFF)', async () => {
    const webp = await inspect(await fixtures.webp(), 'a.webp');
    expect([webp.contentType, imageOf(webp).contentType]).toEqual(['image/webp', 'image/webp']);
    await expectTruthfulImage(imageOf(webp), webp.workDir);

    const avif = await inspect(await fixtures.avif(64, 48), 'a.avif');
    expect([avif.contentType, imageOf(avif).contentType, imageOf(avif).width, imageOf(avif).height]).toEqual(['image/avif', 'image/webp', 64, 48]);
    await expectTruthfulImage(imageOf(avif), avif.workDir);

    const tiff = await inspect(await fixtures.tiff(), 'scan.tif');
    expect([tiff.contentType, imageOf(tiff).contentType]).toEqual(['image/tiff', 'image/png']);
    await expectTruthfulImage(imageOf(tiff), tiff.workDir);
  });

  it('keeps an animated GIF and an animated WebP animated, with a still first-frame thumbnail', async () => {
    for (const [bytes, type] of [
      [await fixtures.animatedGif(120, 80, 4), 'image/gif'],
      [await fixtures.animatedWebp(120, 80, 4), 'image/webp'],
    ] as const) {
      const result = await inspect(bytes, 'anim');
      const image = imageOf(result);
      expect([result.contentType, image.contentType, image.width, image.height]).toEqual([type, type, 120, 80]);
      const served = await sharp(image.path).metadata();
      expect(served.pages).toBe(4);
      expect(served.delay).toEqual([100, 100, 100, 100]);
      expect([image.thumbnail.width, image.thumbnail.height]).toEqual([120, 80]);
      await expectTruthfulImage(image, result.workDir);
    }
  });

  it('makes thumbnails at most THUMBNAIL_MAX_EDGE on the longer side, aspect kept, never enlarged', async () => {
    const cases: Array<[number, number, number, number]> = [
      [2000, 1000, 720, 360],
      [1000, 2000, 360, 720],
      [720, 720, 720, 720],
      [1441, 100, 720, 50],
      [320, 240, 320, 240],
      [1, 1, 1, 1],
    ];
    for (const [width, height, thumbWidth, thumbHeight] of cases) {
      const image = imageOf(await inspect(await fixtures.jpeg(width, height), 'x.jpg'));
      expect([image.width, image.height, image.thumbnail.width, image.thumbnail.height]).toEqual([width, height, thumbWidth, thumbHeight]);
    }
  });
});

describe('what cannot or must not be decoded stays a plain file', () => {
  it('a truncated JPEG', async () => {
    const result = await inspect(fixtures.truncated(await fixtures.jpeg(2000, 1500)), 'cut.jpg');
    expect(result).toMatchObject({ contentType: 'image/jpeg', kind: 'file' });
    expect(result.image).toBeUndefined();
    expect(await readdir(result.workDir)).toEqual([]);
  });

  it('a decompression bomb (50000×50000 in 300 KB) is refused from its header, quickly', async () => {
    const bomb = await fixtures.pngBomb(50_000, 50_000);
    expect(bomb.length).toBeLessThan(1_000_000);
    const started = Date.now();
    const result = await inspect(bomb, 'bomb.png');
    expect(result).toMatchObject({ contentType: 'image/png', kind: 'file' });
    expect(result.image).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(3000); // decoding 2.5 billion pixels would take minutes
  });

  it('the pixel limit is width × height, and counts every frame of an animation', async () => {
    const still = await fixtures.jpeg(320, 240);
    expect((await inspect(still, 's.jpg', { maxPixels: 320 * 240 })).kind).toBe('image');
    expect((await inspect(still, 's.jpg', { maxPixels: 320 * 240 - 1 })).kind).toBe('file');

    const animation = await fixtures.animatedGif(120, 80, 4); // 9600 pixels a frame, 38400 in all
    expect((await inspect(animation, 'a.gif', { maxPixels: 38_400 })).kind).toBe('image');
    const over = await inspect(animation, 'a.gif', { maxPixels: 38_399 });
    expect(over).toMatchObject({ contentType: 'image/gif', kind: 'file' });
  });

  it('an executable named like a picture is the executable', async () => {
    expect(await inspect(fixtures.elfExecutable(), 'photo.png')).toMatchObject({ contentType: 'application/x-elf', kind: 'file' });
    expect(await inspect(fixtures.peExecutable(), 'photo.jpg')).toMatchObject({ contentType: 'application/x-msdownload', kind: 'file' });
  });

  it('an SVG is never an image (it can carry scripts): text or XML, kind file', async () => {
    for (const bytes of [fixtures.svg(), fixtures.svg({ xmlDeclaration: true })]) {
      const result = await inspect(bytes, 'logo.svg');
      expect(result.kind).toBe('file');
      expect(result.image).toBeUndefined();
      expect(['text/plain', 'application/xml']).toContain(result.contentType);
    }
  });

  it('a PDF, an HTML page, text, random bytes and an empty file', async () => {
    expect(await inspect(fixtures.pdf(), 'a.pdf')).toEqual(expect.objectContaining({ contentType: 'application/pdf', kind: 'file' }));
    expect(await inspect(fixtures.html(), 'page.png')).toEqual(expect.objectContaining({ contentType: 'text/plain', kind: 'file' }));
    expect(await inspect(fixtures.utf8Text(), 'notes')).toEqual(expect.objectContaining({ contentType: 'text/plain', kind: 'file' }));
    // A two-byte character cut by the end of the 8 KB sample is still text.
    expect((await inspect(Buffer.from('a' + 'é'.repeat(5000)), 'cut.txt')).contentType).toBe('text/plain');
    expect((await inspect(Buffer.from('caf\xe9 cr\xe8me', 'latin1'), 'latin1.txt')).contentType).toBe('application/octet-stream');
    expect(await inspect(fixtures.randomBytes(), 'x.txt')).toEqual(expect.objectContaining({ contentType: 'application/octet-stream', kind: 'file' }));
    expect(await inspect(Buffer.alloc(0), 'empty.jpg')).toEqual(expect.objectContaining({ contentType: 'application/octet-stream', kind: 'file' }));
  });
});

describe('server faults are thrown, not hidden as "not an image"', () => {
  it('a work folder that cannot be written, an input that is gone', async () => {
    const file = path.join(root, 'fault.jpg');
    await writeFile(file, await fixtures.jpeg());
    const options = { maxPixels: 80_000_000, workDir: path.join(root, 'no-such-folder'), voice: false };
    await expect(inspectFile(file, options)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(inspectFile(path.join(root, 'gone.jpg'), { ...options, workDir: root })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('audio and video', () => {
  it('a voice recording in a WebM or Ogg container is audio; without voice a WebM is video', async () => {
    expect(await inspect(fixtures.webmHeader(), 'voice.webm', { voice: true })).toMatchObject({ contentType: 'audio/webm', kind: 'audio' });
    expect(await inspect(fixtures.webmHeader(), 'clip.webm', { voice: false })).toMatchObject({ contentType: 'video/webm', kind: 'video' });
    expect(await inspect(fixtures.oggHeader('opus'), 'voice.ogg', { voice: true })).toMatchObject({ contentType: 'audio/ogg', kind: 'audio' });
    expect(await inspect(fixtures.oggHeader('opus'), 'song.ogg', { voice: false })).toMatchObject({ contentType: 'audio/ogg', kind: 'audio' });
    expect(await inspect(fixtures.oggHeader('theora'), 'voice.ogg', { voice: true })).toMatchObject({ contentType: 'audio/ogg', kind: 'audio' });
    expect(await inspect(fixtures.oggHeader('theora'), 'film.ogv', { voice: false })).toMatchObject({ contentType: 'video/ogg', kind: 'video' });
  });

  it('voice does not turn anything else into audio', async () => {
    expect(await inspect(fixtures.pdf(), 'voice.webm', { voice: true })).toMatchObject({ contentType: 'application/pdf', kind: 'file' });
    expect((await inspect(await fixtures.png(), 'voice.webm', { voice: true })).kind).toBe('image');
  });
});

describe('under load', () => {
  it('20 parallel uploads all come out right while at most IMAGE_JOBS decode at once', async () => {
    const photos = await Promise.all(Array.from({ length: 20 }, (_, i) => fixtures.jpeg(1200 + i, 900)));
    let busiest = 0;
    const sampler = setInterval(() => {
      busiest = Math.max(busiest, sharp.counters().process);
    }, 1);
    try {
      const results = await Promise.all(photos.map((bytes, i) => inspect(bytes, `p${i}.jpg`)));
      results.forEach((result, i) => {
        const image = imageOf(result);
        expect([image.width, image.height, image.thumbnail.width]).toEqual([1200 + i, 900, 720]);
      });
    } finally {
      clearInterval(sampler);
    }
    expect(busiest).toBeGreaterThan(0);
    expect(busiest).toBeLessThanOrEqual(IMAGE_JOBS);
  });
});
