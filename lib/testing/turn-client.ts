/**
 * A minimal TURN client for tests against a real TURN server (lib/testing/coturn.ts): STUN Binding, and
 * Allocate / Refresh / CreatePermission with long-term credentials (RFC 8489 / 8656), over UDP or TLS.
 * Enough to prove which credentials a server accepts and which peers it refuses to relay to; it carries no
 * media and never sends data to a peer (CreatePermission installs a permission, nothing leaves the server).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

const MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;

const Method = { binding: 0x001, allocate: 0x003, refresh: 0x004, createPermission: 0x008 } as const;
type MethodName = keyof typeof Method;

const Attr = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  xorPeerAddress: 0x0012,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedAddressFamily: 0x0017,
  requestedTransport: 0x0019,
  xorMappedAddress: 0x0020,
} as const;

export interface TransportAddress {
  family: 4 | 6;
  address: string;
  port: number;
}

/** One answer from the server: success, or an error with its STUN code (401, 403, 437, 438, 486…). */
export interface TurnResponse {
  ok: boolean;
  /** STUN error code, on an error response. */
  code?: number;
  reason?: string;
  relayed?: TransportAddress;
  mapped?: TransportAddress;
  lifetime?: number;
}

interface RawMessage {
  type: number;
  transactionId: Buffer;
  attributes: Array<{ type: number; value: Buffer }>;
}

// ── Encoding ──

function attribute(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  const padding = Buffer.alloc((4 - (value.length % 4)) % 4);
  return Buffer.concat([header, value, padding]);
}

function header(type: number, length: number, transactionId: Buffer): Buffer {
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(length, 2);
  head.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(head, 8);
  return head;
}

/** A request; with `key`, MESSAGE-INTEGRITY last (HMAC-SHA1 over everything before it, length counting it). */
function encodeRequest(method: number, transactionId: Buffer, attributes: Buffer[], key?: Buffer): Buffer {
  const body = Buffer.concat(attributes);
  if (!key) return Buffer.concat([header(method, body.length, transactionId), body]);
  const integrityLength = 4 + 20;
  const signed = Buffer.concat([header(method, body.length + integrityLength, transactionId), body]);
  const integrity = createHmac('sha1', key).update(signed).digest();
  return Buffer.concat([signed, attribute(Attr.messageIntegrity, integrity)]);
}

function ipBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  if (!isIPv6(address)) throw new Error(`not an IP address: ${address}`);
  // Expand "::" and an embedded dotted IPv4 tail (::ffff:127.0.0.1) into eight 16-bit groups.
  let text = address;
  const dotted = /\d+\.\d+\.\d+\.\d+$/.exec(text)?.[0];
  if (dotted) {
    const v4 = ipBytes(dotted);
    text = text.slice(0, -dotted.length) + `${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const known = groups(head).length + groups(tail).length;
  const all = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(8 - known).fill('0'), ...groups(tail)];
  const bytes = Buffer.alloc(16);
  all.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}

/** XOR-…-ADDRESS values are masked with the magic cookie, then (IPv6) the transaction id. */
function xorMask(transactionId: Buffer): Buffer {
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(mask, 4);
  return mask;
}

function xorAddress(address: string, port: number, transactionId: Buffer): Buffer {
  const ip = ipBytes(address);
  const mask = xorMask(transactionId);
  const value = Buffer.alloc(4 + ip.length);
  value.writeUInt8(ip.length === 4 ? 0x01 : 0x02, 1);
  value.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2);
  ip.forEach((byte, i) => value.writeUInt8(byte ^ mask.readUInt8(i), 4 + i));
  return value;
}

// ── Decoding ──

function decode(message: Buffer): RawMessage | undefined {
  if (message.length < HEADER_BYTES || message.readUInt32BE(4) !== MAGIC_COOKIE) return undefined;
  const length = message.readUInt16BE(2);
  if (message.length < HEADER_BYTES + length) return undefined;
  const attributes: RawMessage['attributes'] = [];
  for (let offset = HEADER_BYTES; offset + 4 <= HEADER_BYTES + length; ) {
    const type = message.readUInt16BE(offset);
    const size = message.readUInt16BE(offset + 2);
    attributes.push({ type, value: message.subarray(offset + 4, offset + 4 + size) });
    offset += 4 + size + ((4 - (size % 4)) % 4);
  }
  return { type: message.readUInt16BE(0), transactionId: message.subarray(8, 20), attributes };
}

function decodeXorAddress(value: Buffer, transactionId: Buffer): TransportAddress {
  const family = value.readUInt8(1) === 0x01 ? 4 : 6;
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const mask = xorMask(transactionId);
  const ip = Buffer.from(value.subarray(4, family === 4 ? 8 : 20).map((byte, i) => byte ^ mask.readUInt8(i)));
  const address =
    family === 4
      ? [...ip].join('.')
      : Array.from({ length: 8 }, (_, i) => ip.readUInt16BE(i * 2).toString(16)).join(':');
  return { family, address, port };
}

function toResponse(message: RawMessage): TurnResponse {
  const get = (type: number) => message.attributes.find((a) => a.type === type)?.value;
  const isError = (message.type & 0x0110) === 0x0110;
  const response: TurnResponse = { ok: !isError };
  const error = get(Attr.errorCode);
  if (isError && error) {
    response.code = (error.readUInt8(2) & 0x07) * 100 + error.readUInt8(3);
    response.reason = error.subarray(4).toString('utf8');
  }
  const relayed = get(Attr.xorRelayedAddress);
  if (relayed) response.relayed = decodeXorAddress(relayed, message.transactionId);
  const mapped = get(Attr.xorMappedAddress);
  if (mapped) response.mapped = decodeXorAddress(mapped, message.transactionId);
  const lifetime = get(Attr.lifetime);
  if (lifetime) response.lifetime = lifetime.readUInt32BE(0);
  return response;
}

// ── Transports: one request in flight at a time, answered by transaction id ──

interface Channel {
  /** Sends a request and resolves with the response carrying its transaction id. */
  request(message: Buffer, transactionId: Buffer, timeoutMs: number): Promise<RawMessage>;
  close(): void;
}

function udpChannel(host: string, port: number): Channel {
  const socket: UdpSocket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  const waiting = new Map<string, (message: RawMessage) => void>();
  socket.on('message', (data) => {
    const message = decode(data);
    if (message) waiting.get(message.transactionId.toString('hex'))?.(message);
  });
  // Nothing to do with a send error (e.g. nobody listening yet): the request times out or is resent.
  socket.on('error', () => {});
  return {
    request(message, transactionId, timeoutMs) {
      const id = transactionId.toString('hex');
      return new Promise((resolve, reject) => {
        // UDP may drop a datagram: resend (same transaction id, as RFC 8489 retransmissions) until answered.
        let interval = 250;
        let timer: NodeJS.Timeout;
        const send = () => {
          socket.send(message, port, host);
          timer = setTimeout(send, interval);
          interval = Math.min(interval * 2, 2000);
        };
        const deadline = setTimeout(() => {
          clearTimeout(timer);
          waiting.delete(id);
          reject(new Error(`no STUN answer from ${host}:${port} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, (answer) => {
          clearTimeout(timer);
          clearTimeout(deadline);
          waiting.delete(id);
          resolve(answer);
        });
        send();
      });
    },
    close: () => socket.close(),
  };
}

async function tlsChannel(host: string, port: number, ca: string | Buffer | undefined): Promise<Channel> {
  const socket: TLSSocket = tlsConnect({ host, port, ca, servername: isIPv4(host) || isIPv6(host) ? undefined : host });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  let buffered = Buffer.alloc(0);
  let pending: ((message: RawMessage) => void) | undefined;
  let failed: ((error: Error) => void) | undefined;
  socket.on('error', (error) => failed?.(error));
  socket.on('close', () => failed?.(new Error('the TLS connection closed')));
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    // A stream carries whole STUN messages back to back: 20-byte header + its length.
    while (buffered.length >= HEADER_BYTES && buffered.length >= HEADER_BYTES + buffered.readUInt16BE(2)) {
      const size = HEADER_BYTES + buffered.readUInt16BE(2);
      const message = decode(buffered.subarray(0, size));
      buffered = buffered.subarray(size);
      if (message) pending?.(message);
    }
  });
  return {
    request(message, transactionId, timeoutMs) {
      return new Promise((resolve, reject) => {
        const settle = () => {
          clearTimeout(deadline);
          pending = failed = undefined;
        };
        const deadline = setTimeout(() => {
          settle();
          reject(new Error(`no STUN answer over TLS within ${timeoutMs} ms`));
        }, timeoutMs);
        pending = (answer) => {
          if (!answer.transactionId.equals(transactionId)) return;
          settle();
          resolve(answer);
        };
        failed = (error) => {
          settle();
          reject(error);
        };
        socket.write(message);
      });
    },
    close: () => socket.destroy(),
  };
}

// ── The client ──

export interface TurnClientOptions {
  host: string;
  port: number;
  transport?: 'udp' | 'tls';
  /** TLS: the certificate (or CA) to trust. */
  ca?: string | Buffer;
  username: string;
  /** The long-term password: for coturn's use-auth-secret, the base64 HMAC Parley hands out as `credential`. */
  credential: string;
  timeoutMs?: number;
}

export interface TurnClient {
  /** Allocate a relayed address (UDP relay), answering the server's 401 challenge with the credentials. */
  allocate(options?: { family?: 4 | 6; lifetime?: number }): Promise<TurnResponse>;
  /** Refresh the allocation (`lifetime: 0` releases it). */
  refresh(lifetime?: number): Promise<TurnResponse>;
  /** Ask the server to accept traffic from `peer` (an IP address) on the allocation. */
  createPermission(peer: string): Promise<TurnResponse>;
  close(): void;
}

export async function openTurnClient(options: TurnClientOptions): Promise<TurnClient> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const channel =
    options.transport === 'tls' ? await tlsChannel(options.host, options.port, options.ca) : udpChannel(options.host, options.port);
  let realm: string | undefined;
  let nonce: string | undefined;

  const key = () => createHash('md5').update(`${options.username}:${realm}:${options.credential}`).digest();

  /** `attributes` is built per attempt: XOR-PEER-ADDRESS is masked with the (new) transaction id. */
  async function send(method: MethodName, attributes: (transactionId: Buffer) => Buffer[]): Promise<TurnResponse> {
    // Long-term credentials: the first request learns REALM and NONCE from a 401; a 438 means a new nonce.
    for (let attempt = 0; attempt < 3; attempt++) {
      const transactionId = randomBytes(12);
      const credentials =
        realm !== undefined && nonce !== undefined
          ? [
              attribute(Attr.username, Buffer.from(options.username)),
              attribute(Attr.realm, Buffer.from(realm)),
              attribute(Attr.nonce, Buffer.from(nonce)),
            ]
          : [];
      const message = encodeRequest(Method[method], transactionId, [...attributes(transactionId), ...credentials], credentials.length > 0 ? key() : undefined);
      const raw = await channel.request(message, transactionId, timeoutMs);
      const response = toResponse(raw);
      const challenged = response.code === 401 && credentials.length === 0;
      if (challenged || response.code === 438) {
        realm = raw.attributes.find((a) => a.type === Attr.realm)?.value.toString('utf8') ?? realm;
        nonce = raw.attributes.find((a) => a.type === Attr.nonce)?.value.toString('utf8') ?? nonce;
        continue;
      }
      return response;
    }
    throw new Error(`TURN ${method}: the server kept challenging`);
  }

  return {
    allocate({ family = 4, lifetime } = {}) {
      return send('allocate', () => [
        attribute(Attr.requestedTransport, Buffer.from([17, 0, 0, 0])), // UDP
        ...(family === 6 ? [attribute(Attr.requestedAddressFamily, Buffer.from([0x02, 0, 0, 0]))] : []),
        ...(lifetime !== undefined ? [attribute(Attr.lifetime, uint32(lifetime))] : []),
      ]);
    },
    refresh(lifetime = 600) {
      return send('refresh', () => [attribute(Attr.lifetime, uint32(lifetime))]);
    },
    createPermission(peer) {
      return send('createPermission', (transactionId) => [attribute(Attr.xorPeerAddress, xorAddress(peer, 0, transactionId))]);
    },
    close: () => channel.close(),
  };
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value, 0);
  return bytes;
}

/** One unauthenticated STUN Binding request: the server answers with the address it sees (readiness probe). */
export async function stunBinding(host: string, port: number, timeoutMs = 1000): Promise<TurnResponse> {
  const channel = udpChannel(host, port);
  try {
    const transactionId = randomBytes(12);
    return toResponse(await channel.request(encodeRequest(Method.binding, transactionId, []), transactionId, timeoutMs));
  } finally {
    channel.close();
  }
}
