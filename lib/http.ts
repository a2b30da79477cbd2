/** Route-handler plumbing: size-limited JSON bodies and the one error mapping. */
import type { BurstyRateLimiter } from 'rate-limiter-flexible';
import { clientIpFromHeaders } from './client-ip';
import { getEnv } from './env';
import { AppError, toAppError, toHttpResponse } from './errors';
import { consumeOrRefuse, createFloodLimiter } from './flood-limits';
import { getLogger } from './logger';
import { userIdParamSchema } from './schemas/moderation';
import { ROOM_ID_PATTERN } from './schemas/room';
import type { PublicUser } from './schemas/user';
import { sessionFromHeaders } from './session-token';

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/**
 * Reads a JSON body of at most `maxBytes`, refusing other content types and oversized bodies (413)
 * before parsing, and malformed JSON with INVALID_PAYLOAD.
 */
export async function readJsonBody(request: Request, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const body = await readOptionalJsonBody(request, maxBytes);
  if (body === undefined) throw new AppError('INVALID_PAYLOAD', 'The body is empty.');
  return body;
}

/** Like readJsonBody, but an empty body (no bytes at all) is allowed and gives `undefined`. */
export async function readOptionalJsonBody(request: Request, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', `The body must be at most ${maxBytes} bytes.`);
  const bytes = await readLimited(request, maxBytes);
  if (bytes.byteLength === 0) return undefined;
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json')) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new AppError('INVALID_PAYLOAD', 'The body is not valid JSON.');
  }
}

/**
 * The body's bytes, refusing (413, or `tooLarge()`) as soon as more than `maxBytes` arrive, whatever
 * Content-Length said. For the few routes that take raw bytes (an account picture), not JSON.
 */
export async function readLimited(
  request: Request,
  maxBytes: number,
  tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `The body must be at most ${maxBytes} bytes.`),
): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      // The client hung up mid-body: its mistake, nothing to log (and nobody left to answer).
      throw new AppError('INVALID_PAYLOAD', 'The body was cut off.');
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Wraps a route handler: AppErrors become their documented response, anything else a logged 500. */
export function route<Args extends unknown[]>(handler: (...args: Args) => Promise<Response>) {
  return async (...args: Args): Promise<Response> => {
    try {
      return await handler(...args);
    } catch (error) {
      if (!toAppError(error)) getLogger().error({ err: error }, 'route handler failed');
      return toHttpResponse(error);
    }
  };
}

export function json(data: unknown, status = 200): Response {
  return Response.json(data, { status });
}

export interface ApiCaller {
  user: PublicUser;
  sessionId: string;
  ip: string | null;
}

const globalForApiBudget = globalThis as unknown as { parleyApiBudget?: BurstyRateLimiter };

/**
 * Every signed-in API request spends one point of its user's budget (docs/protocol.md §7), once the session
 * is proven and before any other work: a read of history or members costs milliseconds of the one event loop
 * every user shares, so a script looping on them must not take the instance. Far above what the app does
 * (a room's history page, a members page, a search as you type); in memory like the other flood guards.
 * On globalThis: route bundles may each load their own copy of this module, and the budget is one per user.
 */
function apiBudget(): BurstyRateLimiter {
  const env = getEnv();
  return (globalForApiBudget.parleyApiBudget ??= createFloodLimiter({
    name: 'api',
    perSecond: env.RATE_LIMIT_API_PER_SECOND,
    burst: env.RATE_LIMIT_API_BURST,
  }));
}

/**
 * The signed-in user behind an API request (session cookie or `Authorization: Bearer <session JWT>`),
 * the same check the socket handshake makes: the session must still count (lib/data/sessions.ts). 401 otherwise,
 * 429 once the user's API budget is spent. `budget: false` only for avatar pictures: cached for good by their
 * version, and a members page shows a hundred at once.
 */
export async function requireApiUser(request: Request, options: { budget?: boolean } = {}): Promise<ApiCaller> {
  const session = await sessionFromHeaders(request.headers, getEnv().AUTH_SECRET);
  if (!session) throw new AppError('UNAUTHORIZED', 'Sign in first.');
  if (options.budget !== false) await consumeOrRefuse(apiBudget(), session.user.id, 'making requests');
  return { user: session.user, sessionId: session.sessionId, ip: clientIpFromHeaders(request.headers) };
}

/** A `[userId]` route param, validated (lower-cased); a malformed one names nobody: 404. */
export async function userIdParam(context: { params: Promise<{ userId: string }> }): Promise<string> {
  const { userId } = await context.params;
  const parsed = userIdParamSchema.safeParse(userId);
  if (!parsed.success) throw new AppError('NOT_FOUND', 'That user does not exist.');
  return parsed.data;
}

/** Route params of `[roomId]` routes, validated. */
export async function roomIdParam(context: { params: Promise<{ roomId: string }> }): Promise<string> {
  const { roomId } = await context.params;
  if (!ROOM_ID_PATTERN.test(roomId)) throw new AppError('NOT_FOUND', 'That room does not exist (any more).');
  return roomId;
}
