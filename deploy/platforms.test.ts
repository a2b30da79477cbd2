/**
 * The git-push platform files at the repository root (Procfile + app.json for Heroku, render.yaml, fly.toml)
 * against the app they deploy: the commands are the README's, the health check is a route that exists, every
 * setting is one Parley knows and, together, they pass Parley's own production validation; and each file
 * keeps the platform facts it was written for (no session affinity → WebSocket only; grace period; disk).
 * What running them does is scripts/platform.int.test.ts; the platforms themselves are not reachable here.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { envSchema, parseEnv } from '../lib/env';

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** Settings of the platform or of node-postgres, not Parley's. */
const FOREIGN_SETTINGS = new Set(['NODE_VERSION', 'PGSSLMODE']);
/** Stand-ins for what the platform or the person deploying provides. */
const PROVIDED: Record<string, string> = {
  DATABASE_URL: 'postgresql://parley:secret@db.internal:5432/parley',
  AUTH_SECRET: 'platform-generated-0123456789abcdefghijklmnop',
  PUBLIC_URL: 'https://parley.example.com',
  S3_BUCKET: 'parley-files',
  S3_ENDPOINT: 'https://s3.example.com',
  S3_ACCESS_KEY_ID: 'access',
  S3_SECRET_ACCESS_KEY: 'secret',
};

/** Parley as the platform would start it: production, what the file sets, what the person provides. */
function expectValidSettings(settings: Record<string, string | undefined>): ReturnType<typeof parseEnv> {
  const unknown = Object.keys(settings).filter((key) => !(key in envSchema.shape) && !FOREIGN_SETTINGS.has(key));
  expect(unknown, 'settings Parley does not know').toEqual([]);
  const values = Object.fromEntries(Object.keys(settings).map((key) => [key, settings[key] ?? PROVIDED[key]]));
  return parseEnv({ NODE_ENV: 'production', ...PROVIDED, ...values });
}

function expectRouteExists(urlPath: string): void {
  expect(existsSync(path.join(ROOT, 'app', urlPath, 'route.ts')), `${urlPath} is a route`).toBe(true);
}

const renderSchema = z.object({
  services: z.array(
    z.object({
      type: z.literal('web'),
      name: z.string(),
      runtime: z.literal('node'),
      buildCommand: z.string(),
      startCommand: z.string(),
      healthCheckPath: z.string(),
      maxShutdownDelaySeconds: z.number().int().min(1).max(300),
      numInstances: z.number().int().min(1),
      envVars: z.array(
        z.union([
          z.strictObject({ key: z.string(), value: z.string() }),
          z.strictObject({ key: z.string(), sync: z.literal(false) }),
          z.strictObject({ key: z.string(), generateValue: z.literal(true) }),
          z.strictObject({ key: z.string(), fromDatabase: z.strictObject({ name: z.string(), property: z.literal('connectionString') }) }),
        ]),
      ),
    }).strict(),
  ),
  databases: z.array(z.strictObject({ name: z.string(), databaseName: z.string(), postgresMajorVersion: z.string() })),
}).strict();

const flySchema = z.object({
  app: z.string(),
  kill_signal: z.string(),
  kill_timeout: z.number(),
  build: z.strictObject({ dockerfile: z.string() }),
  env: z.record(z.string(), z.string()),
  deploy: z.strictObject({ strategy: z.string() }),
  http_service: z.strictObject({
    internal_port: z.number(),
    force_https: z.boolean(),
    auto_stop_machines: z.union([z.boolean(), z.enum(['off', 'stop', 'suspend'])]),
    auto_start_machines: z.boolean(),
    min_machines_running: z.number().int(),
    concurrency: z.strictObject({ type: z.enum(['connections', 'requests']), soft_limit: z.number().int(), hard_limit: z.number().int() }),
    checks: z.array(z.strictObject({ method: z.string(), path: z.string(), interval: z.string(), timeout: z.string(), grace_period: z.string() })),
  }),
  vm: z.array(z.strictObject({ memory: z.string() })),
}).strict();

const herokuSchema = z.object({
  name: z.string(),
  description: z.string(),
  keywords: z.array(z.string()),
  stack: z.string(),
  buildpacks: z.array(z.strictObject({ url: z.string() })),
  formation: z.record(z.string(), z.strictObject({ quantity: z.number().int() })),
  addons: z.array(z.strictObject({ plan: z.string() })),
  env: z.record(
    z.string(),
    z.strictObject({ description: z.string(), value: z.string().optional(), required: z.boolean().optional(), generator: z.literal('secret').optional() }),
  ),
}).strict();

const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string>; engines: { node: string } };

describe('git-push platform files', () => {
  it('package.json: the build and start commands platforms run, on Node 24 LTS', () => {
    expect(packageJson.scripts.build).toBe('next build');
    expect(packageJson.scripts.start).toContain('scripts/start.ts');
    expect(packageJson.engines.node).toMatch(/^\^24\./);
  });

  it('Heroku: Procfile runs npm start; app.json provisions PostgreSQL, a secret, TLS to the database and object storage', () => {
    expect(read('Procfile').trim()).toBe('web: npm start');
    const app = herokuSchema.parse(JSON.parse(read('app.json')));
    expect(app.buildpacks.map((b) => b.url)).toEqual(['heroku/nodejs']);
    expect(app.addons.map((a) => a.plan.split(':')[0])).toContain('heroku-postgresql');
    expect(app.env.AUTH_SECRET?.generator).toBe('secret');
    expect(app.env.PGSSLMODE?.value).toBe('no-verify');
    const env = expectValidSettings(Object.fromEntries(Object.entries(app.env).map(([key, spec]) => [key, spec.value])));
    expect(env.STORAGE_DRIVER).toBe('s3'); // dyno disks are wiped on restart
    expect(env.TRUST_PROXY).toBe(1);
  });

  it('Render: builds with dev dependencies, starts with npm start, gates on /api/ready, WebSocket only (no affinity)', () => {
    const blueprint = renderSchema.parse(parseYaml(read('render.yaml')));
    const [service] = blueprint.services;
    expect(service!.buildCommand).toMatch(/npm install --include=dev .*&& npm run build$/);
    expect(service!.startCommand).toBe('npm start');
    expectRouteExists(service!.healthCheckPath);
    expect(service!.maxShutdownDelaySeconds).toBeGreaterThanOrEqual(10);
    const settings = Object.fromEntries(service!.envVars.map((v) => [v.key, 'value' in v ? v.value : undefined]));
    for (const v of service!.envVars) {
      if ('fromDatabase' in v) expect(blueprint.databases.map((d) => d.name)).toContain(v.fromDatabase.name);
    }
    expect(service!.envVars.find((v) => v.key === 'AUTH_SECRET')).toEqual({ key: 'AUTH_SECRET', generateValue: true });
    expect(settings.NODE_VERSION).toBe('24');
    const env = expectValidSettings(settings);
    expect(env.REALTIME_TRANSPORTS).toBe('websocket');
    expect(env.STORAGE_DRIVER).toBe('s3');
  });

  it('Fly.io: the image from deploy/Dockerfile on its port, SIGTERM with time to close, WebSocket only, Machines kept up', () => {
    const fly = flySchema.parse(parseToml(read('fly.toml')));
    const dockerfile = read(fly.build.dockerfile);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${fly.http_service.internal_port}$`, 'm'));
    expect(fly.kill_signal).toBe('SIGTERM');
    expect(fly.kill_timeout).toBeGreaterThanOrEqual(10);
    expect(fly.http_service.auto_stop_machines).toBe('off');
    expect(fly.http_service.concurrency.hard_limit).toBeGreaterThan(25); // Fly's default would refuse the 26th tab
    for (const check of fly.http_service.checks) expectRouteExists(check.path);
    const env = expectValidSettings(fly.env);
    expect(env.REALTIME_TRANSPORTS).toBe('websocket');
    expect(env.TRUST_PROXY).toBe(1);
  });
});
