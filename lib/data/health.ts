import { getDb } from '../db';

const READY_TIMEOUT_MS = 2_000;

export async function pingDatabase(): Promise<{ ok: boolean; ms: number }> {
  const started = Date.now();
  try {
    await Promise.race([
      getDb().$queryRaw`SELECT 1`,
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS).unref()),
    ]);
    return { ok: true, ms: Date.now() - started };
  } catch {
    return { ok: false, ms: Date.now() - started };
  }
}
