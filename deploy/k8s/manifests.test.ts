/**
 * deploy/k8s/*.yaml, checked without a cluster:
 *
 * 1. Every object against the Kubernetes 1.36 OpenAPI schema of its apiVersion/kind, with the validators that
 *    kubernetes-models compiles from that schema (types, required fields, enums, formats such as quantities).
 *    The schema itself lets unknown fields through (as the API server does unless asked for strict field
 *    validation), so this file also refuses every field the schema does not describe: a misspelt
 *    `readOnlyRootFileSystem` would otherwise pass, and be silently dropped by the cluster.
 * 2. What the manifests promise each other and deploy/README.md: probes on the app's real routes, selectors and
 *    ports that line up, the PodDisruptionBudget, sticky sessions, body limits for the upload routes, resources,
 *    the security context, writable volumes where the app writes, and the settings through Parley's own
 *    validation (lib/env.ts).
 *
 * Every check reports into one list, so the manifests as committed must give an empty list, and the "caught"
 * table below breaks each promise on a copy and expects its complaint: none of these checks can pass vacuously.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { validate as validateDeployment } from 'kubernetes-models/_schemas/IoK8sApiAppsV1Deployment';
import { validate as validateConfigMap } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap';
import { validate as validateSecret } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Secret';
import { validate as validateService } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Service';
import { validate as validateIngress } from 'kubernetes-models/_schemas/IoK8sApiNetworkingV1Ingress';
import { validate as validatePodDisruptionBudget } from 'kubernetes-models/_schemas/IoK8sApiPolicyV1PodDisruptionBudget';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { EnvError, envSchema, parseEnv, type Env } from '@/lib/env';
import { AVATAR_MAX_BYTES } from '@/lib/schemas/account';

const ROOT = path.resolve(import.meta.dirname, '../..');
const K8S_DIR = path.join(ROOT, 'deploy/k8s');

/** The bench run that the Deployment's memory request is sized from (its comment cites it). */
const BENCH_MEMORY_FILE = 'bench/results/2026-11-30T05-48-54Z.md';

// ---------------------------------------------------------------------------------------------------------------
// Loading

interface Manifest {
  /** `deployment.yaml#1`: file and document index, for messages. */
  where: string;
  object: unknown;
}

function loadManifests(): { manifests: Manifest[]; problems: string[] } {
  const manifests: Manifest[] = [];
  const problems: string[] = [];
  const files = readdirSync(K8S_DIR).filter((name) => /\.ya?ml$/.test(name)).sort();
  for (const file of files) {
    // YAML 1.1, as the API machinery's parser reads it (`yes`, `on` unquoted are booleans there).
    const documents = parseAllDocuments(readFileSync(path.join(K8S_DIR, file), 'utf8'), { version: '1.1' });
    if (!Array.isArray(documents)) {
      problems.push(`${file}: not a YAML stream`);
      continue;
    }
    documents.forEach((document, index) => {
      for (const issue of [...document.errors, ...document.warnings]) problems.push(`${file}#${index}: YAML: ${issue.message}`);
      if (document.contents === null) return; // an empty document (e.g. after a trailing ---): kubectl skips it too
      const object: unknown = document.toJS();
      manifests.push({ where: `${file}#${index}`, object });
    });
  }
  return { manifests, problems };
}

// ---------------------------------------------------------------------------------------------------------------
// Schema validation, strict

interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}
/** kubernetes-models' precompiled validators are Ajv functions: errors are left on the function itself. */
type SchemaValidator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

/**
 * The kinds these manifests may use: GA APIs that Kubernetes 1.36 serves. kubernetes-models also carries APIs
 * that Kubernetes removed long ago (extensions/v1beta1 Ingress, policy/v1beta1 PodDisruptionBudget…), so this
 * table, not the package, decides what is accepted. A new kind is added here with its schema.
 */
const SCHEMAS: Record<string, SchemaValidator> = {
  'v1/ConfigMap': validateConfigMap,
  'v1/Secret': validateSecret,
  'v1/Service': validateService,
  'apps/v1/Deployment': validateDeployment,
  'policy/v1/PodDisruptionBudget': validatePodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': validateIngress,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeKey(object: unknown): string {
  return isRecord(object) ? `${String(object.apiVersion)}/${String(object.kind)}` : '(not a mapping)';
}

interface Reads {
  keys: Set<string>;
  /** The validator looked inside at all (a schema of type `object` with no properties does not). */
  touched: boolean;
  proxy: object;
}

/**
 * The value behind a proxy that records which properties the validator reads. A compiled schema reads each
 * property it describes (present or not) and walks every key of a map (`labels`); a key it never read is one
 * the schema does not know.
 */
function watched(value: unknown, reads: WeakMap<object, Reads>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const known = reads.get(value);
  if (known) return known.proxy;
  const entry: Reads = { keys: new Set(), touched: false, proxy: value };
  const note = (key: string | symbol) => {
    entry.touched = true;
    if (typeof key === 'string') entry.keys.add(key);
  };
  entry.proxy = new Proxy(value, {
    get(target, key, receiver) {
      const found: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return found;
      note(key);
      return watched(found, reads);
    },
    has(target, key) {
      note(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      entry.touched = true;
      return Reflect.ownKeys(target);
    },
  });
  reads.set(value, entry);
  return entry.proxy;
}

function unknownFields(value: unknown, reads: WeakMap<object, Reads>, at: string, out: string[]): void {
  if (typeof value !== 'object' || value === null) return;
  const entry = reads.get(value);
  if (!entry?.touched) return; // free-form content (none in these kinds), or not reached
  for (const [key, child] of Object.entries(value)) {
    const where = `${at}/${key}`;
    if (!entry.keys.has(key)) out.push(`${where}: unknown field "${key}"`);
    else unknownFields(child, reads, where, out);
  }
}

/** Problems with one object against the schema of its kind; [] when it is valid and has no unknown field. */
function schemaProblems(object: unknown): string[] {
  const key = typeKey(object);
  const validate = SCHEMAS[key];
  if (!validate) return [`unknown kind ${key} (not a GA Kubernetes 1.36 API this test knows: see SCHEMAS)`];
  const reads = new WeakMap<object, Reads>();
  if (!validate(watched(object, reads))) {
    // Ajv stops at the first failing branch, so unread keys mean nothing yet: report the schema errors alone.
    return (validate.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.keyword} ${JSON.stringify(error.params)}`);
  }
  const unknown: string[] = [];
  unknownFields(object, reads, '', unknown);
  return unknown;
}

// ---------------------------------------------------------------------------------------------------------------
// Units

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes quantity ("384Mi", "250m", "1") as a number (bytes, or cores). NaN when unreadable. */
function quantity(value: string | number | undefined): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)([KMGT]i|[mkMGT]?)$/.exec(value ?? '');
  if (!match) return Number.NaN;
  const [, amount = '', unit = ''] = match;
  return Number(amount) * (BINARY[unit] ?? DECIMAL[unit] ?? Number.NaN);
}

/** An nginx size ("1m", "512k", "26m", "1g", bytes) in bytes. NaN when unreadable. */
function nginxSize(value: string | undefined): number {
  const match = /^(\d+)([kKmMgG]?)$/.exec(value ?? '');
  if (!match) return Number.NaN;
  const [, amount = '', unit = ''] = match;
  return Number(amount) * ({ '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[unit.toLowerCase()] ?? Number.NaN);
}

// ---------------------------------------------------------------------------------------------------------------
// Cross-checks

type PodSpec = NonNullable<NonNullable<IDeployment['spec']>['template']['spec']>;
type Container = PodSpec['containers'][number];

/** ingress-nginx's annotation prefix. */
const NGINX = 'nginx.ingress.kubernetes.io/';
/** The byte-stream routes (lib/files/http.ts, app/api/account/avatar) and a JSON route, for the body limits. */
const UPLOAD_PATH_SAMPLE = '/api/rooms/0d5e1a9c-5b1e-4a53-9c59-6a6b4d3c2e10/uploads';
const AVATAR_PATH_SAMPLE = '/api/account/avatar';
const JSON_PATH_SAMPLE = '/api/rooms/0d5e1a9c-5b1e-4a53-9c59-6a6b4d3c2e10/members';
/** The ceiling for every other route (JSON, form posts): what the main Ingress allows. */
const SMALL_BODY_LIMIT = 2 ** 20;

const STRONG_SECRET = 'k8s-manifest-test-secret-0123456789abcdefghij';
const SAMPLE_DATABASE_URL = 'postgresql://parley:pw@postgres.example.internal:5432/parley';

function objectsOf<T>(objects: unknown[], apiVersion: string, kind: string): T[] {
  // Only after schemaProblems() accepted them do these casts describe the data; cross-checks still read defensively.
  return objects.filter((object) => typeKey(object) === `${apiVersion}/${kind}`) as T[];
}

function subset(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

function preStopSeconds(container: Container): number | undefined {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  return command.length === 2 && command[0] === 'sleep' ? Number(command[1]) : undefined;
}

/**
 * The Ingress path ingress-nginx sends `url` to. With `use-regex` on any Ingress of the host, every path of the
 * host is a case-insensitive regular expression anchored at the start, and the longest matching one wins;
 * without it, paths are plain prefixes (per path segment) or exact paths.
 */
function routeFor(ingresses: IIngress[], host: string, url: string): { ingress: IIngress; path: string } | undefined {
  const rules = ingresses.flatMap((ingress) => (ingress.spec?.rules ?? []).filter((rule) => rule.host === host).map((rule) => ({ ingress, rule })));
  const regex = rules.some(({ ingress }) => ingress.metadata?.annotations?.[`${NGINX}use-regex`] === 'true');
  const matches = (pattern: string, type: string) => {
    if (regex) return new RegExp(`^${pattern}`, 'i').test(url);
    if (type === 'Exact') return url === pattern;
    return pattern === '/' || url === pattern || url.startsWith(pattern.endsWith('/') ? pattern : `${pattern}/`);
  };
  return rules
    .flatMap(({ ingress, rule }) => (rule.http?.paths ?? []).map((entry) => ({ ingress, path: entry.path ?? '/', type: entry.pathType })))
    .filter((candidate) => matches(candidate.path, candidate.type))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

/** Every promise the manifests make to each other, to the app and to deploy/README.md. */
function crossCheckProblems(objects: unknown[], text: (file: string) => string): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);
  const one = <T>(apiVersion: string, kind: string): T | undefined => {
    const found = objectsOf<T>(objects, apiVersion, kind);
    if (found.length !== 1) fail(`expected exactly one ${kind}, found ${found.length}`);
    return found[0];
  };
  const deployment = one<IDeployment>('apps/v1', 'Deployment');
  const pdb = one<IPodDisruptionBudget>('policy/v1', 'PodDisruptionBudget');
  const service = one<IService>('v1', 'Service');
  const configMap = one<IConfigMap>('v1', 'ConfigMap');
  const secret = one<ISecret>('v1', 'Secret');
  const ingresses = objectsOf<IIngress>(objects, 'networking.k8s.io/v1', 'Ingress');
  if (ingresses.length === 0) fail('no Ingress');
  const pod = deployment?.spec?.template.spec;
  const containers = pod?.containers ?? [];
  if (containers.length !== 1) fail(`the pod has ${containers.length} containers, expected 1`);
  const container = containers[0];
  if (!deployment || !pdb || !service || !configMap || !secret || !pod || !container) return problems;

  // --- Deployment: replicas, rollout, selector ---
  const replicas = deployment.spec?.replicas ?? 1;
  const podLabels = deployment.spec?.template.metadata?.labels ?? {};
  if (replicas < 2) fail(`Deployment replicas ${replicas}: at least 2 (one may be drained or restarting)`);
  if (!subset(deployment.spec?.selector.matchLabels, podLabels)) fail('Deployment selector does not match its pod labels');
  const rolling = deployment.spec?.strategy?.rollingUpdate;
  if (deployment.spec?.strategy?.type !== 'RollingUpdate' || rolling?.maxUnavailable !== 0 || rolling.maxSurge === 0) {
    fail('Deployment strategy: RollingUpdate with maxUnavailable 0 and a surge (README: the new pod is ready first)');
  }

  // --- PodDisruptionBudget ---
  if (!subset(pdb.spec?.selector?.matchLabels, podLabels) || pdb.spec?.selector?.matchExpressions?.length) {
    fail('PodDisruptionBudget selector does not match the Deployment pod labels');
  }
  const minAvailable = pdb.spec?.minAvailable;
  const maxUnavailable = pdb.spec?.maxUnavailable;
  if ((minAvailable === undefined) === (maxUnavailable === undefined)) fail('PodDisruptionBudget: set exactly one of minAvailable, maxUnavailable');
  if (typeof minAvailable === 'number' && (minAvailable < 1 || minAvailable >= replicas)) {
    fail(`PodDisruptionBudget minAvailable ${minAvailable}: at least 1 and below replicas (${replicas}), or no drain can proceed`);
  }
  if (typeof maxUnavailable === 'number' && (maxUnavailable < 1 || maxUnavailable >= replicas)) {
    fail(`PodDisruptionBudget maxUnavailable ${maxUnavailable}: at least 1 and below replicas (${replicas})`);
  }

  // --- Container ports, probes ---
  const portNames = new Set((container.ports ?? []).map((port) => port.name).filter((name) => name !== undefined));
  const probe = (name: 'readinessProbe' | 'livenessProbe' | 'startupProbe', route: string) => {
    const httpGet = container[name]?.httpGet;
    if (httpGet?.path !== route) fail(`${name} must GET ${route} (found ${httpGet?.path ?? 'none'})`);
    if (typeof httpGet?.port !== 'string' || !portNames.has(httpGet.port)) fail(`${name} port must be a named container port`);
    if (!existsSync(path.join(ROOT, 'app', route, 'route.ts'))) fail(`${name}: the app has no route ${route} (app${route}/route.ts)`);
  };
  probe('readinessProbe', '/api/ready');
  probe('livenessProbe', '/api/health');
  probe('startupProbe', '/api/health');

  // --- Shutdown: preStop sleep, then server.ts's own ≤ 8 s, within the grace period ---
  const sleep = preStopSeconds(container);
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  if (sleep === undefined || !Number.isFinite(sleep)) fail('preStop: sleep N (exec ["sleep", "N"] or sleep.seconds) expected');
  else if (grace < sleep + 10) fail(`terminationGracePeriodSeconds ${grace} < preStop sleep ${sleep} + 10 s for server.ts to close`);

  // --- Resources ---
  const requests = container.resources?.requests ?? {};
  const limits = container.resources?.limits ?? {};
  if (requests.cpu === undefined || requests.memory === undefined) fail('resources.requests: cpu and memory are required');
  if (limits.memory === undefined) fail('resources.limits.memory is required');
  if (limits.cpu !== undefined) fail('no CPU limit: throttling the event loop stalls every socket on the pod');
  if (quantity(limits.memory) < quantity(requests.memory)) fail('memory limit below the memory request');
  const deploymentText = text('deploy/k8s/deployment.yaml');
  if (!deploymentText.includes(BENCH_MEMORY_FILE)) fail(`deployment.yaml no longer cites ${BENCH_MEMORY_FILE} for its memory figures`);
  const benchRow = /\| Parley \(server\.ts[^|]*\|(?:[^|]*\|){3}\s*([\d.]+) → ([\d.]+)/.exec(text(BENCH_MEMORY_FILE));
  if (!benchRow?.[2]) fail(`${BENCH_MEMORY_FILE}: no "server RSS idle → peak" figure for Parley`);
  else if (quantity(requests.memory) < Number(benchRow[2]) * 1e6) {
    fail(`memory request ${String(requests.memory)} is below the bench's RSS peak, ${benchRow[2]} MB (${BENCH_MEMORY_FILE})`);
  }

  // --- Security: non-root (the image's `node` user, uid 1000), read-only root, nothing extra ---
  const podSecurity = pod.securityContext;
  const security = container.securityContext;
  if (podSecurity?.runAsNonRoot !== true && security?.runAsNonRoot !== true) fail('runAsNonRoot: true is required');
  const uid = security?.runAsUser ?? podSecurity?.runAsUser;
  if (uid !== 1000) fail(`runAsUser ${String(uid)}: the image runs as its "node" user, uid 1000`);
  if (security?.readOnlyRootFilesystem !== true) fail('readOnlyRootFilesystem: true is required');
  if (security?.allowPrivilegeEscalation !== false) fail('allowPrivilegeEscalation: false is required');
  if (!security?.capabilities?.drop?.includes('ALL')) fail('capabilities: drop ALL is required');
  const seccomp = security?.seccompProfile?.type ?? podSecurity?.seccompProfile?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') fail(`seccompProfile ${String(seccomp)}: RuntimeDefault (Pod Security "restricted")`);
  const dockerfile = text('deploy/Dockerfile');
  const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  if (!/^USER node$/m.test(runtimeStage)) fail('deploy/Dockerfile runtime stage no longer runs as USER node (uid 1000)');
  const workdir = /^WORKDIR (\S+)$/m.exec(runtimeStage)?.[1];
  if (workdir !== '/app') fail(`deploy/Dockerfile runtime WORKDIR ${String(workdir)}: the volume mounts assume /app`);
  const image = container.image ?? '';
  if (!/@sha256:[0-9a-f]{64}$/.test(image) && !/:[\w][\w.-]*$/.test(image.split('/').pop() ?? '')) fail(`image ${image}: pin a tag or digest`);
  if (/:latest$/.test(image)) fail('image tag "latest": pin a version');

  // --- Settings: envFrom names, every key a Parley setting, then Parley's own validation ---
  const envFrom = container.envFrom ?? [];
  if (!envFrom.some((source) => source.configMapRef?.name === configMap.metadata?.name)) fail('envFrom does not load the ConfigMap');
  if (!envFrom.some((source) => source.secretRef?.name === secret.metadata?.name)) fail('envFrom does not load the Secret');
  const known = new Set(Object.keys(envSchema.shape));
  const inline = Object.fromEntries((container.env ?? []).map((variable) => [variable.name, variable.value]));
  const secretValues = { ...secret.stringData };
  for (const [source, names] of [
    ['ConfigMap', Object.keys(configMap.data ?? {})],
    ['Deployment env', Object.keys(inline)],
    ['Secret', Object.keys(secretValues)],
  ] as const) {
    for (const name of names) if (!known.has(name)) fail(`${source}: ${name} is not a Parley setting (lib/env.ts), so it is silently ignored`);
  }
  // Kubernetes: later envFrom sources override earlier ones, `env` overrides both. A real Secret, then the example's.
  const settings = { ...configMap.data, ...secretValues, AUTH_SECRET: STRONG_SECRET, DATABASE_URL: SAMPLE_DATABASE_URL, METRICS_TOKEN: STRONG_SECRET, ...inline };
  let env: Env | undefined;
  try {
    env = parseEnv(settings);
  } catch (error) {
    fail(`the ConfigMap + Deployment settings fail Parley's validation: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    parseEnv({ ...configMap.data, ...secretValues, ...inline });
    fail('secret.example.yaml placeholders are accepted: Parley must refuse to start with them (README)');
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
  }
  if (env) {
    if (env.NODE_ENV !== 'production') fail('NODE_ENV must be production');
    if (!env.TRUST_PROXY) fail('TRUST_PROXY must be true behind the ingress');
    if (env.REALTIME_ADAPTER === 'memory') fail('REALTIME_ADAPTER must be postgres or redis with several replicas');
    if (env.STORAGE_DRIVER !== 's3') fail(`STORAGE_DRIVER ${env.STORAGE_DRIVER}: with ${replicas} replicas every pod must see every file (s3)`);
    const http = (container.ports ?? []).find((port) => port.name === 'http');
    if (http?.containerPort !== env.PORT) fail(`container port "http" (${String(http?.containerPort)}) is not PORT (${env.PORT})`);

    // --- Writable paths on a read-only root: Next's cache, the temp directory (tsx's cache), and where uploads
    // are received: the temp directory with s3, DATA_DIR otherwise (lib/files/upload.ts, uploadTempDir) ---
    const volumes = new Map((pod.volumes ?? []).map((volume) => [volume.name, volume]));
    const mounts = container.volumeMounts ?? [];
    for (const mount of mounts) if (!volumes.has(mount.name)) fail(`volumeMount ${mount.name} has no volume`);
    for (const name of volumes.keys()) if (!mounts.some((mount) => mount.name === name)) fail(`volume ${name} is not mounted`);
    const dataDir = path.posix.resolve(workdir ?? '/app', env.DATA_DIR);
    for (const writable of ['/app/.next/cache', '/tmp', ...(env.STORAGE_DRIVER === 's3' ? [] : [dataDir])]) {
      const mount = mounts.find((entry) => writable === entry.mountPath || writable.startsWith(`${entry.mountPath}/`));
      if (!mount || mount.readOnly || !volumes.get(mount.name)?.emptyDir) fail(`${writable} must be on a writable emptyDir mount (the root filesystem is read-only)`);
    }

    // --- Ingress: backends, sticky sessions, timeouts, body limits ---
    const servicePorts = service.spec?.ports ?? [];
    for (const ingress of ingresses) {
      const name = ingress.metadata?.name ?? '?';
      if (ingress.spec?.ingressClassName !== 'nginx') fail(`Ingress ${name}: ingressClassName nginx (the annotations are ingress-nginx's)`);
      for (const entry of (ingress.spec?.rules ?? []).flatMap((rule) => rule.http?.paths ?? [])) {
        const backend = entry.backend.service;
        if (backend?.name !== service.metadata?.name) fail(`Ingress ${name} ${entry.path ?? ''}: backend is not the Service`);
        if (!servicePorts.some((port) => (backend?.port?.name !== undefined ? port.name === backend.port.name : port.port === backend?.port?.number))) {
          fail(`Ingress ${name} ${entry.path ?? ''}: backend port is not a Service port`);
        }
      }
    }
    const host = ingresses[0]?.spec?.rules?.[0]?.host ?? '';
    const main = routeFor(ingresses, host, '/')?.ingress;
    const notes = main?.metadata?.annotations ?? {};
    const sticky: Record<string, string> = {
      affinity: 'cookie',
      'affinity-mode': 'persistent',
      'session-cookie-path': '/',
      'session-cookie-secure': 'true',
      'session-cookie-samesite': 'Lax',
    };
    for (const [key, value] of Object.entries(sticky)) {
      if (notes[NGINX + key] !== value) fail(`Ingress ${main?.metadata?.name ?? '?'}: ${NGINX}${key} must be "${value}" (sticky sessions for Socket.IO long-polling)`);
    }
    if (!notes[`${NGINX}session-cookie-name`]) fail('Ingress: session-cookie-name is required');
    for (const key of ['proxy-read-timeout', 'proxy-send-timeout']) {
      if (!(Number(notes[NGINX + key]) >= 3600)) fail(`Ingress: ${NGINX}${key} must be at least 3600 s (long-polling and WebSockets)`);
    }
    const bodyLimit = (url: string) => {
      const route = routeFor(ingresses, host, url);
      const annotations = route?.ingress.metadata?.annotations ?? {};
      return { route, limit: nginxSize(annotations[`${NGINX}proxy-body-size`] ?? '1m'), buffering: annotations[`${NGINX}proxy-request-buffering`] ?? 'on' };
    };
    for (const [url, needed] of [[UPLOAD_PATH_SAMPLE, env.UPLOAD_MAX_BYTES], [AVATAR_PATH_SAMPLE, AVATAR_MAX_BYTES]] as const) {
      const { route, limit, buffering } = bodyLimit(url);
      if (!route) fail(`Ingress: nothing routes ${url}`);
      else if (!(limit >= needed)) fail(`Ingress ${route.ingress.metadata?.name ?? '?'} ${route.path}: proxy-body-size ${limit} B < ${needed} B that ${url} accepts`);
      if (buffering !== 'off') fail(`Ingress: proxy-request-buffering must be off for ${url} (stream the bytes to the pod)`);
    }
    if (!existsSync(path.join(ROOT, 'app', AVATAR_PATH_SAMPLE, 'route.ts'))) fail(`the app has no route ${AVATAR_PATH_SAMPLE}: update the samples`);
    const json = bodyLimit(JSON_PATH_SAMPLE);
    if (!(json.limit <= SMALL_BODY_LIMIT)) fail(`Ingress: ${JSON_PATH_SAMPLE} allows ${json.limit} B bodies; keep other routes at 1m or less`);
  }

  // --- Service ---
  if (!subset(service.spec?.selector, podLabels)) fail('Service selector does not match the Deployment pod labels');
  for (const port of service.spec?.ports ?? []) {
    if (typeof port.targetPort !== 'string' || !portNames.has(port.targetPort)) fail(`Service port ${port.port}: targetPort must name a container port`);
  }

  // --- README: the apply command applies every manifest but the secret example ---
  const apply = text('deploy/README.md').split('\n').filter((line) => line.startsWith('kubectl apply')).join(' ');
  for (const file of readdirSync(K8S_DIR).filter((name) => /\.ya?ml$/.test(name))) {
    if (file === 'secret.example.yaml' ? apply.includes(file) : !apply.includes(`deploy/k8s/${file}`)) {
      fail(`deploy/README.md's kubectl apply line ${file === 'secret.example.yaml' ? 'must not apply' : 'does not apply'} ${file}`);
    }
  }
  return problems;
}

function allProblems(manifests: Manifest[], text: (file: string) => string): string[] {
  const schema = manifests.flatMap(({ where, object }) => schemaProblems(object).map((problem) => `${where} ${typeKey(object)}: ${problem}`));
  // Cross-checks read the objects through their Kubernetes types: only once the schema accepted them all.
  return schema.length > 0 ? schema : crossCheckProblems(manifests.map((manifest) => manifest.object), text);
}

const readText = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

// ---------------------------------------------------------------------------------------------------------------

describe('deploy/k8s manifests', () => {
  const loaded = loadManifests();

  it('parse as YAML, and hold the objects the README describes', () => {
    expect(loaded.problems).toEqual([]);
    expect(loaded.manifests.map(({ object }) => typeKey(object)).sort()).toEqual([
      'apps/v1/Deployment',
      'networking.k8s.io/v1/Ingress',
      'networking.k8s.io/v1/Ingress',
      'policy/v1/PodDisruptionBudget',
      'v1/ConfigMap',
      'v1/Secret',
      'v1/Service',
    ]);
  });

  it('validate against the Kubernetes 1.36 schemas (strict) and keep every promise', () => {
    expect(allProblems(loaded.manifests, readText)).toEqual([]);
  });

  type Objects = Record<string, unknown>[];
  const find = <T>(objects: Objects, kind: string, name?: string): T => {
    const found = objects.find((object) => object.kind === kind && (name === undefined || (isRecord(object.metadata) && object.metadata.name === name)));
    if (!found) throw new Error(`no ${kind} ${name ?? ''} in the manifests`);
    return found as T;
  };
  const podOf = (objects: Objects): PodSpec => {
    const pod = find<IDeployment>(objects, 'Deployment').spec?.template.spec;
    if (!pod) throw new Error('no pod spec');
    return pod;
  };
  const containerOf = (objects: Objects): Container => {
    const container = podOf(objects).containers[0];
    if (!container) throw new Error('no container');
    return container;
  };
  const annotationsOf = (objects: Objects, name: string): Record<string, string> => {
    const metadata = find<IIngress>(objects, 'Ingress', name).metadata;
    if (!metadata?.annotations) throw new Error(`Ingress ${name} has no annotations`);
    return metadata.annotations;
  };
  const dataOf = (objects: Objects): Record<string, string> => {
    const data = find<IConfigMap>(objects, 'ConfigMap').data;
    if (!data) throw new Error('ConfigMap without data');
    return data;
  };

  // Each row breaks one promise on a copy of the manifests; the checks must name it.
  const caught: [string, (objects: Objects) => void, string][] = [
    ['an unknown field (misspelt)', (o) => Object.assign(containerOf(o), { imagePulPolicy: 'Always' }), 'unknown field "imagePulPolicy"'],
    ['an unknown nested field', (o) => Object.assign(containerOf(o).securityContext ?? {}, { readOnlyRootFileSystem: true }), 'unknown field "readOnlyRootFileSystem"'],
    ['a wrong type', (o) => Object.assign(find<IDeployment>(o, 'Deployment').spec ?? {}, { replicas: '2' }), '/spec/replicas: type'],
    ['a value outside an enum', (o) => Object.assign(find<IService>(o, 'Service').spec ?? {}, { type: 'Public' }), '/spec/type: enum'],
    ['a malformed quantity', (o) => Object.assign(containerOf(o).resources?.requests ?? {}, { memory: '384 MB' }), 'requests/memory: format {"format":"quantity"}'],
    ['a missing required field', (o) => delete (containerOf(o) as { name?: string }).name, 'required {"missingProperty":"name"}'],
    ['an unknown kind', (o) => Object.assign(find<IIngress>(o, 'Ingress', 'parley'), { apiVersion: 'extensions/v1beta1' }), 'unknown kind extensions/v1beta1/Ingress'],
    ['readiness on the health route', (o) => Object.assign(containerOf(o).readinessProbe?.httpGet ?? {}, { path: '/api/health' }), 'readinessProbe must GET /api/ready'],
    ['liveness on a route the app lacks', (o) => Object.assign(containerOf(o).livenessProbe?.httpGet ?? {}, { path: '/api/live' }), 'livenessProbe must GET /api/health'],
    ['a probe on a port number', (o) => Object.assign(containerOf(o).startupProbe?.httpGet ?? {}, { port: 3000 }), 'startupProbe port must be a named container port'],
    ['a PDB selecting other pods', (o) => Object.assign(find<IPodDisruptionBudget>(o, 'PodDisruptionBudget').spec?.selector ?? {}, { matchLabels: { app: 'other' } }), 'PodDisruptionBudget selector'],
    ['a PDB that blocks every drain', (o) => Object.assign(find<IPodDisruptionBudget>(o, 'PodDisruptionBudget').spec ?? {}, { minAvailable: 2 }), 'no drain can proceed'],
    ['a CPU limit', (o) => Object.assign(containerOf(o).resources?.limits ?? {}, { cpu: '1' }), 'no CPU limit'],
    ['no memory limit', (o) => delete containerOf(o).resources?.limits?.memory, 'resources.limits.memory is required'],
    ['no CPU request', (o) => delete containerOf(o).resources?.requests?.cpu, 'cpu and memory are required'],
    ['a memory request under the bench figure', (o) => Object.assign(containerOf(o).resources?.requests ?? {}, { memory: '256Mi' }), 'below the bench'],
    ['a Service selecting other pods', (o) => Object.assign(find<IService>(o, 'Service').spec ?? {}, { selector: { app: 'other' } }), 'Service selector'],
    ['a Service targetPort by number', (o) => Object.assign(find<IService>(o, 'Service').spec?.ports?.[0] ?? {}, { targetPort: 3000 }), 'targetPort must name a container port'],
    ['an Ingress backend to another Service', (o) => Object.assign(find<IIngress>(o, 'Ingress', 'parley').spec?.rules?.[0]?.http?.paths[0]?.backend.service ?? {}, { name: 'parley-old' }), 'backend is not the Service'],
    ['no cookie affinity', (o) => delete annotationsOf(o, 'parley')[`${NGINX}affinity`], 'affinity must be "cookie"'],
    ['short proxy timeouts', (o) => Object.assign(annotationsOf(o, 'parley'), { [`${NGINX}proxy-read-timeout`]: '60' }), 'proxy-read-timeout must be at least 3600'],
    ['uploads held to 1m', (o) => Object.assign(annotationsOf(o, 'parley-uploads'), { [`${NGINX}proxy-body-size`]: '1m' }), 'proxy-body-size 1048576 B < 26214400 B'],
    ['upload patterns read as plain paths', (o) => delete annotationsOf(o, 'parley-uploads')[`${NGINX}use-regex`], 'Ingress parley /: proxy-body-size 1048576 B < 26214400 B'],
    ['uploads buffered by the controller', (o) => delete annotationsOf(o, 'parley-uploads')[`${NGINX}proxy-request-buffering`], 'proxy-request-buffering must be off'],
    ['large bodies on every route', (o) => Object.assign(annotationsOf(o, 'parley'), { [`${NGINX}proxy-body-size`]: '26m' }), 'keep other routes at 1m or less'],
    ['a writable root filesystem', (o) => Object.assign(containerOf(o).securityContext ?? {}, { readOnlyRootFilesystem: false }), 'readOnlyRootFilesystem: true'],
    ['no runAsNonRoot', (o) => delete podOf(o).securityContext?.runAsNonRoot, 'runAsNonRoot: true'],
    ['no seccomp profile', (o) => delete podOf(o).securityContext?.seccompProfile, 'seccompProfile undefined'],
    ['root', (o) => Object.assign(podOf(o).securityContext ?? {}, { runAsUser: 0 }), 'runAsUser 0'],
    ['/tmp not mounted', (o) => Object.assign(containerOf(o), { volumeMounts: containerOf(o).volumeMounts?.filter((m) => m.mountPath !== '/tmp') }), '/tmp must be on a writable emptyDir'],
    ['local storage on the read-only root', (o) => Object.assign(dataOf(o), { STORAGE_DRIVER: 'local' }), '/app/.data must be on a writable emptyDir'],
    ['a grace period shorter than preStop + shutdown', (o) => Object.assign(podOf(o), { terminationGracePeriodSeconds: 15 }), 'terminationGracePeriodSeconds 15'],
    ['a setting Parley does not know', (o) => Object.assign(dataOf(o), { RATE_LIMIT_LOGIN_PER_USER: '10' }), 'RATE_LIMIT_LOGIN_PER_USER is not a Parley setting'],
    ['a setting Parley refuses', (o) => Object.assign(dataOf(o), { RATE_LIMIT_MESSAGES_PER_SECOND: 'five' }), "fail Parley's validation"],
    ['per-pod file storage', (o) => Object.assign(dataOf(o), { STORAGE_DRIVER: 'local' }), 'STORAGE_DRIVER local'],
    ['a usable example secret', (o) => Object.assign(find<ISecret>(o, 'Secret').stringData ?? {}, { AUTH_SECRET: STRONG_SECRET, METRICS_TOKEN: STRONG_SECRET }), 'placeholders are accepted'],
    ['envFrom of a missing ConfigMap', (o) => Object.assign(find<IConfigMap>(o, 'ConfigMap').metadata ?? {}, { name: 'parley-settings' }), 'envFrom does not load the ConfigMap'],
    ['an unpinned image', (o) => Object.assign(containerOf(o), { image: 'registry.example.com/parley:latest' }), 'image tag "latest"'],
    ['one replica', (o) => Object.assign(find<IDeployment>(o, 'Deployment').spec ?? {}, { replicas: 1 }), 'Deployment replicas 1'],
  ];

  it.each(caught)('catch %s', (_name, mutate, expected) => {
    const objects = loaded.manifests.map(({ object }) => structuredClone(object)) as Objects;
    mutate(objects);
    const broken = objects.map((object, index) => ({ where: loaded.manifests[index]?.where ?? '?', object }));
    expect(allProblems(broken, readText).join('\n')).toContain(expected);
  });

  it('catch a README that no longer applies a manifest, or the bench file going away', () => {
    const objects = loaded.manifests.map(({ object }) => object);
    const edited = (file: string) => (file === 'deploy/README.md' ? readText(file).replaceAll('-f deploy/k8s/service.yaml', '') : readText(file));
    expect(crossCheckProblems(objects, edited).join('\n')).toContain('does not apply service.yaml');
    const benchless = (file: string) => (file === BENCH_MEMORY_FILE ? '' : readText(file));
    expect(crossCheckProblems(objects, benchless).join('\n')).toContain('no "server RSS idle → peak" figure');
  });
});
