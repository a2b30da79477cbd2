import { describe, expect, it } from 'vitest';
import { checkMessageBody, MESSAGE_MAX_CHARS } from './limits';
import { captionSchema, messageBodySchema } from './message';

/** What the server's schema says: the trimmed body, or its first error (the one the browser shows). */
function bySchema(schema: typeof messageBodySchema, body: string) {
  const parsed = schema.safeParse(body);
  return parsed.success ? { ok: true, body: parsed.data } : { ok: false, message: parsed.error.issues[0]?.message };
}

const bodies = [
  'hello',
  '  padded\n',
  '',
  '   \n\t ',
  'line one\nline two\ttabbed\r\n',
  'x'.repeat(MESSAGE_MAX_CHARS),
  'x'.repeat(MESSAGE_MAX_CHARS + 1),
  `  ${'x'.repeat(MESSAGE_MAX_CHARS)}  `,
  '😀'.repeat(MESSAGE_MAX_CHARS), // code points, not UTF-16 units
  '😀'.repeat(MESSAGE_MAX_CHARS + 1),
  'bell\u0007',
  'nul\u0000',
  'c1\u0085',
  'del\u007f',
  `${'x'.repeat(MESSAGE_MAX_CHARS + 1)}\u0000`,
  'bidi \u202e is fine in a message',
];

describe('checkMessageBody (the browser check without zod)', () => {
  it.each(bodies.map((body) => [JSON.stringify(body).slice(0, 40), body]))('agrees with messageBodySchema: %s', (_, body) => {
    expect(checkMessageBody(body)).toEqual(bySchema(messageBodySchema, body));
  });
  it.each(bodies.map((body) => [JSON.stringify(body).slice(0, 40), body]))('agrees with captionSchema: %s', (_, body) => {
    expect(checkMessageBody(body, { caption: true })).toEqual(bySchema(captionSchema, body));
  });
});
