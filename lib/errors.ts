/**
 * AppError carries a stable code that clients can branch on; `toHttpResponse` and `toAck` are the one
 * mapping from errors to the wire shapes documented in docs/protocol.md. Anything that is not an
 * AppError becomes a generic INTERNAL error that leaks nothing.
 */
import { z } from 'zod';

export const errorStatus = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  /** An upload would take the user's stored files over their quota. */
  QUOTA_EXCEEDED: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_PAYLOAD: 422,
  /** The virus scanner found something in an upload. */
  FILE_INFECTED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** Field-level problems: `path` is the dotted field name ("username"), `message` is for people. */
export interface FieldIssue {
  path: string;
  message: string;
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  issues?: FieldIssue[];
  /** Seconds until a retry can succeed (RATE_LIMITED). */
  retryAfter?: number;
}

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { issues?: FieldIssue[]; retryAfter?: number } = {},
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

export function invalidPayload(error: z.ZodError, message = 'The request is invalid.'): AppError {
  return new AppError('INVALID_PAYLOAD', message, { issues: zodIssues(error) });
}

/** Parse with a zod schema, throwing INVALID_PAYLOAD with field issues. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw invalidPayload(result.error);
  return result.data;
}

/** Connection-level database failures: the request may succeed if retried once the database is back. */
const UNAVAILABLE_CODES = new Set([
  // Prisma: can't reach / timed out / closed connection / pool timeout
  'P1001', 'P1002', 'P1008', 'P1017', 'P2024',
  // Node sockets
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT',
  // PostgreSQL: shutting down, cannot connect now, connection failures (class 08)
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006',
]);
// Driver-adapter error kinds (Prisma 7 reports raw-query failures as P2010 with these inside `meta`).
const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const UNAVAILABLE_MESSAGE =
  /Can't reach database server|ECONNREFUSED|ECONNRESET|Connection terminated|connect ETIMEDOUT|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down)|Server has closed the connection/i;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const e = error as { code?: unknown; originalCode?: unknown; kind?: unknown; message?: unknown; meta?: unknown; cause?: unknown; driverAdapterError?: unknown };
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  if (typeof e.originalCode === 'string' && UNAVAILABLE_CODES.has(e.originalCode)) return true;
  if (typeof e.kind === 'string' && UNAVAILABLE_KINDS.has(e.kind)) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  return [e.meta, e.cause, e.driverAdapterError].some((inner) => isDatabaseUnavailable(inner, depth + 1));
}

/** Errors from lower layers, as the AppError a client should see. */
export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) return new AppError('UNAVAILABLE', 'The database is unreachable right now. Try again shortly.');
  return undefined;
}

export function toErrorBody(error: unknown): ErrorBody {
  const known = toAppError(error);
  if (known) return known.toBody();
  return { code: 'INTERNAL', message: 'Something went wrong on our side. Please try again.' };
}

export function httpStatusOf(error: unknown): number {
  const known = toAppError(error);
  return known ? errorStatus[known.code] : 500;
}

/** The documented HTTP error shape: `{ error: { code, message, issues? } }`. */
export function toHttpResponse(error: unknown): Response {
  const body = toErrorBody(error);
  const headers = new Headers({ 'content-type': 'application/json' });
  if (body.retryAfter !== undefined) headers.set('retry-after', String(body.retryAfter));
  return new Response(JSON.stringify({ error: body }), { status: httpStatusOf(error), headers });
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export function okAck<T>(data: T): Ack<T> {
  return { ok: true, data };
}

export function errorAck(error: unknown): Ack<never> {
  return { ok: false, error: toErrorBody(error) };
}
