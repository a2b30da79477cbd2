import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { readJsonBody } from './http';

function jsonRequest(body: string, type = 'application/json'): Request {
  return new Request('http://x/api', { method: 'POST', headers: { 'content-type': type }, body });
}

describe('readJsonBody', () => {
  it('parses JSON', async () => {
    await expect(readJsonBody(jsonRequest('{"a":1}'))).resolves.toEqual({ a: 1 });
  });

  it('refuses bodies over the limit even without a content-length', async () => {
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":"' + 'x'.repeat(200) + '"}'));
        controller.close();
      },
    });
    const request = new Request('http://x/api', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expect(readJsonBody(request, 100)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('treats a body cut off by the client as the client\'s mistake (no logged 500)', async () => {
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":'));
        controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      },
    });
    const request = new Request('http://x/api', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expect(readJsonBody(request)).rejects.toMatchObject({ code: 'INVALID_PAYLOAD', message: 'The body was cut off.' });
  });

  it('refuses malformed JSON and other content types', async () => {
    await expect(readJsonBody(jsonRequest('{nope'))).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    await expect(readJsonBody(jsonRequest('a=1', 'application/x-www-form-urlencoded'))).rejects.toBeInstanceOf(AppError);
  });
});
