/**
 * A private coturn for tests: its own temp folder, config, ports and a generated static-auth-secret (coturn's
 * use-auth-secret, the scheme Parley's TURN credentials follow, lib/calls/ice.ts), in the foreground as the
 * current user, listening on 127.0.0.1 only. Debian's package: `apt-get install coturn` (its system service
 * is not needed, and not touched).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDaemon } from './daemon';
import { findTool } from './find-tool';
import { freePort } from './free-port';
import { stunBinding } from './turn-client';

/** coturn's binary, or undefined when it is not installed. */
export function findTurnserver(): string | undefined {
  return findTool('turnserver');
}

export const COTURN_MISSING_REASON = 'coturn is not installed (apt-get install coturn); CI installs it (.ci/run)';

/**
 * Lines that tie a coturn config to one machine (addresses, ports, certificate files, secret, logging). A
 * `baseConfig` loses them and gets the test's own; everything else in it (peer rules, quotas…) applies as is.
 */
const MACHINE_KEYS = new Set([
  'listening-ip',
  'relay-ip',
  'external-ip',
  'aux-server',
  'alt-listening-port',
  'alt-tls-listening-port',
  'listening-port',
  'tls-listening-port',
  'cert',
  'pkey',
  'static-auth-secret',
  'realm',
  'log-file',
  'syslog',
  'pidfile',
  'db',
  'userdb',
  'proc-user',
  'proc-group',
]);

export interface TestCoturn {
  host: '127.0.0.1';
  /** UDP and TCP (TLS too, when `tls`). */
  port: number;
  /** The dedicated TLS port, when `tls`. */
  tlsPort?: number;
  /** The self-signed certificate it serves, when `tls` (trust it in a TLS client). */
  certificate?: string;
  /** static-auth-secret: give it to Parley as TURN_SECRET. */
  secret: string;
  realm: string;
  /** `turn:` URLs for ICE_SERVERS (UDP and TCP). */
  urls: string[];
  pid: number;
  /** Everything coturn logged so far. */
  output(): string;
  stop(): Promise<void>;
}

export interface TestCoturnOptions {
  /**
   * A coturn config to start from, as text (e.g. deploy/coturn/turnserver.conf): its machine-specific lines are
   * replaced by the test's (127.0.0.1, free ports, generated secret and certificate, log to stdout).
   */
  baseConfig?: string;
  /**
   * Let peers on loopback be relayed to: two browsers on this machine relay to each other's 127.0.0.1 relay
   * addresses. Only for tests; a deployed coturn must refuse them (deploy/coturn/turnserver.conf).
   */
  allowLoopbackPeers?: boolean;
  /** Also relay from ::1, so clients may ask for IPv6 relayed addresses. */
  ipv6Relay?: boolean;
  /** TLS listeners with a fresh self-signed certificate (needs the `openssl` command). */
  tls?: boolean;
  /** Log every request and session (coturn's `verbose`): what a test reads from `output()`. */
  verbose?: boolean;
  startTimeoutMs?: number;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr}`))));
  });
}

async function selfSignedCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return { cert, key };
}

function withoutMachineLines(config: string): string[] {
  return config
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .filter((line) => !MACHINE_KEYS.has(line.split('=', 1)[0]!.trim()));
}

export async function startTestCoturn(options: TestCoturnOptions = {}): Promise<TestCoturn> {
  const binary = findTurnserver();
  if (!binary) throw new Error(COTURN_MISSING_REASON);
  const dir = await mkdtemp(path.join(tmpdir(), 'parley-coturn-'));
  const secret = randomBytes(24).toString('base64url');
  const realm = 'parley.test';
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : undefined;
  const certificate = options.tls ? await selfSignedCertificate(dir) : undefined;

  const config = [
    ...(options.baseConfig !== undefined ? withoutMachineLines(options.baseConfig) : ['use-auth-secret', 'fingerprint', 'no-cli']),
    'listening-ip=127.0.0.1',
    'relay-ip=127.0.0.1',
    ...(options.ipv6Relay ? ['relay-ip=::1'] : []),
    `listening-port=${port}`,
    ...(tlsPort && certificate
      ? [`tls-listening-port=${tlsPort}`, `cert=${certificate.cert}`, `pkey=${certificate.key}`]
      : ['no-tls', 'no-dtls']),
    `static-auth-secret=${secret}`,
    `realm=${realm}`,
    ...(options.allowLoopbackPeers ? ['allow-loopback-peers'] : []),
    ...(options.verbose ? ['verbose'] : []),
    // Its own pid file and (empty) user database, never /var/run or /var/lib/turn; the log on stdout.
    `pidfile=${path.join(dir, 'turnserver.pid')}`,
    `db=${path.join(dir, 'turndb')}`,
    'log-file=stdout',
    'simple-log',
  ].join('\n');
  const configFile = path.join(dir, 'turnserver.conf');
  await writeFile(configFile, config + '\n');

  // Ready when it answers a STUN Binding on its UDP port (it binds TCP and TLS in the same start-up step).
  const daemon = await startDaemon({
    name: 'coturn',
    binary,
    args: ['-c', configFile],
    dir,
    probe: () => stunBinding('127.0.0.1', port, 500).then((r) => r.ok),
    readyMeans: 'answer STUN',
    startTimeoutMs: options.startTimeoutMs ?? 15_000,
    keepBytes: 256 * 1024,
    pollMs: 0, // each probe already waits up to 500 ms for its answer
  });
  return {
    host: '127.0.0.1',
    port,
    tlsPort,
    certificate: certificate ? await readFile(certificate.cert, 'utf8') : undefined,
    secret,
    realm,
    urls: [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${port}?transport=tcp`],
    pid: daemon.pid,
    output: daemon.output,
    stop: daemon.stop,
  };
}
