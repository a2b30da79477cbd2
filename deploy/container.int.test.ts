/**
 * deploy/Dockerfile, built and run for real. These machines have no Docker daemon and cannot pull images, so
 * buildah (chroot isolation) builds the Dockerfile unchanged on a local equivalent of node:24-bookworm-slim
 * (lib/testing/node-base-image.ts, assembled once and cached), and podman (runc) runs the image the way
 * deploy/k8s/deployment.yaml does: read-only root with only /tmp and /app/.next/cache writable (plus the image's
 * own /data volume), all capabilities dropped, no privilege escalation, as the image's own user. The host's
 * network: the run's PostgreSQL may listen on 127.0.0.1 only.
 *
 * The `container` step of `npm test`, alone: the build (npm install + next build inside) takes both cores for
 * minutes. Alone: `npx vitest run deploy/container.int.test.ts` (as root, with the tools .ci/run installs).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  buildah,
  CONTAINER_CACHE,
  containerUlimits,
  podman,
  requireContainerTools,
} from '../lib/testing/container-tools';
import { freePort } from '../lib/testing/free-port';
import { createEmptyDatabase, type OwnDatabase } from '../lib/testing/own-database';
import { BASE_NODE_VERSION, ensureNodeBaseImage } from '../lib/testing/node-base-image';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOGS = path.join(CONTAINER_CACHE, 'logs');
const BUILD_LOG = path.join(LOGS, 'build.log');
const RUN_ID = randomBytes(4).toString('hex');
const TAG = `localhost/parley-test:${RUN_ID}`;
const CONTAINER = `parley-test-${RUN_ID}`;

/** Uncompressed size ceiling: 762 MB measured on 2026-11-30 (base 283 MB), plus ~10 % for growth. */
const MAX_IMAGE_BYTES = 840_000_000;

interface ImageInspect {
  Size: number;
  Config: {
    User?: string;
    Env?: string[];
    ExposedPorts?: Record<string, unknown>;
    Volumes?: Record<string, unknown>;
    Entrypoint?: string[];
    Cmd?: string[];
  };
  Healthcheck?: { Test?: string[] };
}

interface OciManifest {
  layers: { size: number }[];
}

let built = false;
let database: OwnDatabase | undefined;

async function inspectImage(): Promise<ImageInspect> {
  const { stdout } = await podman(['image', 'inspect', TAG], { check: true });
  return (JSON.parse(stdout) as ImageInspect[])[0]!;
}

/** How the deployment runs it (deploy/k8s/deployment.yaml's securityContext and volumes). */
async function hardened(): Promise<string[]> {
  return [
    ...(await containerUlimits()),
    '--network', 'host',
    '--read-only', '--read-only-tmpfs=false',
    '--tmpfs', '/tmp',
    // U: owned by the container's user, as an emptyDir is writable through fsGroup.
    '--tmpfs', '/app/.next/cache:U',
    '--cap-drop', 'ALL',
    '--security-opt', 'no-new-privileges',
    // No systemd here to schedule checks; the test runs the image's health check itself.
    '--health-interval', 'disable',
  ];
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

/** gzip-compressed layer sizes, as a registry would store them (pushed to an OCI layout on disk). */
async function compressedLayers(): Promise<number[]> {
  const dir = path.join(CONTAINER_CACHE, `oci-${RUN_ID}`);
  try {
    await podman(['push', '--quiet', '--compression-format', 'gzip', TAG, `oci:${dir}:size`], { check: true });
    const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const digest = index.manifests[0]!.digest.replace('sha256:', '');
    const manifest = JSON.parse(await readFile(path.join(dir, 'blobs/sha256', digest), 'utf8')) as OciManifest;
    return manifest.layers.map((layer) => layer.size);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function get(port: number, route: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${route}`, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
  await response.arrayBuffer();
  return response.status;
}

async function logs(): Promise<string> {
  const { stdout, stderr } = await podman(['logs', CONTAINER]);
  return stdout + stderr;
}

async function running(): Promise<boolean> {
  const { stdout } = await podman(['inspect', '--format', '{{.State.Running}}', CONTAINER]);
  return stdout.trim() === 'true';
}

/** Polls until `route` answers 200; fails at once, with the container's output, if it stops. */
async function until200(port: number, route: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const status = await get(port, route);
      if (status === 200) return;
      last = `HTTP ${status}`;
    } catch (error) {
      last = String(error);
    }
    if (!(await running())) throw new Error(`the container stopped before ${route} answered 200:\n${await logs()}`);
    if (Date.now() > deadline) throw new Error(`${route} did not answer 200 within ${timeoutMs} ms (${last}):\n${await logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the container image (deploy/Dockerfile)', () => {
  beforeAll(async () => {
    await mkdir(LOGS, { recursive: true });
    await rm(BUILD_LOG, { force: true });
    // An empty database of this run's own: the container applies the migrations itself at start-up.
    database = await createEmptyDatabase(inject('databaseUrl'), 'ctr');
  }, 60_000);

  afterAll(async () => {
    // Also when podman itself is missing (the first test then failed saying so).
    await podman(['rm', '--force', '--volumes', CONTAINER]).catch(() => undefined);
    if (built) await podman(['rmi', '--force', TAG]);
    await database?.drop();
  }, 120_000);

  it('builds with buildah on a Node 24 base: non-root, health check, /data volume, small', async () => {
    requireContainerTools(); // a failed test, not a skip: CI installs them
    const started = Date.now();
    const base = await ensureNodeBaseImage(LOGS);
    const baseSeconds = (Date.now() - started) / 1000;
    const buildStarted = Date.now();
    await buildah(
      [
        'bud', '--isolation', 'chroot', '--format', 'docker', '--pull=never',
        '--build-arg', `NODE_IMAGE=${base.ref}`,
        '-f', 'deploy/Dockerfile', '-t', TAG, '.',
      ],
      { cwd: REPO, check: true, logFile: BUILD_LOG },
    );
    built = true;
    const buildSeconds = (Date.now() - buildStarted) / 1000;

    const image = await inspectImage();
    expect(image.Config.User).toBe('node');
    expect(image.Config.ExposedPorts).toHaveProperty(['3000/tcp']);
    expect(image.Config.Volumes).toHaveProperty(['/data']);
    expect(image.Config.Env).toContain('NODE_ENV=production');
    expect(image.Healthcheck?.Test?.[0]).toBe('CMD');
    const version = await podman(['run', '--rm', ...(await hardened()), '--entrypoint', 'node', TAG, '--version'], { check: true });
    expect(version.stdout.trim()).toBe(`v${BASE_NODE_VERSION}`);

    // Figures for deploy/README.md: the first layer is the base, the second the application.
    const layers = await compressedLayers();
    const baseImage = JSON.parse((await podman(['image', 'inspect', base.ref], { check: true })).stdout) as ImageInspect[];
    console.log(
      `container: base ${base.assembled ? 'assembled' : 'cached'} in ${baseSeconds.toFixed(0)} s, image built in ${buildSeconds.toFixed(0)} s; ` +
        `size ${mb(image.Size)} uncompressed (base ${mb(baseImage[0]!.Size)}), ` +
        `${mb(layers.reduce((a, b) => a + b, 0))} gzip-compressed (layers: ${layers.map(mb).join(' + ')})`,
    );
    expect(image.Size).toBeLessThan(MAX_IMAGE_BYTES);
  }, 40 * 60_000);

  it('refuses to start without DATABASE_URL, saying why', async () => {
    expect(built, 'the image was not built').toBe(true);
    const result = await podman(['run', '--rm', ...(await hardened()), '-e', `AUTH_SECRET=${randomBytes(32).toString('base64url')}`, TAG]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('parley: DATABASE_URL is required in a container');
  }, 60_000);

  it('serves on a read-only root as uid 1000; its health check passes', async () => {
    expect(built, 'the image was not built').toBe(true);
    const port = await freePort();
    await podman(
      [
        'run', '--detach', '--name', CONTAINER, ...(await hardened()),
        '-e', `DATABASE_URL=${database!.url}`,
        '-e', `AUTH_SECRET=${randomBytes(32).toString('base64url')}`,
        '-e', `PORT=${port}`,
        TAG,
      ],
      { check: true },
    );
    await until200(port, '/api/health', 120_000);
    await until200(port, '/api/ready', 30_000);
    expect(await get(port, '/login')).toBe(200);

    // The image's USER, not a run option, makes it unprivileged; `exec` made node PID 1 (signals reach it).
    const pid = (await podman(['inspect', '--format', '{{.State.Pid}}', CONTAINER], { check: true })).stdout.trim();
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    expect(status).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m);
    expect(status).toMatch(/^Gid:\s+1000\s+1000\s+1000\s+1000$/m);
    expect((await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean)).toEqual(['node', '--import', 'tsx', 'server.ts']);

    // The HEALTHCHECK from the image's config, as podman runs it; and the same command fails on a closed port.
    expect((await podman(['healthcheck', 'run', CONTAINER])).code).toBe(0);
    const test = (await inspectImage()).Healthcheck!.Test!.slice(1);
    expect((await podman(['exec', CONTAINER, ...test])).code).toBe(0);
    expect((await podman(['exec', '-e', 'PORT=1', CONTAINER, ...test])).code).not.toBe(0);

    // Writes outside the declared mounts fail; the app needed none (no error logged: file storage's probe
    // wrote to the /data volume, tsx's cache to /tmp).
    for (const file of ['/app/probe', '/home/node/probe', '/usr/local/probe']) {
      const write = await podman(['exec', CONTAINER, 'sh', '-c', `: > ${file}`]);
      expect(write.code, file).not.toBe(0);
      expect(write.stderr, file).toContain('Read-only file system');
    }
    const output = await logs();
    expect(output).toContain('"msg":"Parley is ready"');
    const errors = output.split('\n').filter((line) => /"level":(50|60)/.test(line));
    expect(errors).toEqual([]);
  }, 180_000);

  it('exits 0 within 10 s of SIGTERM', async () => {
    expect(await running(), 'the container is not running').toBe(true);
    const started = Date.now();
    await podman(['kill', '--signal', 'TERM', CONTAINER], { check: true });
    const waited = await Promise.race([
      podman(['wait', CONTAINER], { check: true }).then(({ stdout }) => stdout.trim()),
      new Promise<string>((resolve) => setTimeout(() => resolve('still running after 15 s'), 15_000)),
    ]);
    const seconds = (Date.now() - started) / 1000;
    expect(waited).toBe('0');
    expect(seconds).toBeLessThan(10);
    expect(await logs()).toContain('"msg":"shutdown complete"');
  }, 60_000);
});
