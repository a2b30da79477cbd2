/**
 * The two byte-stream routes, served by server.ts before Next (like Socket.IO): uploads
 * (`POST /api/rooms/:roomId/uploads`) and downloads (`GET|HEAD /api/files/:id[/thumbnail]`). They are plain
 * Node handlers because they need what Next's route handlers hide: answering `Expect: 100-continue` after
 * our checks, refusing an oversized body without reading it, backpressure end to end, and byte ranges
 * streamed straight from storage. The JSON routes about files (limits, unsent uploads, a room's files) are
 * ordinary route handlers under app/api.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import contentDisposition from 'content-disposition';
import parseRange from 'range-parser';
import { readableFile, type ReadableFile } from '../data/attachments';
import { AppError, httpStatusOf, parseOrThrow, toAppError, toErrorBody } from '../errors';
import { ROOM_ID_PATTERN } from '../schemas/room';
import { uploadQuerySchema } from '../schemas/attachment';
import { clientIpFromHeaders } from '../client-ip';
import { UPLOAD_PATH } from '../http/origin-guard';
import { sessionFromHeaders, toFetchHeaders } from '../session-token';
import { storeUpload, UploadAborted, type FileServices } from './upload';

const UPLOAD_ROUTE = /^\/api\/rooms\/([^/]+)\/uploads\/?$/;
const FILE_ROUTE = /^\/api\/files\/([^/]+)(\/thumbnail)?\/?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A file opened in a tab can show itself and nothing else: no scripts, no requests, no forms. */
export const FILE_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/** Shown in the page rather than downloaded: pictures, sound and video, which browsers only render. */
const INLINE_TYPES = /^(image\/(jpeg|png|gif|webp|avif)|audio\/[\w.+-]+|video\/[\w.+-]+)$/;
/** Types a browser would interpret as a document or script: always served as plain bytes. */
const ACTIVE_TYPES = /html|xml|svg|javascript|ecmascript|json|x-sh\b|mathml|rdf|xsl/i;

/** The Content-Type a stored type is served with. */
export function servedContentType(stored: string): string {
  const type = stored.split(';')[0]!.trim().toLowerCase();
  return ACTIVE_TYPES.test(type) ? 'application/octet-stream' : type;
}

export function isInlineType(served: string): boolean {
  return INLINE_TYPES.test(served);
}

function sendError(res: ServerResponse, error: unknown, options: { closeConnection?: boolean } = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = toErrorBody(error);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (body.retryAfter !== undefined) headers['retry-after'] = String(body.retryAfter);
  // A refused upload's body is not read: closing is cheaper than draining up to UPLOAD_MAX_BYTES and more.
  if (options.closeConnection) headers.connection = 'close';
  res.writeHead(httpStatusOf(error), headers).end(JSON.stringify({ error: body }));
}

/** A path segment decoded, or '' when it is not valid percent-encoding (which then matches nothing). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

const notFound = () => new AppError('NOT_FOUND', 'That file does not exist (any more).');

async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL, rawRoomId: string, services: FileServices): Promise<void> {
  try {
    const session = await sessionFromHeaders(req.headers, services.env.AUTH_SECRET);
    if (!session) throw new AppError('UNAUTHORIZED', 'Sign in first.');
    const roomId = decodeSegment(rawRoomId);
    if (!ROOM_ID_PATTERN.test(roomId)) throw new AppError('NOT_FOUND', 'That room does not exist (any more).');
    const query = parseOrThrow(uploadQuerySchema, Object.fromEntries(url.searchParams));
    const length = req.headers['content-length'];
    const attachment = await storeUpload(
      {
        body: req,
        roomId,
        userId: session.user.id,
        ip: clientIpFromHeaders(toFetchHeaders(req.headers)),
        query,
        declaredBytes: length === undefined ? undefined : Number(length),
        // Every check passed: now ask for the bytes (a client that sent Expect: 100-continue waits for this).
        beforeBody: () => {
          if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
        },
      },
      services,
    );
    res.writeHead(201, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ attachment }));
  } catch (error) {
    if (error instanceof UploadAborted) {
      res.destroy();
      return;
    }
    if (!toAppError(error)) services.log.error({ err: error }, 'upload failed');
    sendError(res, error, { closeConnection: !req.complete });
  }
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

async function handleDownload(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  id: string,
  thumbnail: boolean,
  services: FileServices,
): Promise<void> {
  let file: ReadableFile;
  try {
    if (!UUID.test(id)) throw notFound();
    const session = await sessionFromHeaders(req.headers, services.env.AUTH_SECRET);
    // No session reads like no file: an anonymous request learns nothing about which ids exist.
    if (!session) throw notFound();
    file = await readableFile({ id: id.toLowerCase(), userId: session.user.id });
  } catch (error) {
    if (!toAppError(error)) services.log.error({ err: error }, 'file lookup failed');
    sendError(res, error);
    return;
  }
  const key = thumbnail ? file.thumbnailKey : file.storageKey;
  if (!key) {
    sendError(res, notFound());
    return;
  }
  const type = thumbnail ? 'image/webp' : servedContentType(file.contentType);
  const inline = !url.searchParams.has('download') && isInlineType(type);
  // An attachment's bytes never change, so its id is a strong validator.
  const etag = `"${id.toLowerCase()}${thumbnail ? '-thumb' : ''}"`;
  const headers: Record<string, string> = {
    'content-type': type,
    'content-disposition': contentDisposition(thumbnail ? `${file.name}.webp` : file.name, { type: inline ? 'inline' : 'attachment' }),
    'content-security-policy': FILE_CSP,
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
    // Kept by the browser, but revalidated (and so re-authorized) before every use.
    'cache-control': 'private, no-cache',
    etag,
    'accept-ranges': thumbnail ? 'none' : 'bytes',
  };
  if (etagMatches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers).end();
    return;
  }

  let range: { start: number; end: number } | undefined;
  const rangeHeader = req.headers.range;
  const ifRange = req.headers['if-range'];
  if (!thumbnail && rangeHeader && (!ifRange || ifRange === etag)) {
    const ranges = parseRange(file.size, rangeHeader, { combine: true });
    if (ranges === -1) {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${file.size}`, 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'INVALID_PAYLOAD', message: 'That range is outside the file.' } }));
      return;
    }
    // Malformed (-2) or several ranges: the whole file, which every client can handle.
    if (Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1) range = ranges[0];
  }

  let stored: Awaited<ReturnType<FileServices['storage']['get']>>;
  try {
    stored = await services.storage.get(key, range);
  } catch (error) {
    services.log.error({ err: error }, 'file storage failed');
    sendError(res, new AppError('UNAVAILABLE', 'File storage is unavailable right now. Try again in a moment.', { retryAfter: 5 }));
    return;
  }
  if (!stored) {
    services.log.warn({ id, thumbnail }, 'a readable file has no stored object');
    sendError(res, notFound());
    return;
  }
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${stored.size}`;
    headers['content-length'] = String(range.end - range.start + 1);
  } else {
    headers['content-length'] = String(stored.size);
  }
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD') {
    stored.body.destroy();
    res.end();
    return;
  }
  try {
    await pipeline(stored.body, res);
  } catch {
    // The client went away mid-download (or storage broke off): nothing more to say to anyone.
    stored.body.destroy();
  }
}

/**
 * The request listener for the file routes: handles the request and returns true when it is one of them,
 * false (untouched) otherwise. Other methods on these paths fall through to Next (which answers 404/405).
 */
export function createFilesHandler(services: FileServices): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://parley.invalid');
    if (req.method === 'POST') {
      const upload = UPLOAD_ROUTE.exec(url.pathname);
      if (!upload) return false;
      void handleUpload(req, res, url, upload[1]!, services);
      return true;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const file = FILE_ROUTE.exec(url.pathname);
      if (!file) return false;
      void handleDownload(req, res, url, decodeSegment(file[1]!), Boolean(file[2]), services);
      return true;
    }
    return false;
  };
}

/**
 * `Expect: 100-continue`: an upload is answered 100 by its handler once its checks pass (an oversized or
 * refused one never is, so its body is never sent); any other request is told to go on at once, as Node
 * does when nobody listens for this.
 */
export function handleExpectContinue(server: Server, onRequest: (req: IncomingMessage, res: ServerResponse) => void): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!(req.method === 'POST' && UPLOAD_PATH.test(new URL(req.url ?? '/', 'http://parley.invalid').pathname))) res.writeContinue();
    onRequest(req, res);
  });
}
