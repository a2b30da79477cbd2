/** The browser's REST calls: JSON in and out, errors as the documented `{ error: { code, message, issues? } }`. */
import type { ErrorBody, ErrorCode } from './errors';
import type { AccountView } from './schemas/account';
import type { HistoryPage } from './schemas/message';
import type { CreateRoomInput, RoomDirectoryPage, RoomList, RoomMember, RoomSummary } from './schemas/room';
import type { SearchPage, SearchScope, SearchSort } from './schemas/search';
import type { ChangePasswordInput, PublicUser, SessionView } from './schemas/user';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
  get code(): ErrorCode {
    return this.body.code;
  }
}

function fallbackError(status: number): ErrorBody {
  if (status === 0) return { code: 'UNAVAILABLE', message: 'Could not reach the server. Check your connection.' };
  return { code: status >= 500 ? 'INTERNAL' : 'INVALID_PAYLOAD', message: `The server answered ${status}. Please try again.` };
}

type FetchInit = {
  method?: string;
  body?: unknown;
  bytes?: Blob;
  signal?: AbortSignal;
  /** A read the screen waits on (a room, its members, its history): asked again once if refused as too fast. */
  readAgainIfLimited?: boolean;
};

/** Longest wait, in seconds, after which a read refused as too fast is asked again (apiFetch). */
export const READ_RETRY_MAX_WAIT_S = 5;

/**
 * One REST call. A read marked `readAgainIfLimited`, refused with RATE_LIMITED and a short `retryAfter` — the
 * per-user API budget (docs/protocol.md §7) spent by a burst of reads, rooms flicked through faster than anyone
 * reads them — is asked again once after that wait, so the screen shows the room late rather than an error.
 * Changes are never repeated; other reads (a search, which says "searching again" itself) and long waits are
 * the caller's to show.
 */
export async function apiFetch<T>(path: string, init: FetchInit = {}): Promise<T> {
  try {
    return await fetchOnce<T>(path, init);
  } catch (error) {
    const wait = error instanceof ApiError && error.code === 'RATE_LIMITED' ? error.body.retryAfter : undefined;
    if (!init.readAgainIfLimited || (init.method ?? 'GET') !== 'GET' || wait === undefined || wait > READ_RETRY_MAX_WAIT_S) throw error;
    await delay(wait * 1000, init.signal);
    return fetchOnce<T>(path, init);
  }
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => {
      clearTimeout(timer);
      reject(new DOMException('The request was aborted.', 'AbortError'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    if (signal?.aborted) aborted();
    else signal?.addEventListener('abort', aborted, { once: true });
  });
}

async function fetchOnce<T>(path: string, init: FetchInit): Promise<T> {
  const method = init.method ?? 'GET';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      // The server takes state changes as JSON only, also without a body, and raw bytes (a picture) as
      // application/octet-stream (lib/http/origin-guard.ts).
      headers:
        method === 'GET'
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': init.bytes ? 'application/octet-stream' : 'application/json' },
      body: init.bytes ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: init.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, fallbackError(0));
  }
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const body = (data as { error?: ErrorBody } | undefined)?.error;
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new ApiError(
      response.status,
      body && typeof body.message === 'string'
        ? { ...body, retryAfter: body.retryAfter ?? (Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined) }
        : fallbackError(response.status),
    );
  }
  return data as T;
}

const roomPath = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}`;
const roomRead = { readAgainIfLimited: true };

export const roomsApi = {
  list: () => apiFetch<RoomList>('/api/rooms'),
  /** Rooms I could join, most members first; pass the previous page's `nextCursor` for the next. */
  directory: (query: { q: string; cursor?: string; limit?: number }, signal?: AbortSignal) => {
    const params = new URLSearchParams(query.q ? { q: query.q } : {});
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.limit) params.set('limit', String(query.limit));
    const qs = params.toString();
    return apiFetch<RoomDirectoryPage>(`/api/rooms/directory${qs ? `?${qs}` : ''}`, { signal });
  },
  create: (input: CreateRoomInput) => apiFetch<{ room: RoomSummary }>('/api/rooms', { method: 'POST', body: input }),
  join: (roomId: string, password?: string) =>
    apiFetch<{ room: RoomSummary }>(`${roomPath(roomId)}/join`, { method: 'POST', body: password === undefined ? {} : { password } }),
  leave: (roomId: string) => apiFetch<{ ok: true }>(`${roomPath(roomId)}/leave`, { method: 'POST', body: {} }),
  remove: (roomId: string) => apiFetch<void>(roomPath(roomId), { method: 'DELETE' }),
  /** The room as I see it, with its members (members only). */
  get: (roomId: string) => apiFetch<{ room: RoomSummary; members: RoomMember[] }>(roomPath(roomId), roomRead),
  members: (roomId: string) => apiFetch<{ members: RoomMember[] }>(`${roomPath(roomId)}/members`, roomRead),
  history: (roomId: string, query: { before?: number; after?: number; around?: number; changedAfter?: number; thread?: number; limit?: number } = {}) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const qs = params.toString();
    return apiFetch<HistoryPage>(`${roomPath(roomId)}/messages${qs ? `?${qs}` : ''}`, roomRead);
  },
};

export const usersApi = {
  /** People to start a conversation with, by username or display name (never me). */
  search: (q: string, signal?: AbortSignal, limit = 20) =>
    apiFetch<{ users: PublicUser[] }>(`/api/users?${new URLSearchParams({ q, limit: String(limit) }).toString()}`, { signal }),
};

export const searchApi = {
  /** Message search (docs/protocol.md `GET /api/search`); page on with the previous page's `nextCursor` and the same query. */
  messages: (query: { q: string; scope: SearchScope; sort: SearchSort; tz: string; cursor?: string; limit?: number }, signal?: AbortSignal) => {
    const params = new URLSearchParams({ q: query.q, scope: query.scope, sort: query.sort, tz: query.tz });
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.limit) params.set('limit', String(query.limit));
    return apiFetch<SearchPage>(`/api/search?${params.toString()}`, { signal });
  },
};

export const directApi = {
  /** Gets or creates the direct conversation with this user. */
  start: (userId: string) => apiFetch<{ room: RoomSummary }>('/api/direct', { method: 'POST', body: { userId } }),
};

export const accountApi = {
  get: () => apiFetch<AccountView>('/api/account'),
  rename: (displayName: string) => apiFetch<{ user: PublicUser }>('/api/account', { method: 'PATCH', body: { displayName } }),
  /** The picture's bytes as they are: the server decides the type and makes the 256 px square. */
  setAvatar: (picture: Blob) => apiFetch<{ user: PublicUser }>('/api/account/avatar', { method: 'PUT', bytes: picture }),
  removeAvatar: () => apiFetch<{ user: PublicUser }>('/api/account/avatar', { method: 'DELETE' }),
  /** Deletes the account for good (§4.15); every session, this one too, ends. */
  remove: (password: string) => apiFetch<void>('/api/account', { method: 'DELETE', body: { password } }),
  changePassword: (input: ChangePasswordInput) => apiFetch<{ endedSessions: number }>('/api/account/password', { method: 'POST', body: input }),
  sessions: () => apiFetch<{ sessions: SessionView[] }>('/api/sessions'),
  endSession: (sessionId: string) => apiFetch<void>(`/api/sessions/${encodeURIComponent(sessionId)}`, { method: 'DELETE' }),
  /** Every session, or every other one. */
  endSessions: (options: { exceptCurrent: boolean }) =>
    apiFetch<{ ended: number }>(options.exceptCurrent ? '/api/sessions?except=current' : '/api/sessions', { method: 'DELETE' }),
};
