/**
 * What `synchronous_commit` was inside the transactions that wrote some rows: a trigger on `table`,
 * limited by `when` (a trigger condition on NEW, so that other test files writing the same table at the
 * same time are not recorded), notes the setting on each row written while `work` runs.
 */
import { randomUUID } from 'node:crypto';
import { getDb } from '../db';

export async function recordCommitModes(
  input: { table: string; event: 'INSERT' | 'UPDATE'; when: string },
  work: () => Promise<unknown>,
): Promise<string[]> {
  const tag = `commit_modes_${randomUUID().replaceAll('-', '')}`;
  const db = getDb();
  await db.$executeRawUnsafe(`CREATE TABLE ${tag} (n serial, mode text NOT NULL)`);
  await db.$executeRawUnsafe(
    `CREATE FUNCTION ${tag}_record() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN INSERT INTO ${tag} (mode) VALUES (current_setting('synchronous_commit')); RETURN NEW; END $$`,
  );
  await db.$executeRawUnsafe(
    `CREATE TRIGGER ${tag} BEFORE ${input.event} ON ${input.table} FOR EACH ROW WHEN (${input.when}) EXECUTE FUNCTION ${tag}_record()`,
  );
  try {
    await work();
    const rows = await db.$queryRawUnsafe<{ mode: string }[]>(`SELECT mode FROM ${tag} ORDER BY n`);
    return rows.map((r) => r.mode);
  } finally {
    await db.$executeRawUnsafe(`DROP TRIGGER ${tag} ON ${input.table}`);
    await db.$executeRawUnsafe(`DROP FUNCTION ${tag}_record()`);
    await db.$executeRawUnsafe(`DROP TABLE ${tag}`);
  }
}

/** `synchronous_commit` as a pooled connection reads it now: the pool hands out the one released last first. */
export async function synchronousCommitNow(): Promise<string> {
  const rows = await getDb().$queryRaw<{ synchronous_commit: string }[]>`SHOW synchronous_commit`;
  return rows[0]!.synchronous_commit;
}
