import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api-client';
import type { UploadHandle, UploadRequest } from '../files/upload-client';
import type { Attachment, UploadLimits } from '../schemas/attachment';
import { createUploadsStore, localProblem, uploadErrorText, type UploadsDeps } from './uploads';

const MB = 1024 * 1024;
const LIMITS: UploadLimits = { maxBytes: 25 * MB, maxFilesPerMessage: 10, quotaBytes: 1024 * MB, usedBytes: 0 };

function file(name: string, size: number, type = 'application/pdf'): File {
  return new File([new Uint8Array(size)], name, { type });
}

function attachmentFor(request: UploadRequest, id: string): Attachment {
  return {
    id,
    name: request.name,
    size: request.body.size,
    contentType: 'application/pdf',
    kind: 'file',
    width: null,
    height: null,
    thumbnail: null,
    voice: Boolean(request.voice),
    durationMs: request.voice?.durationMs ?? null,
    waveform: request.voice?.waveform ?? null,
    url: `/api/files/${id}`,
  };
}

/** A transport whose uploads finish when the test says so. */
function fakeTransport() {
  const calls: {
    request: UploadRequest;
    progress(loaded: number): void;
    resolve(): void;
    reject(error: unknown): void;
    aborted: boolean;
  }[] = [];
  let n = 0;
  const upload = (request: UploadRequest, onProgress: (loaded: number, total: number) => void): UploadHandle => {
    let resolve!: (a: Attachment) => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<Attachment>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    const call = {
      request,
      progress: (loaded: number) => onProgress(loaded, request.body.size),
      resolve: () => resolve(attachmentFor(request, id)),
      reject,
      aborted: false,
    };
    calls.push(call);
    return {
      done,
      abort: () => {
        call.aborted = true;
        reject(new DOMException('cancelled', 'AbortError'));
      },
    };
  };
  return { calls, upload };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(overrides: Partial<UploadsDeps> = {}) {
  const transport = fakeTransport();
  const removed: string[] = [];
  const revoked: string[] = [];
  let urls = 0;
  const store = createUploadsStore({
    upload: transport.upload,
    removeUpload: async (id) => {
      removed.push(id);
    },
    fetchLimits: async () => LIMITS,
    createObjectURL: () => `blob:preview-${++urls}`,
    revokeObjectURL: (url) => revoked.push(url),
    now: () => 0,
    ...overrides,
  });
  const items = (tray = 'room1') => store.getState().trays[tray]?.items ?? [];
  return { store, transport, removed, revoked, items };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('uploads store', () => {
  it('uploads what is added, with progress, and is ready once every file is stored', async () => {
    const { store, transport, items } = setup();
    store.getState().add('room1', 'R1', [file('a.pdf', 1000), file('b.pdf', 2000)]);
    expect(items().map((i) => i.status)).toEqual(['queued', 'queued']);
    await flush();
    expect(items().map((i) => i.status)).toEqual(['uploading', 'uploading']);
    expect(transport.calls.map((c) => [c.request.roomId, c.request.name])).toEqual([
      ['R1', 'a.pdf'],
      ['R1', 'b.pdf'],
    ]);
    transport.calls[0]!.progress(1000);
    expect(items()[0]!.loaded).toBe(1000);
    transport.calls[0]!.resolve();
    await flush();
    expect(items()[0]!.status).toBe('done');
    expect(store.getState().ready('room1')).toBeNull();
    transport.calls[1]!.resolve();
    await flush();
    expect(store.getState().ready('room1')?.map((a) => a.name)).toEqual(['a.pdf', 'b.pdf']);
  });

  it('refuses a file over the limit or empty without sending it, and says which', async () => {
    const { store, transport, items } = setup();
    store.getState().add('room1', 'R1', [file('huge.mov', 26 * MB, 'video/mp4'), file('empty.txt', 0), file('ok.pdf', 10)]);
    await flush();
    expect(items().map((i) => i.status)).toEqual(['refused', 'refused', 'uploading']);
    expect(items()[0]!.error).toBe('huge.mov is too big (26 MB). Files can be up to 25 MB.');
    expect(items()[1]!.error).toBe('empty.txt is empty.');
    expect(transport.calls.map((c) => c.request.name)).toEqual(['ok.pdf']);
    transport.calls[0]!.resolve();
    await flush();
    // A refused file blocks the send until it is removed.
    expect(store.getState().ready('room1')).toBeNull();
    store.getState().remove('room1', items()[0]!.key);
    store.getState().remove('room1', items()[0]!.key);
    expect(store.getState().ready('room1')).toHaveLength(1);
  });

  it('keeps at most 10 files per tray and says how many were left out', async () => {
    const { store, items } = setup();
    store.getState().add('room1', 'R1', Array.from({ length: 8 }, (_, i) => file(`${i}.pdf`, 1)));
    store.getState().add('room1', 'R1', Array.from({ length: 4 }, (_, i) => file(`x${i}.pdf`, 1)));
    expect(items()).toHaveLength(10);
    expect(store.getState().trays.room1!.notice).toBe('A message can carry at most 10 files: 2 files were left out.');
  });

  it('runs a few uploads at a time and starts the next as one ends', async () => {
    const { store, transport, items } = setup({ concurrency: 2 });
    store.getState().add('room1', 'R1', [file('1.pdf', 1), file('2.pdf', 1), file('3.pdf', 1)]);
    await flush();
    expect(items().map((i) => i.status)).toEqual(['uploading', 'uploading', 'queued']);
    transport.calls[1]!.resolve();
    await flush();
    expect(items().map((i) => i.status)).toEqual(['uploading', 'done', 'uploading']);
  });

  it('cancels a running upload, deletes a stored one, and revokes previews', async () => {
    const { store, transport, items, removed, revoked } = setup();
    store.getState().add('room1', 'R1', [file('shot.png', 10, 'image/png'), file('b.pdf', 10)]);
    expect(items()[0]!.previewUrl).toBe('blob:preview-1');
    expect(items()[1]!.previewUrl).toBeNull();
    await flush();
    store.getState().remove('room1', items()[0]!.key);
    expect(transport.calls[0]!.aborted).toBe(true);
    expect(revoked).toEqual(['blob:preview-1']);
    transport.calls[1]!.resolve();
    await flush();
    const stored = items()[0]!.attachment!.id;
    store.getState().remove('room1', items()[0]!.key);
    await flush();
    expect(removed).toEqual([stored]);
    expect(store.getState().trays.room1!.items).toEqual([]);
  });

  it('shows the server’s message; retry sends the file again', async () => {
    const { store, transport, items } = setup();
    store.getState().add('room1', 'R1', [file('a.pdf', 10)]);
    await flush();
    transport.calls[0]!.reject(new ApiError(503, { code: 'UNAVAILABLE', message: 'File storage is unreachable.' }));
    await flush();
    expect(items()[0]).toMatchObject({ status: 'failed', error: 'File storage is unreachable.', retryable: true });
    store.getState().retry('room1', items()[0]!.key);
    await flush();
    expect(transport.calls).toHaveLength(2);
    transport.calls[1]!.resolve();
    await flush();
    expect(items()[0]!.status).toBe('done');
  });

  it('tries again by itself after a rate limit’s retryAfter', async () => {
    vi.useFakeTimers();
    const { store, transport, items } = setup();
    store.getState().add('room1', 'R1', [file('a.pdf', 10)]);
    await vi.advanceTimersByTimeAsync(0);
    transport.calls[0]!.reject(new ApiError(429, { code: 'RATE_LIMITED', message: 'Too many uploads.', retryAfter: 7 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(items()[0]).toMatchObject({ status: 'failed', error: 'Too many uploads at once. Trying again in 7 s.' });
    await vi.advanceTimersByTimeAsync(6_900);
    expect(transport.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(transport.calls).toHaveLength(2);
    expect(items()[0]!.status).toBe('uploading');
  });

  it('carries a voice message’s description to the upload', async () => {
    const { store, transport, items } = setup();
    const blob = new Blob([new Uint8Array(50)], { type: 'audio/webm' });
    store.getState().add('room1', 'R1', [{ blob, name: 'Voice message.webm', voice: { durationMs: 3200, waveform: [1, 2, 3] } }]);
    await flush();
    expect(items()[0]!.kind).toBe('audio');
    expect(transport.calls[0]!.request.voice).toEqual({ durationMs: 3200, waveform: [1, 2, 3] });
  });

  it('keeps trays apart, and clear forgets one without deleting its (sent) uploads', async () => {
    const { store, transport, removed } = setup();
    store.getState().add('room1', 'R1', [file('a.pdf', 1)]);
    store.getState().add('room1/thread/4', 'R1', [file('b.pdf', 1)]);
    await flush();
    for (const call of transport.calls) call.resolve();
    await flush();
    expect(store.getState().ready('room1/thread/4')?.map((a) => a.name)).toEqual(['b.pdf']);
    store.getState().clear('room1');
    expect(store.getState().trays.room1).toBeUndefined();
    expect(store.getState().trays['room1/thread/4']?.items).toHaveLength(1);
    expect(removed).toEqual([]);
  });

  it('lets the server decide when the limits cannot be read', async () => {
    const { store, transport, items } = setup({ fetchLimits: () => Promise.reject(new Error('offline')) });
    store.getState().add('room1', 'R1', [file('big.bin', 30 * MB)]);
    await flush();
    expect(items()[0]!.status).toBe('uploading');
    expect(transport.calls).toHaveLength(1);
  });
});

describe('localProblem and uploadErrorText', () => {
  it('names the file and the limit', () => {
    expect(localProblem({ name: 'a', size: 5 }, null)).toBeNull();
    expect(localProblem({ name: 'a', size: 26 * MB }, LIMITS)).toContain('up to 25 MB');
  });

  it('does not offer a retry where one cannot help', () => {
    expect(uploadErrorText(new ApiError(422, { code: 'FILE_INFECTED', message: 'Infected: Eicar-Test-Signature.' }))).toEqual({
      message: 'Infected: Eicar-Test-Signature.',
      retryable: false,
    });
    expect(uploadErrorText(new ApiError(413, { code: 'QUOTA_EXCEEDED', message: 'Your files use all of your 1 GB.' })).retryable).toBe(true);
    expect(uploadErrorText(new Error('x')).retryable).toBe(true);
  });
});
