/**
 * The password pool's worker (see lib/password.ts): bcrypt runs here, off the event loop. Plain
 * JavaScript because Node loads this file by path in a fresh thread, where no TypeScript loader is
 * guaranteed (vitest, Next's production bundle).
 */
import bcrypt from 'bcryptjs';

/** @param {{ password: string, cost: number }} task @returns {string} */
export function hash({ password, cost }) {
  return bcrypt.hashSync(password, cost);
}

/** @param {{ password: string, hash: string }} task @returns {boolean} */
export function verify({ password, hash }) {
  return bcrypt.compareSync(password, hash);
}
