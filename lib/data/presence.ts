/** The durable half of presence: when each user was last connected. (Who is online is in memory.) */
import { getDb } from '../db';

export async function recordLastSeen(userId: string, at: Date): Promise<void> {
  await getDb().user.update({ where: { id: userId }, data: { lastSeenAt: at } });
}

export async function lastSeenOf(userIds: string[]): Promise<Map<string, Date | null>> {
  if (userIds.length === 0) return new Map();
  const rows = await getDb().user.findMany({ where: { id: { in: userIds } }, select: { id: true, lastSeenAt: true } });
  return new Map(rows.map((r) => [r.id, r.lastSeenAt]));
}
