/** Password hashing with bcryptjs. Cost 11 (~100 ms here); the issue asks for at least 10. */
import bcrypt from 'bcryptjs';

export const BCRYPT_COST = 11;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

/**
 * A real hash of a random string, compared against when the username does not exist so that a wrong
 * username and a wrong password take the same time (no account enumeration by timing).
 */
let dummyHash: Promise<string> | undefined;
export function verifyAgainstDummy(password: string): Promise<boolean> {
  dummyHash ??= bcrypt.hash(crypto.randomUUID(), BCRYPT_COST);
  return dummyHash.then((hash) => bcrypt.compare(password, hash)).then(() => false);
}
