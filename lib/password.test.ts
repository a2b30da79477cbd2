import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { BCRYPT_COST, hashPassword, verifyAgainstDummy, verifyPassword } from './password';

describe('password hashing', () => {
  it('hashes with bcrypt at cost ≥ 10 and verifies', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^\$2[aby]\$\d\d\$/);
    expect(bcrypt.getRounds(hash)).toBe(BCRYPT_COST);
    expect(BCRYPT_COST).toBeGreaterThanOrEqual(10);
    expect(hash).not.toContain('correct horse');
    await expect(verifyPassword('correct horse', hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horsE', hash)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('the dummy comparison never succeeds', async () => {
    await expect(verifyAgainstDummy('anything')).resolves.toBe(false);
  });
});

describe('bcrypt reads 72 bytes: nothing longer is ever accepted', { timeout: 60_000 }, () => {
  const ascii72 = 'seventy-two bytes exactly, '.repeat(3).slice(0, 72);
  const euro72 = '€'.repeat(24); // 3 bytes each

  it('refuses the 72-byte password plus any suffix', async () => {
    for (const password of [ascii72, euro72]) {
      expect(new TextEncoder().encode(password)).toHaveLength(72);
      const hash = await hashPassword(password);
      await expect(verifyPassword(password, hash)).resolves.toBe(true);
      // bcrypt alone says yes: it compares only the first 72 bytes
      expect(bcrypt.compareSync(password + 'x', hash)).toBe(true);
      for (const suffix of ['x', '€', ' and then some more text']) {
        await expect(verifyPassword(password + suffix, hash)).resolves.toBe(false);
      }
    }
  });

  it('the dummy comparison answers a long candidate the same way (no timing difference by username)', async () => {
    await expect(verifyAgainstDummy(ascii72 + 'x')).resolves.toBe(false);
  });

  it('never makes a hash that would accept suffixes', async () => {
    await expect(hashPassword(ascii72 + 'x')).rejects.toThrow(RangeError);
  });
});
