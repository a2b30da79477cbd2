/**
 * Files waiting in a composer ("trays", one per room composer and per thread composer): each is checked
 * against my limits, uploaded with progress (a few at a time), can be cancelled, removed or retried, and
 * is handed to the message path once every file of the tray is uploaded. Trays outlive the room view, as
 * a draft would: leaving a room and coming back finds its files still there.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { ApiError } from '../api-client';
import { formatBytes, guessKind } from '../files/display';
import type { UploadHandle, UploadRequest, VoiceDescription } from '../files/upload-client';
import { MAX_ATTACHMENTS_PER_MESSAGE } from '../schemas/limits';
import type { Attachment, AttachmentKind, UploadLimits } from '../schemas/attachment';
import { uuidv4 } from '../uuid';

/**
 * queued: waiting for a free upload slot (or for the limits to be known); uploading; done (stored, not yet
 * sent); failed (the server refused or could not be reached: `retryable` says whether trying again can help);
 * refused: not sent at all (too big, empty): only removing it helps.
 */
export type UploadStatus = 'queued' | 'uploading' | 'done' | 'failed' | 'refused';

export interface PendingUpload {
  /** Local id (the server's id is `attachment.id` once stored). */
  key: string;
  name: string;
  size: number;
  /** The browser's guess at its type (for the icon until the server has decided). */
  type: string;
  /** What it will most likely be (from the browser's type), then what the server decided. */
  kind: AttachmentKind;
  /** An object URL of the local file, for an image's thumbnail while it uploads. */
  previewUrl: string | null;
  voice: VoiceDescription | null;
  status: UploadStatus;
  /** Bytes sent so far. */
  loaded: number;
  attachment: Attachment | null;
  error: string | null;
  retryable: boolean;
  /** Rate limited: tried again by itself at this time (ms since epoch). */
  retryAt: number | null;
}

export interface Tray {
  roomId: string;
  items: PendingUpload[];
  /** A remark about the tray as a whole ("at most 10 files"). */
  notice: string | null;
}

/** A file to add: a File from a picker, a drop or a paste, or a recording with its description. */
export type NewUpload = File | { blob: Blob; name: string; voice: VoiceDescription };

export interface UploadsState {
  trays: Record<string, Tray>;
  limits: UploadLimits | null;
}

export interface UploadsActions {
  /** Adds files to a tray and starts uploading them. */
  add(trayKey: string, roomId: string, files: readonly NewUpload[]): void;
  /** Cancels (uploading), or removes from the server (uploaded, not sent), or just forgets a file. */
  remove(trayKey: string, key: string): void;
  retry(trayKey: string, key: string): void;
  /** The tray's attachments when every file is uploaded (and there is at least one), else null. */
  ready(trayKey: string): Attachment[] | null;
  /** The tray was sent: forget it (its uploads now belong to the message). */
  clear(trayKey: string): void;
  dismissNotice(trayKey: string): void;
}

export type UploadsStore = StoreApi<UploadsState & UploadsActions>;

export interface UploadsDeps {
  upload(request: UploadRequest, onProgress: (loaded: number, total: number) => void): UploadHandle;
  removeUpload(id: string): Promise<void>;
  fetchLimits(): Promise<UploadLimits>;
  createObjectURL?(blob: Blob): string;
  revokeObjectURL?(url: string): void;
  now?(): number;
  uuid?(): string;
  /** Uploads running at once (per browser tab). */
  concurrency?: number;
  /** Limits older than this are fetched again before the next files are checked. */
  limitsMaxAgeMs?: number;
}

/** Codes where sending the same bytes again cannot succeed. */
const FINAL_CODES = new Set(['PAYLOAD_TOO_LARGE', 'FILE_INFECTED', 'INVALID_PAYLOAD', 'UNSUPPORTED_MEDIA_TYPE', 'NOT_FOUND', 'FORBIDDEN', 'UNAUTHORIZED']);

/** Problems with a file we can tell before sending it. */
export function localProblem(file: { name: string; size: number }, limits: UploadLimits | null): string | null {
  if (file.size === 0) return `${file.name} is empty.`;
  if (limits && file.size > limits.maxBytes) return `${file.name} is too big (${formatBytes(file.size)}). Files can be up to ${formatBytes(limits.maxBytes)}.`;
  return null;
}

/** What to tell a person about a failed upload. */
export function uploadErrorText(error: unknown): { message: string; retryable: boolean; retryAfter?: number } {
  if (error instanceof ApiError) {
    const { code, retryAfter } = error.body;
    if (code === 'RATE_LIMITED') {
      const seconds = Math.max(1, Math.ceil(retryAfter ?? 5));
      return { message: `Too many uploads at once. Trying again in ${seconds} s.`, retryable: true, retryAfter: seconds };
    }
    return { message: error.body.message, retryable: !FINAL_CODES.has(code) };
  }
  return { message: 'The upload failed. Try again.', retryable: true };
}

export function createUploadsStore(deps: UploadsDeps): UploadsStore {
  const concurrency = deps.concurrency ?? 3;
  const limitsMaxAgeMs = deps.limitsMaxAgeMs ?? 60_000;
  const now = deps.now ?? (() => Date.now());
  const uuid = deps.uuid ?? uuidv4;
  /** The bytes of each file (kept out of the state: not data to render). */
  const blobs = new Map<string, { blob: Blob; roomId: string; trayKey: string }>();
  const running = new Map<string, UploadHandle>();
  const retryTimers = new Map<string, ReturnType<typeof setTimeout>>();
  let limitsAt = -Infinity;
  let limitsLoading: Promise<void> | null = null;

  const store = createStore<UploadsState & UploadsActions>()((set, get) => ({
    trays: {},
    limits: null,

    add(trayKey, roomId, files) {
      const tray = get().trays[trayKey] ?? { roomId, items: [], notice: null };
      const room = MAX_ATTACHMENTS_PER_MESSAGE - tray.items.length;
      const taken = files.slice(0, Math.max(0, room));
      const left = files.length - taken.length;
      const items = taken.map((file): PendingUpload => {
        const key = uuid();
        const blob = file instanceof Blob ? file : file.blob;
        const name = file instanceof Blob ? file.name || 'file' : file.name;
        const voice = file instanceof Blob ? null : file.voice;
        const kind = voice ? 'audio' : guessKind(blob.type);
        blobs.set(key, { blob, roomId, trayKey });
        return {
          key,
          name,
          size: blob.size,
          type: blob.type,
          kind,
          previewUrl: kind === 'image' && deps.createObjectURL ? deps.createObjectURL(blob) : null,
          voice,
          status: 'queued',
          loaded: 0,
          attachment: null,
          error: null,
          retryable: false,
          retryAt: null,
        };
      });
      const notice =
        left > 0
          ? `A message can carry at most ${MAX_ATTACHMENTS_PER_MESSAGE} files: ${left === 1 ? '1 file was' : `${left} files were`} left out.`
          : tray.notice;
      setTray(trayKey, { ...tray, roomId, items: [...tray.items, ...items], notice });
      void checkAndPump();
    },

    remove(trayKey, key) {
      const item = findItem(trayKey, key);
      if (!item) return;
      running.get(key)?.abort();
      running.delete(key);
      clearTimeout(retryTimers.get(key));
      retryTimers.delete(key);
      if (item.attachment) void deps.removeUpload(item.attachment.id).catch(() => undefined); // unsent ones expire anyway
      forget(item);
      const tray = get().trays[trayKey]!;
      const items = tray.items.filter((i) => i.key !== key);
      setTray(trayKey, { ...tray, items, notice: items.length === 0 ? null : tray.notice });
      pump();
    },

    retry(trayKey, key) {
      const item = findItem(trayKey, key);
      if (!item || item.status !== 'failed') return;
      clearTimeout(retryTimers.get(key));
      retryTimers.delete(key);
      patch(trayKey, key, { status: 'queued', error: null, retryAt: null, loaded: 0 });
      void checkAndPump();
    },

    ready(trayKey) {
      const items = get().trays[trayKey]?.items ?? [];
      if (items.length === 0 || items.some((i) => i.status !== 'done' || !i.attachment)) return null;
      return items.map((i) => i.attachment!);
    },

    clear(trayKey) {
      const tray = get().trays[trayKey];
      if (!tray) return;
      for (const item of tray.items) {
        running.get(item.key)?.abort();
        running.delete(item.key);
        clearTimeout(retryTimers.get(item.key));
        retryTimers.delete(item.key);
        forget(item);
      }
      const trays = { ...get().trays };
      delete trays[trayKey];
      set({ trays });
      pump();
    },

    dismissNotice(trayKey) {
      const tray = get().trays[trayKey];
      if (tray?.notice) setTray(trayKey, { ...tray, notice: null });
    },
  }));

  function setTray(trayKey: string, tray: Tray): void {
    store.setState((s) => ({ trays: { ...s.trays, [trayKey]: tray } }));
  }

  function findItem(trayKey: string, key: string): PendingUpload | undefined {
    return store.getState().trays[trayKey]?.items.find((i) => i.key === key);
  }

  function patch(trayKey: string, key: string, changes: Partial<PendingUpload>): void {
    const tray = store.getState().trays[trayKey];
    if (!tray || !tray.items.some((i) => i.key === key)) return;
    setTray(trayKey, { ...tray, items: tray.items.map((i) => (i.key === key ? { ...i, ...changes } : i)) });
  }

  function forget(item: PendingUpload): void {
    blobs.delete(item.key);
    if (item.previewUrl) deps.revokeObjectURL?.(item.previewUrl);
  }

  /** Fetches my limits when they are missing or old (once at a time); a failure leaves checking to the server. */
  async function checkAndPump(): Promise<void> {
    if (now() - limitsAt > limitsMaxAgeMs) {
      limitsLoading ??= deps
        .fetchLimits()
        .then((limits) => {
          limitsAt = now();
          store.setState({ limits });
        })
        .catch(() => undefined)
        .finally(() => {
          limitsLoading = null;
        });
      await limitsLoading;
    }
    pump();
  }

  /** Refuses what is known to be too big, then starts queued uploads while slots are free. */
  function pump(): void {
    const { trays, limits } = store.getState();
    for (const [trayKey, tray] of Object.entries(trays)) {
      for (const item of tray.items) {
        if (item.status !== 'queued') continue;
        const problem = localProblem(item, limits);
        if (problem) patch(trayKey, item.key, { status: 'refused', error: problem, retryable: false });
      }
    }
    for (const [trayKey, tray] of Object.entries(store.getState().trays)) {
      for (const item of tray.items) {
        if (running.size >= concurrency) return;
        if (item.status === 'queued') start(trayKey, item);
      }
    }
  }

  function start(trayKey: string, item: PendingUpload): void {
    const source = blobs.get(item.key);
    if (!source) return;
    patch(trayKey, item.key, { status: 'uploading', loaded: 0, error: null });
    let lastReport = 0;
    const handle = deps.upload({ roomId: source.roomId, body: source.blob, name: item.name, voice: item.voice }, (loaded) => {
      // Progress events come fast on a quick link: a few renders a second is plenty.
      const t = now();
      if (t - lastReport < 100 && loaded < item.size) return;
      lastReport = t;
      patch(trayKey, item.key, { loaded: Math.min(loaded, item.size) });
    });
    running.set(item.key, handle);
    handle.done.then(
      (attachment) => {
        if (running.get(item.key) !== handle) {
          // Removed while its answer was on the way: it is stored but nobody wants it.
          void deps.removeUpload(attachment.id).catch(() => undefined);
          return;
        }
        running.delete(item.key);
        patch(trayKey, item.key, { status: 'done', loaded: item.size, attachment, kind: attachment.kind, type: attachment.contentType, name: attachment.name });
        // The quota moved: ask again before the next check.
        limitsAt = -Infinity;
        pump();
      },
      (error: unknown) => {
        if (running.get(item.key) !== handle) return; // cancelled
        running.delete(item.key);
        const { message, retryable, retryAfter } = uploadErrorText(error);
        const retryAt = retryAfter !== undefined ? now() + retryAfter * 1000 : null;
        patch(trayKey, item.key, { status: 'failed', error: message, retryable, retryAt, loaded: 0 });
        if (retryAfter !== undefined) {
          retryTimers.set(
            item.key,
            setTimeout(() => {
              retryTimers.delete(item.key);
              store.getState().retry(trayKey, item.key);
            }, retryAfter * 1000),
          );
        }
        pump();
      },
    );
  }

  return store;
}
