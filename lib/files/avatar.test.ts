/**
 * Making an account picture from what was uploaded (docs/protocol.md §4.15): the accepted types, decided
 * from the bytes; one frame of an animation; the pixel limit read from the headers; a 256 px WebP out.
 * (Storing and serving it: app/api/account/account.int.test.ts.)
 */
import sharp, { type Metadata } from 'sharp';
import { describe, expect, it } from 'vitest';
import { animatedGif, animatedWebp, avif, jpeg, png, pngBomb, tiff, webp } from '../testing/file-fixtures';
import { makeAvatar } from './avatar';

async function square(bytes: Buffer): Promise<Metadata> {
  return sharp(await makeAvatar(bytes)).metadata();
}

describe('makeAvatar', () => {
  it('PNG, JPEG, WebP and GIF become a 256 × 256 WebP, whatever their shape', async () => {
    for (const bytes of [await png(1200, 300), await jpeg(90, 400), await webp(256, 256), await png(16, 16)]) {
      expect(await square(bytes)).toMatchObject({ format: 'webp', width: 256, height: 256 });
    }
  });

  it('an animation gives its first frame, still', async () => {
    for (const bytes of [await animatedGif(120, 80, 4), await animatedWebp(120, 80, 4)]) {
      const meta = await square(bytes);
      expect(meta).toMatchObject({ format: 'webp', width: 256, height: 256 });
      expect(meta.pages ?? 1).toBe(1);
    }
  });

  it('other images (AVIF, TIFF) and what is not an image are refused with INVALID_PAYLOAD', async () => {
    for (const bytes of [await avif(), await tiff(), Buffer.from('%PDF-1.7\n'), Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), Buffer.alloc(0)]) {
      await expect(makeAvatar(bytes)).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    }
  });

  it('refuses more pixels than allowed from the header, before decoding them', async () => {
    const started = Date.now();
    await expect(makeAvatar(await pngBomb(20_000, 20_000))).rejects.toMatchObject({ code: 'INVALID_PAYLOAD', message: /40 million pixels/ });
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(makeAvatar(await png(300, 200), { maxPixels: 50_000 })).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    expect(await sharp(await makeAvatar(await png(250, 200), { maxPixels: 50_000 })).metadata()).toMatchObject({ width: 256 });
  });
});
