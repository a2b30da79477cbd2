/**
 * The REST API as Next routes it, for tests that must reach every endpoint (the authorization matrix,
 * the fuzz test): discovers every `app/api/**\/route.ts` on disk, so a new endpoint is found without
 * anyone listing it, and dispatches a Request to the handler Next would call, with its params.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { NextRequest } from 'next/server';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

type Handler = (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

export interface ApiRoute {
  /** As written on disk: `/api/rooms/[roomId]/join`. */
  pattern: string;
  segments: string[];
  handlers: Partial<Record<HttpMethod, Handler>>;
}

const API_DIR = path.resolve(import.meta.dirname, '../../app/api');

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === 'route.ts' ? [full] : [];
  });
}

/** Every route under app/api with the HTTP methods it exports. */
export async function loadApiRoutes(): Promise<ApiRoute[]> {
  const routes: ApiRoute[] = [];
  for (const file of routeFiles(API_DIR).sort()) {
    const relative = path.relative(API_DIR, path.dirname(file)).split(path.sep).filter(Boolean);
    const segments = ['api', ...relative];
    const exports = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
    const handlers: ApiRoute['handlers'] = {};
    for (const method of HTTP_METHODS) if (typeof exports[method] === 'function') handlers[method] = exports[method] as Handler;
    routes.push({ pattern: `/${segments.join('/')}`, segments, handlers });
  }
  return routes;
}

/** The route a path belongs to and its params, as Next's App Router matches them. */
export function matchRoute(routes: ApiRoute[], pathname: string): { route: ApiRoute; params: Record<string, string | string[]> } | undefined {
  const parts = pathname.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  // Static segments win over dynamic ones, as in Next.
  const ranked = [...routes].sort((a, b) => dynamicCount(a) - dynamicCount(b));
  for (const route of ranked) {
    const params: Record<string, string | string[]> = {};
    let matched = true;
    for (let i = 0; i < route.segments.length; i += 1) {
      const segment = route.segments[i]!;
      const catchAll = /^\[\.\.\.(\w+)\]$/.exec(segment);
      if (catchAll) {
        if (parts.length <= i) matched = false;
        else params[catchAll[1]!] = parts.slice(i);
        break;
      }
      const part = parts[i];
      if (part === undefined) {
        matched = false;
        break;
      }
      const dynamic = /^\[(\w+)\]$/.exec(segment);
      if (dynamic) params[dynamic[1]!] = part;
      else if (segment !== part) {
        matched = false;
        break;
      }
    }
    const lengthOk = route.segments.some((s) => s.startsWith('[...')) || route.segments.length === parts.length;
    if (matched && lengthOk) return { route, params };
  }
  return undefined;
}

function dynamicCount(route: ApiRoute): number {
  return route.segments.filter((s) => s.startsWith('[')).length;
}

/** Calls the handler Next would call for this request: 404 for no route, 405 for a method it lacks. */
export async function dispatch(routes: ApiRoute[], request: Request): Promise<Response> {
  const found = matchRoute(routes, new URL(request.url).pathname);
  if (!found) return new Response(null, { status: 404 });
  const handler = found.route.handlers[request.method.toUpperCase() as HttpMethod];
  if (!handler) return new Response(null, { status: 405 });
  // Next hands route handlers a NextRequest (Auth.js's handlers read `nextUrl`).
  return handler(new NextRequest(request), { params: Promise.resolve(found.params) });
}
