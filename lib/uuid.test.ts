import { describe, expect, it } from 'vitest';
import { uuidv4 } from './uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv4', () => {
  it('makes v4 UUIDs', () => {
    expect(uuidv4()).toMatch(UUID);
  });

  it('works without crypto.randomUUID (insecure contexts)', () => {
    const original = Object.getOwnPropertyDescriptor(crypto, 'randomUUID');
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true, writable: true });
    try {
      const ids = new Set(Array.from({ length: 50 }, () => uuidv4()));
      expect(ids.size).toBe(50);
      for (const id of ids) expect(id).toMatch(UUID);
    } finally {
      if (original) Object.defineProperty(crypto, 'randomUUID', original);
    }
  });
});
