import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import { preEncoded, preEncodingParser } from './pre-encoded';

/** A list whose items count how often they are turned into JSON. */
function countedList(size: number): { list: { id: number; name: string }[]; written: () => number } {
  let written = 0;
  const list = Array.from({ length: size }, (_, id) => ({
    id,
    name: `member "${id}" $& $1 \u2028`, // quotes, replace patterns and a line separator survive as they are
    toJSON() {
      written += 1;
      return { id: this.id, name: this.name };
    },
  }));
  return { list, written: () => written };
}

function ack(data: unknown): Packet {
  return { type: PacketType.ACK, nsp: '/', id: 7, data: [data] };
}

function decode(parts: ReturnType<Encoder['encode']>): Packet {
  const decoder = new Decoder();
  let packet: Packet | undefined;
  decoder.on('decoded', (p: Packet) => (packet = p));
  for (const part of parts) decoder.add(part);
  return packet!;
}

describe('pre-encoded values', () => {
  it('go out byte for byte as the stock encoder writes them, and are written as JSON only once', () => {
    const { list, written } = countedList(3);
    const stock = new Encoder().encode(ack({ ok: true, data: { members: list, rev: 4 } }));
    const before = written();
    const encoder = new preEncodingParser.Encoder();
    for (let i = 0; i < 3; i += 1) {
      expect(encoder.encode(ack({ ok: true, data: { members: preEncoded(list), rev: 4 } }))).toEqual(stock);
    }
    expect(written() - before).toBe(3); // one JSON of 3 items, for three answers
    expect(decode(stock).data).toEqual([{ ok: true, data: { members: list.map(({ id, name }) => ({ id, name })), rev: 4 } }]);
  });

  it('keep one JSON per value: two values in one packet, and the same value twice', () => {
    const a = countedList(2).list;
    const b = countedList(1).list;
    const stand = preEncoded(a);
    const data = { a: stand, again: stand, b: preEncoded(b), plain: 'x' };
    const [text] = new preEncodingParser.Encoder().encode(ack(data));
    expect(text).toBe(`37[${JSON.stringify({ a, again: a, b, plain: 'x' })}]`);
  });

  it('serialise as the value itself outside the encoder', () => {
    const { list } = countedList(2);
    expect(JSON.stringify({ members: preEncoded(list) })).toBe(JSON.stringify({ members: list }));
  });

  it('leave user text that looks like a stand-in alone', () => {
    const [text] = new preEncodingParser.Encoder().encode(ack({ body: 'parley-pre-encoded-0-1', members: preEncoded([1]) }));
    expect(text).toBe('37[{"body":"parley-pre-encoded-0-1","members":[1]}]');
  });

  it('are refused in a packet with binary attachments, where the parser would copy them key by key', () => {
    const encoder = new preEncodingParser.Encoder();
    expect(() => encoder.encode(ack({ file: Buffer.from('x'), members: preEncoded([1]) }))).toThrow(/binary/);
    // Binary packets without one are the stock encoder's.
    const packet = ack({ file: Buffer.from('x') });
    expect(encoder.encode(packet)).toEqual(new Encoder().encode(ack({ file: Buffer.from('x') })));
  });
});
