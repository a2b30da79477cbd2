/**
 * Who administers the instance (docs/protocol.md §4.15): the first account created (users.is_admin) and
 * the usernames in ADMIN_USERNAMES. Asked by the data layer wherever an instance admin may act.
 */
import { getDb } from '../db';
import { getEnv } from '../env';
import { AppError } from '../errors';

export async function isInstanceAdmin(userId: string): Promise<boolean> {
  const user = await getDb().user.findUnique({ where: { id: userId }, select: { isAdmin: true, username: true, disabledAt: true, deletedAt: true } });
  if (!user || user.disabledAt || user.deletedAt) return false;
  return user.isAdmin || getEnv().ADMIN_USERNAMES.includes(user.username);
}

/** FORBIDDEN unless the user is an instance admin. */
export async function requireInstanceAdmin(userId: string): Promise<void> {
  if (!(await isInstanceAdmin(userId))) throw new AppError('FORBIDDEN', 'Only an administrator of this instance can do that.');
}
