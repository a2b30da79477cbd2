/**
 * The instance's settings (docs/protocol.md §4.15): one row of instance_settings. Who administers the
 * instance is lib/data/instance-admin.ts.
 */
import { getDb } from '../db';
import { registrationModeSchema, type RegistrationMode } from '../schemas/admin';

type Db = Pick<ReturnType<typeof getDb>, 'instanceSettings'>;

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
