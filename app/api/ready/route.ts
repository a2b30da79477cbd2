/**
 * Readiness: the database answers and, with several instances, broadcasts from the others arrive (the
 * adapter is listening). 503 while not, so a load balancer stops sending traffic.
 */
import { pingDatabase } from '@/lib/data/health';
import { broadcastListening } from '@/lib/realtime/readiness';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const database = await pingDatabase();
  const listening = broadcastListening();
  const ok = database.ok && listening !== false;
  const body = { status: ok ? 'ready' : 'unavailable', database, ...(listening === null ? {} : { broadcast: { listening } }) };
  return Response.json(body, { status: ok ? 200 : 503 });
}
