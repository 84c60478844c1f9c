// Whether a program is installed, looked for where Debian puts daemons and tools (FRR's under /usr/lib/frr),
// not along the caller's PATH: lab runs them by these paths' rules as root.
import { accessSync, constants } from 'node:fs';

const PATHS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/lib/frr'];

export const hasCommand = (cmd: string) =>
  PATHS.some((d) => {
    try {
      accessSync(`${d}/${cmd}`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
