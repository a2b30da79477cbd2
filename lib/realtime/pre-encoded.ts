/**
 * Values sent again and again, unchanged, written as JSON once. A large room's member list (2,000 members: ~430 KB
 * of JSON) goes out in the `room:load` answer of every tab's first visit to the room, and Socket.IO's parser walks
 * and stringifies it each time: ~2.5 ms of this process per answer, against ~0.03 ms for the same answer with the
 * list's JSON already written (probe, Node 24). The instance keeps large rooms' lists (lib/data/member-list.ts), so
 * the same list object comes back until the list changes: its JSON is kept beside it, by identity.
 *
 * How: `preEncoded(value)` stands in for the value in an answer. Inside this server's encoder its `toJSON` gives a
 * placeholder, which the encoder then replaces with the kept JSON; the text on the wire is byte for byte what the
 * stock parser writes, so clients cannot tell. Anywhere else (a log line, another serializer) `toJSON` gives the
 * value itself. The placeholder carries a random per-process nonce: user text cannot spell it.
 *
 * Only for values nobody changes afterwards (the kept list is shared and read-only), and only in packets without
 * binary attachments: the parser copies binary packets' objects key by key and would lose the stand-in.
 */
import { randomBytes } from 'node:crypto';
import { Decoder, Encoder, protocol, type Packet } from 'socket.io-parser';

const NONCE = `parley-pre-encoded-${randomBytes(16).toString('hex')}-`;

/** JSON by value identity, for as long as the value lives. */
const written = new WeakMap<object, string>();
/** Whether this process's encoder is writing a packet now (encoding is synchronous: one packet at a time). */
let encoding = false;
/** The stand-ins met in that packet, if any: made on the first, so packets without one allocate nothing. */
let met: Map<string, string> | null = null;
let count = 0;

class PreEncoded {
  readonly #value: object;
  readonly #placeholder = `${NONCE}${(count += 1)}`;

  constructor(value: object) {
    this.#value = value;
  }

  toJSON(): unknown {
    if (!encoding) return this.#value;
    let json = written.get(this.#value);
    if (json === undefined) {
      json = JSON.stringify(this.#value);
      written.set(this.#value, json);
    }
    (met ??= new Map()).set(this.#placeholder, json);
    return this.#placeholder;
  }
}

/**
 * Stands in for `value` in a socket answer (typed as the value: it serialises as the value everywhere). The value must
 * never change after this: its JSON is written once and kept for as long as the value lives.
 */
export function preEncoded<T extends object>(value: T): T {
  return new PreEncoded(value) as unknown as T;
}

class PreEncodingEncoder extends Encoder {
  override encode(packet: Packet): ReturnType<Encoder['encode']> {
    let parts: ReturnType<Encoder['encode']>;
    let found: Map<string, string> | null;
    encoding = true;
    try {
      parts = super.encode(packet);
    } finally {
      encoding = false;
      found = met;
      met = null;
    }
    if (!found) return parts;
    if (parts.length !== 1 || typeof parts[0] !== 'string') {
      throw new Error('A pre-encoded value cannot travel in a packet with binary attachments.');
    }
    let text = parts[0];
    for (const [placeholder, json] of found) text = text.replaceAll(`"${placeholder}"`, () => json);
    return [text];
  }
}

/** Socket.IO's `parser` option: the stock parser, with an encoder that writes pre-encoded values as they are. */
export const preEncodingParser = { protocol, Encoder: PreEncodingEncoder, Decoder };
