import { describe, expect, it } from 'vitest';
import {
  attachmentSummary,
  base64UrlBytes,
  fileFamily,
  fitBox,
  formatBytes,
  formatDuration,
  guessKind,
  resampleBars,
  waveformBars,
} from './display';

describe('formatBytes', () => {
  it('is the server’s (lib/schemas/attachment.ts): binary units, one decimal below 10', () => {
    expect(formatBytes(1023)).toBe('1023 bytes');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(48_213)).toBe('47 KB');
    expect(formatBytes(25 * 1024 * 1024)).toBe('25 MB');
  });
});

describe('formatDuration', () => {
  it('shows m:ss, and h:mm:ss past an hour', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(7_999)).toBe('0:07');
    expect(formatDuration(754_000)).toBe('12:34');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(Number.NaN)).toBe('0:00');
  });
});

describe('attachmentSummary', () => {
  const pdf = { name: 'report.pdf', kind: 'file' as const, voice: false };
  const image = { name: 'a.png', kind: 'image' as const, voice: false };
  const voice = { name: 'Voice.webm', kind: 'audio' as const, voice: true };

  it('names a single file, says what a single image or voice message is', () => {
    expect(attachmentSummary([pdf])).toBe('📎 report.pdf');
    expect(attachmentSummary([image])).toBe('🖼 Image');
    expect(attachmentSummary([voice])).toBe('🎤 Voice message');
    expect(attachmentSummary([{ name: 'clip.mp4', kind: 'video', voice: false }])).toBe('🎬 Video');
  });

  it('counts several', () => {
    expect(attachmentSummary([image, image, image])).toBe('🖼 3 images');
    expect(attachmentSummary([pdf, image])).toBe('📎 2 files');
    expect(attachmentSummary([])).toBe('');
  });
});

describe('fitBox', () => {
  it('keeps the proportions inside the box and never enlarges', () => {
    expect(fitBox(1440, 720, 360)).toEqual({ width: 360, height: 180 });
    expect(fitBox(720, 1440, 360)).toEqual({ width: 180, height: 360 });
    expect(fitBox(100, 50, 360)).toEqual({ width: 100, height: 50 });
    expect(fitBox(10_000, 1, 360)).toEqual({ width: 360, height: 1 });
  });

  it('has a placeholder box when the size is unknown', () => {
    expect(fitBox(0, 0, 360)).toEqual({ width: 360, height: 270 });
  });
});

describe('fileFamily', () => {
  it('goes by the server-decided type first, then the name', () => {
    expect(fileFamily({ kind: 'file', contentType: 'application/pdf', name: 'x.bin' })).toBe('pdf');
    expect(fileFamily({ kind: 'file', contentType: 'application/zip', name: 'a.zip' })).toBe('archive');
    expect(fileFamily({ kind: 'file', contentType: 'text/plain', name: 'server.log' })).toBe('text');
    expect(fileFamily({ kind: 'file', contentType: 'text/plain', name: 'data.csv' })).toBe('sheet');
    expect(fileFamily({ kind: 'file', contentType: 'application/octet-stream', name: 'main.ts' })).toBe('code');
    expect(fileFamily({ kind: 'file', contentType: 'application/x-elf', name: 'photo.png' })).toBe('other');
    expect(fileFamily({ kind: 'image', contentType: 'image/png', name: 'a.png' })).toBe('image');
  });
});

describe('waveformBars', () => {
  it('takes the peak of each slice, relative to the loudest on a square-root scale', () => {
    const samples = new Float32Array([0.1, -0.2, 0.05, 0.0, 0.4, -0.1, 0.0, 0.0]);
    // 0.2, 0.05, 0.4, 0 of 0.4: √0.5, √0.125, 1, 0.
    expect(waveformBars(samples, 4)).toEqual([180, 90, 255, 0]);
  });

  it('gives flat zeros for silence and for nothing, and at most 128 bars', () => {
    expect(waveformBars(new Float32Array(100), 5)).toEqual([0, 0, 0, 0, 0]);
    expect(waveformBars(new Float32Array(0), 3)).toEqual([0, 0, 0]);
    expect(waveformBars(new Float32Array(1000).fill(0.5), 500)).toHaveLength(128);
  });

  it('works when there are fewer samples than bars', () => {
    const bars = waveformBars(new Float32Array([1, 0.5]), 4);
    expect(bars).toHaveLength(4);
    expect(Math.max(...bars)).toBe(255);
  });
});

describe('resampleBars', () => {
  it('keeps the peaks when shrinking and repeats when growing', () => {
    expect(resampleBars([10, 200, 30, 40], 2)).toEqual([200, 40]);
    expect(resampleBars([10, 20], 4)).toEqual([10, 10, 20, 20]);
    expect(resampleBars([], 4)).toEqual([]);
  });
});

describe('base64UrlBytes', () => {
  it('matches Node’s base64url for every length', () => {
    for (let n = 0; n <= 130; n += 1) {
      const bytes = Array.from({ length: n }, (_, i) => (i * 37 + n) % 256);
      expect(base64UrlBytes(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
    }
  });
});

describe('guessKind', () => {
  it('is a local guess from the browser type', () => {
    expect(guessKind('image/png')).toBe('image');
    expect(guessKind('image/svg+xml')).toBe('file');
    expect(guessKind('video/mp4')).toBe('video');
    expect(guessKind('audio/webm')).toBe('audio');
    expect(guessKind('')).toBe('file');
  });
});
