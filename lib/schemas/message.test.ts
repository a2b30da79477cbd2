import { describe, expect, it } from 'vitest';
import { MESSAGE_MAX_CHARS, sendMessageSchema } from './message';

const clientId = '3f1c7a52-8a0e-4c43-9d7b-2a7f0e4b9c11';

describe('sendMessageSchema', () => {
  it('trims the body and keeps the clientId', () => {
    expect(sendMessageSchema.parse({ clientId, body: '  hi  ' })).toEqual({ clientId, body: 'hi' });
  });

  it('counts characters as code points', () => {
    expect(sendMessageSchema.safeParse({ clientId, body: '😀'.repeat(MESSAGE_MAX_CHARS) }).success).toBe(true);
    expect(sendMessageSchema.safeParse({ clientId, body: '😀'.repeat(MESSAGE_MAX_CHARS + 1) }).success).toBe(false);
  });

  it.each([
    [{ clientId, body: '   ' }, /empty/],
    [{ clientId, body: 'a\u0000b' }, /control characters/],
    [{ clientId: 'not-a-uuid', body: 'hi' }, /UUID/],
    [{ clientId, body: 'hi', author: 'someone-else' }, /Unrecognized|unrecognized/],
  ])('rejects %j', (input, message) => {
    const result = sendMessageSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(message);
  });
});
