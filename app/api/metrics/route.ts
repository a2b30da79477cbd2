/**
 * Prometheus metrics of this instance. Disabled (404) unless METRICS_TOKEN is set, then only with
 * `Authorization: Bearer <METRICS_TOKEN>`: never public by accident.
 */
import { timingSafeEqual } from 'node:crypto';
import { getEnv } from '@/lib/env';
import { getMetrics } from '@/lib/metrics';

export const dynamic = 'force-dynamic';

function authorized(header: string | null, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function GET(request: Request): Promise<Response> {
  const token = getEnv().METRICS_TOKEN;
  if (!token) return Response.json({ error: { code: 'NOT_FOUND', message: 'Metrics are disabled (set METRICS_TOKEN).' } }, { status: 404 });
  if (!authorized(request.headers.get('authorization'), token)) {
    return Response.json({ error: { code: 'UNAUTHORIZED', message: 'Send Authorization: Bearer <METRICS_TOKEN>.' } }, { status: 401 });
  }
  const { registry } = getMetrics();
  return new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } });
}
