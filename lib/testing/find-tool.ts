/**
 * A program the tests start themselves (clamd, coturn, buildah…): found on PATH or in the system
 * directories Debian installs daemons to, which a non-login root shell may not have on its PATH.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const SYSTEM_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];

/** The executable's full path, or undefined when it is not installed. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SYSTEM_DIRS];
  return dirs
    .map((dir) => path.join(dir, name))
    .find((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}
