/**
 * An HTTP client for tests that must control the request exactly (node:http, nothing added behind our
 * back): Content-Length or chunked, `Expect: 100-continue`, a client that goes away mid-body, bodies made
 * on demand so the client holds almost nothing.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

export interface RawRequestOptions {
  method?: string;
  headers?: Record<string, string | number>;
  /** The body: bytes at once, or chunks produced on demand (written with backpressure). */
  body?: Buffer | Iterable<Buffer> | AsyncIterable<Buffer>;
  /** Sends `Expect: 100-continue` and holds the body until the server asks for it. */
  expectContinue?: boolean;
  /** Destroys the request once this many body bytes are written (a client that goes away mid-upload). */
  abortAfterBytes?: number;
  /** Called (and awaited) just before an `abortAfterBytes` abort, e.g. to wait until the server holds the bytes. */
  beforeAbort?: () => Promise<void>;
  timeoutMs?: number;
}

export interface RawResult {
  /** The server's answer, if one came. */
  response?: HttpResult;
  /** The server sent `100 Continue`. */
  continued: boolean;
  bytesSent: number;
  /** A transport error (the client's abort, a reset), if any. */
  error?: Error;
}

function parseJson(headers: IncomingHttpHeaders, body: Buffer): unknown {
  if (!String(headers['content-type'] ?? '').includes('json') || body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * One HTTP request over node:http with nothing added behind our back (fetch would set its own headers
 * and buffer the body). Stops writing the body as soon as the server answers, as a browser does.
 */
export function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawResult> {
  const headers: Record<string, string | number> = { ...options.headers };
  if (options.expectContinue) headers.expect = '100-continue';
  const req = httpRequest(url, { method: options.method ?? 'GET', headers, agent: false });
  let continued = false;
  let bytesSent = 0;
  let answered = false;
  let response: HttpResult | undefined;
  let error: Error | undefined;

  return new Promise<RawResult>((resolve) => {
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ response, continued, bytesSent, error });
    };
    const timer = setTimeout(() => {
      error ??= new Error(`no complete answer within ${options.timeoutMs ?? 60_000} ms`);
      req.destroy(error);
      finish();
    }, options.timeoutMs ?? 60_000);

    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = () => {
        const body = Buffer.concat(chunks);
        response = { status: res.statusCode ?? 0, headers: res.headers, body, json: parseJson(res.headers, body) };
        finish();
      };
      res.on('end', done);
      res.on('error', (e) => {
        error ??= e;
        done();
      });
      res.on('aborted', () => done());
    });
    req.on('error', (e) => {
      error ??= e;
      // A response being read finishes by itself (end/error); without one there is nothing more to wait for.
      if (!answered) finish();
    });

    const writeBody = async () => {
      const body = options.body;
      if (body === undefined) {
        req.end();
        return;
      }
      const chunks: Iterable<Buffer> | AsyncIterable<Buffer> = Buffer.isBuffer(body) ? [body] : body;
      for await (const chunk of chunks) {
        if (answered || req.destroyed) return;
        let piece = chunk;
        if (options.abortAfterBytes !== undefined && bytesSent + piece.length >= options.abortAfterBytes) {
          piece = piece.subarray(0, options.abortAfterBytes - bytesSent);
          await write(piece);
          await options.beforeAbort?.();
          error ??= new Error('aborted by the test');
          req.destroy(error);
          finish();
          return;
        }
        await write(piece);
      }
      if (!answered && !req.destroyed) req.end();
    };
    const write = (piece: Buffer) =>
      new Promise<void>((resolveWrite) => {
        if (piece.length === 0) return resolveWrite();
        bytesSent += piece.length;
        if (req.write(piece)) resolveWrite();
        else {
          const onDrain = () => {
            req.off('close', onDrain);
            resolveWrite();
          };
          req.once('drain', onDrain);
          req.once('close', onDrain);
        }
      });

    if (options.expectContinue) {
      req.flushHeaders();
      req.once('continue', () => {
        continued = true;
        void writeBody();
      });
    } else if (options.body === undefined) {
      req.end();
    } else {
      req.flushHeaders();
      void writeBody();
    }
  });
}

/** `n` bytes in chunks of at most `chunkSize`, made on demand from one random block (memory stays small). */
export function* generatedBytes(n: number, chunkSize = 256 * 1024): Generator<Buffer> {
  const block = Buffer.alloc(chunkSize);
  for (let i = 0; i < chunkSize; i += 1) block[i] = (i * 2654435761) >>> 24;
  for (let sent = 0; sent < n; sent += chunkSize) yield block.subarray(0, Math.min(chunkSize, n - sent));
}
