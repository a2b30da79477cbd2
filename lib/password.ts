/** Password hashing with bcryptjs. Cost 11 (~100 ms here); the issue asks for at least 10. */
import bcrypt from 'bcryptjs';

export const BCRYPT_COST = 11;

/** bcrypt reads at most this many bytes of a password and silently ignores the rest. */
export const BCRYPT_MAX_BYTES = 72;

/** Longer than 72 bytes is a caller's bug (the schemas refuse it): such a hash would accept any suffix. */
export function hashPassword(password: string): Promise<string> {
  if (bcrypt.truncates(password)) return Promise.reject(new RangeError(`A password to hash must be at most ${BCRYPT_MAX_BYTES} bytes.`));
  return bcrypt.hash(password, BCRYPT_COST);
}

/**
 * Whether `password` is the one `hash` was made from. A candidate longer than 72 bytes is never right:
 * every password we hash is at most 72 bytes (the schemas refuse longer ones), and bcrypt would compare
 * only its first 72 bytes, accepting any suffix.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (bcrypt.truncates(password)) return false;
  return bcrypt.compare(password, hash);
}

/**
 * A real hash of a random string, compared against when the username does not exist so that a wrong
 * username and a wrong password take the same time (no account enumeration by timing).
 */
let dummyHash: Promise<string> | undefined;
export async function verifyAgainstDummy(password: string): Promise<boolean> {
  if (bcrypt.truncates(password)) return false; // as verifyPassword: equally fast for every username
  dummyHash ??= bcrypt.hash(crypto.randomUUID(), BCRYPT_COST);
  return dummyHash.then((hash) => bcrypt.compare(password, hash)).then(() => false);
}
