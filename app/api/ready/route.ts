/** Readiness: the database answers. 503 while it does not, so a load balancer stops sending traffic. */
import { pingDatabase } from '@/lib/data/health';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const database = await pingDatabase();
  return Response.json({ status: database.ok ? 'ready' : 'unavailable', database }, { status: database.ok ? 200 : 503 });
}
