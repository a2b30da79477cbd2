/**
 * The instance as a whole (docs/protocol.md §4.15): who administers it, and its settings (one row of
 * instance_settings). Route handlers, pages and other data functions ask here; nothing else reads
 * users.is_admin or ADMIN_USERNAMES.
 */
import { getDb } from '../db';
import { getEnv } from '../env';
import { AppError } from '../errors';
import { registrationModeSchema, type RegistrationMode } from '../schemas/admin';

type Db = Pick<ReturnType<typeof getDb>, 'user' | 'instanceSettings'>;

/** Whether a row makes its user an instance admin: the flag (the first account) or a name in ADMIN_USERNAMES. */
export function isAdminRow(user: { isAdmin: boolean; username: string; deletedAt: Date | null }): boolean {
  if (user.deletedAt) return false;
  return user.isAdmin || getEnv().ADMIN_USERNAMES.includes(user.username);
}

/**
 * Whether this user administers the instance: the first account created (users.is_admin) or a username
 * in ADMIN_USERNAMES. A deleted account never does (its row stays, anonymised, with the flag).
 */
export async function isInstanceAdmin(userId: string, db: Db = getDb()): Promise<boolean> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { isAdmin: true, username: true, deletedAt: true } });
  return user !== null && isAdminRow(user);
}

/** FORBIDDEN unless this user administers the instance (every /api/admin/* route, via lib/data/admin.ts). */
export async function requireInstanceAdmin(userId: string, db: Db = getDb()): Promise<void> {
  if (!(await isInstanceAdmin(userId, db))) throw new AppError('FORBIDDEN', 'Only the instance’s administrators can do that.');
}

/**
 * Who may create an account: `open`, `invite` (with a sign-up invitation) or `closed`. A missing row
 * (a database restored without it) or an unknown value reads as `open`, what a new instance starts with.
 */
export async function getRegistrationMode(db: Db = getDb()): Promise<RegistrationMode> {
  const row = await db.instanceSettings.findUnique({ where: { id: 1 }, select: { registrationMode: true } });
  const parsed = registrationModeSchema.safeParse(row?.registrationMode);
  return parsed.success ? parsed.data : 'open';
}

/** Sets the mode (the caller checked the actor and audits). Returns the previous one. */
export async function writeRegistrationMode(mode: RegistrationMode, db: Db = getDb()): Promise<RegistrationMode> {
  const previous = await getRegistrationMode(db);
  await db.instanceSettings.upsert({
    where: { id: 1 },
    create: { id: 1, registrationMode: mode },
    update: { registrationMode: mode, updatedAt: new Date() },
  });
  return previous;
}
