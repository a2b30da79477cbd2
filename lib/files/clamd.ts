/**
 * clamd's socket protocol (clamd(8)): a `z`-prefixed command ending in NUL, for INSTREAM the data as chunks
 * each prefixed by its 4-byte big-endian length and ended by a zero-length chunk, and one NUL-terminated reply.
 *
 * Written here rather than with the `clamscan` package: its scanStream writes the whole input to the socket
 * without waiting for drain (memory grows with the file), logs to console on errors, has no types, and
 * turns unknown replies into `isInfected: null` rather than an error.
 */
import { connect, type Socket } from 'node:net';

export type ClamdAddress = { socket: string } | { host: string; port: number };

export class ClamdError extends Error {
  override name = 'ClamdError';
}

/** Longest reply we keep: a result line names one signature; anything longer is not clamd. */
const MAX_REPLY_BYTES = 4096;

function lengthPrefix(length: number): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(length);
  return prefix;
}

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      socket.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      socket.off('drain', onDrain);
      reject(new ClamdError('clamd closed the connection while receiving data'));
    };
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}

/** Streams `body` as INSTREAM chunks, waiting whenever the socket's buffer is full (bounded memory). */
async function sendChunks(socket: Socket, body: AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of body) {
    if (chunk.length === 0) continue; // a zero length would end the stream early
    socket.write(lengthPrefix(chunk.length));
    if (!socket.write(chunk)) await drained(socket);
  }
  socket.write(lengthPrefix(0));
}

/**
 * Sends one command (`PING`, `INSTREAM` with `body`…) and resolves with clamd's reply, without its NUL.
 * Rejects when clamd cannot be reached, closes without a reply, or takes longer than `timeoutMs` in all.
 * A reply that comes before the body is fully sent (clamd's "size limit exceeded") is still the reply, when
 * it is read before the failed write.
 */
export function clamdCommand(
  address: ClamdAddress,
  command: string,
  options: { body?: AsyncIterable<Buffer>; timeoutMs: number },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = 'socket' in address ? connect({ path: address.socket }) : connect({ host: address.host, port: address.port });
    const received: Buffer[] = [];
    let receivedBytes = 0;
    let settled = false;

    const finish = (error: Error | undefined, reply?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply!);
    };
    const where = 'socket' in address ? address.socket : `${address.host}:${address.port}`;
    const timer = setTimeout(() => finish(new ClamdError(`clamd at ${where} did not answer ${command} within ${options.timeoutMs} ms`)), options.timeoutMs);

    socket.on('connect', () => {
      socket.write(`z${command}\0`);
      if (options.body) {
        // A failed send is only the answer if clamd gives none: its reply (e.g. a size limit) explains more.
        sendChunks(socket, options.body).catch((error: unknown) => {
          setImmediate(() => finish(error instanceof Error ? error : new ClamdError(String(error))));
        });
      }
    });
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      receivedBytes += chunk.length;
      const end = chunk.indexOf(0);
      if (end >= 0) {
        finish(undefined, Buffer.concat(received).subarray(0, receivedBytes - chunk.length + end).toString('utf8').trim());
      } else if (receivedBytes > MAX_REPLY_BYTES) {
        finish(new ClamdError(`clamd at ${where} sent an overlong reply`));
      }
    });
    socket.on('end', () => {
      const reply = Buffer.concat(received).toString('utf8').trim();
      finish(reply ? undefined : new ClamdError(`clamd at ${where} closed the connection without answering ${command}`), reply);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // clamd answers a stream over StreamMaxLength and closes; our next write may fail before its reply is read.
      const hint =
        options.body && (error.code === 'EPIPE' || error.code === 'ECONNRESET')
          ? ' (it stopped reading the data: is the file larger than its StreamMaxLength?)'
          : '';
      finish(new ClamdError(`clamd at ${where}: ${error.message}${hint}`, { cause: error }));
    });
  });
}
