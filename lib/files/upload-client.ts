/**
 * The browser's side of files over HTTP (docs/protocol.md §4.11, §6): one upload with progress
 * (XMLHttpRequest: fetch has no upload progress), removing an unsent upload, the caller's limits, and a
 * room's shared files.
 */
import { ApiError, apiFetch } from '../api-client';
import type { ErrorBody } from '../errors';
import type { Attachment, AttachmentKind, RoomFilesPage, UploadLimits } from '../schemas/attachment';
import { base64UrlBytes } from './display';

export interface VoiceDescription {
  durationMs: number;
  /** Bars 0–255, at most WAVEFORM_MAX_BARS. */
  waveform: number[];
}

export interface UploadRequest {
  roomId: string;
  body: Blob;
  name: string;
  voice?: VoiceDescription | null;
}

export interface UploadHandle {
  /** The stored attachment; rejects with ApiError (status 0 when the server was not reached), or an AbortError. */
  done: Promise<Attachment>;
  abort(): void;
}

/** The upload URL with its query string (`name`, and `voice`, `durationMs`, `waveform` for a voice message). */
export function uploadUrl(request: Pick<UploadRequest, 'roomId' | 'name' | 'voice'>): string {
  const params = new URLSearchParams({ name: request.name });
  if (request.voice) {
    params.set('voice', '1');
    params.set('durationMs', String(Math.max(0, Math.round(request.voice.durationMs))));
    if (request.voice.waveform.length > 0) params.set('waveform', base64UrlBytes(request.voice.waveform));
  }
  return `/api/rooms/${encodeURIComponent(request.roomId)}/uploads?${params.toString()}`;
}

function errorFrom(status: number, text: string, retryAfterHeader: string | null): ApiError {
  let body: ErrorBody | undefined;
  try {
    body = (JSON.parse(text) as { error?: ErrorBody }).error;
  } catch {
    body = undefined;
  }
  const header = Number(retryAfterHeader);
  const retryAfter = body?.retryAfter ?? (Number.isFinite(header) && header > 0 ? header : undefined);
  if (body && typeof body.message === 'string') return new ApiError(status, { ...body, ...(retryAfter ? { retryAfter } : {}) });
  if (status === 413) return new ApiError(status, { code: 'PAYLOAD_TOO_LARGE', message: 'The file is too large.' });
  if (status === 429) return new ApiError(status, { code: 'RATE_LIMITED', message: 'Too many uploads. Try again in a moment.', retryAfter });
  return new ApiError(status, {
    code: status >= 500 ? 'UNAVAILABLE' : 'INVALID_PAYLOAD',
    message: status >= 500 ? 'The server could not take the file. Try again.' : `The server answered ${status}.`,
  });
}

/**
 * POSTs the bytes as `application/octet-stream` and reports progress (bytes sent, total) as it goes.
 */
export function uploadFile(request: UploadRequest, onProgress: (loaded: number, total: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Attachment>((resolve, reject) => {
    xhr.open('POST', uploadUrl(request));
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.withCredentials = true;
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : request.body.size);
    xhr.onload = () => {
      if (xhr.status === 201 || xhr.status === 200) {
        try {
          resolve((JSON.parse(xhr.responseText) as { attachment: Attachment }).attachment);
        } catch {
          reject(errorFrom(500, '', null));
        }
        return;
      }
      reject(errorFrom(xhr.status, xhr.responseText, xhr.getResponseHeader('retry-after')));
    };
    xhr.onerror = () => reject(new ApiError(0, { code: 'UNAVAILABLE', message: 'The upload was interrupted. Check your connection and try again.' }));
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    xhr.send(request.body);
  });
  return { done, abort: () => xhr.abort() };
}

export const filesApi = {
  /** What I may upload, and how much of my quota is used. */
  limits: () => apiFetch<UploadLimits>('/api/uploads'),
  /** Removes an upload no message has taken (the composer's ✕). */
  removeUpload: (id: string) => apiFetch<void>(`/api/uploads/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  /** The room's files, newest first; pass the previous page's `nextCursor` as `before`. */
  roomFiles: (roomId: string, query: { before?: string; kind?: AttachmentKind; limit?: number } = {}, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    if (query.before) params.set('before', query.before);
    if (query.kind) params.set('kind', query.kind);
    if (query.limit) params.set('limit', String(query.limit));
    const qs = params.toString();
    return apiFetch<RoomFilesPage>(`/api/rooms/${encodeURIComponent(roomId)}/files${qs ? `?${qs}` : ''}`, { signal });
  },
};
