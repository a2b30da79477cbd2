/** Liveness: the process is up and serving. Does not touch the database. */
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'ok', uptime: Math.round(process.uptime()) });
}
