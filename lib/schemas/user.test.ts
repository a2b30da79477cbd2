import { describe, expect, it } from 'vitest';
import { loginSchema, passwordSchema, registerSchema, usernameSchema } from './user';

const valid = { username: 'alice', displayName: 'Alice', password: 'hunter22!', confirmPassword: 'hunter22!' };

describe('usernameSchema', () => {
  it('normalises to lower case and trims', () => {
    expect(usernameSchema.parse('  Alice.B-1_ ')).toBe('alice.b-1_');
  });

  it.each([
    ['ab', /at least 3/],
    ['a'.repeat(33), /at most 32/],
    ['al ice', /Use only/],
    ['alice!', /Use only/],
    ['ålice', /Use only/],
    ['Deleted-0a1b2c3d', /reserved/],
  ])('rejects %j', (input, message) => {
    const result = usernameSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(message);
  });
});

describe('passwordSchema', () => {
  it('counts bytes, not characters', () => {
    expect(passwordSchema.safeParse('1234567').success).toBe(false);
    expect(passwordSchema.safeParse('12345678').success).toBe(true);
    expect(passwordSchema.safeParse('a'.repeat(72)).success).toBe(true);
    expect(passwordSchema.safeParse('a'.repeat(73)).success).toBe(false);
    // 24 three-byte characters are 72 bytes; 25 are 75 and would be truncated by bcrypt.
    expect(passwordSchema.safeParse('€'.repeat(24)).success).toBe(true);
    expect(passwordSchema.safeParse('€'.repeat(25)).success).toBe(false);
  });
});

describe('registerSchema', () => {
  it('accepts a valid registration', () => {
    expect(registerSchema.parse({ ...valid, username: 'Alice' }).username).toBe('alice');
  });

  it('reports a mismatched confirmation on the confirm field', () => {
    const result = registerSchema.safeParse({ ...valid, confirmPassword: 'different1' });
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['confirmPassword'], message: 'Passwords do not match.' })]);
  });

  it('rejects unknown fields and missing fields', () => {
    expect(registerSchema.safeParse({ ...valid, isAdmin: true }).success).toBe(false);
    const missing = registerSchema.safeParse({ username: 'alice' });
    expect(missing.error?.issues.map((i) => i.path[0])).toEqual(expect.arrayContaining(['displayName', 'password']));
  });

  it('rejects control characters in display names', () => {
    expect(registerSchema.safeParse({ ...valid, displayName: 'Al\u0000ice' }).success).toBe(false);
  });
});

describe('loginSchema', () => {
  it('lower-cases the username and requires both fields', () => {
    expect(loginSchema.parse({ username: 'ALICE', password: 'x' }).username).toBe('alice');
    expect(loginSchema.safeParse({ username: 'alice', password: '' }).success).toBe(false);
  });
});
