// Every process of a node runs under a seccomp filter (docs/sandbox.md; the profile: seccomp-profile.ts).
// The launcher shell that boots a batch of nodes (boot.ts) starts under it: libseccomp (Debian's
// python3-seccomp) compiles the profile for this host's architecture and loads it, then execs the
// shell. A filter passes to every child and through every exec, and no process can remove it, so each
// node's holder, init, sshd, daemons, logins and `lab exec` commands inherit it: no cost per node, and
// no unfiltered process in a node for its root to ptrace. Loaded by host root, which holds
// CAP_SYS_ADMIN: no no_new_privs is set (a node's setuid programs work as they did without it).
import { accessSync, constants, readdirSync } from 'node:fs';
import { profileSpec } from './seccomp-profile.js';

/** Debian's own python, where python3-seccomp installs (a python3 earlier in PATH may be another). */
const PYTHON = '/usr/bin/python3';
const MODULES = '/usr/lib/python3/dist-packages';

// -I -S: nothing from the environment or site-packages (4 ms less to start); the module's folder only.
// argv: the profile (profileSpec's lines), then the command to exec under the filter.
const LOADER = `import sys
sys.path.append(${JSON.stringify(MODULES)})
try:
    import seccomp as s
except ImportError:
    sys.exit('lab: python3-seccomp is missing (apt-get install -y python3-seccomp): no node starts unfiltered')
import errno, os

def outside(allowed, low=0, bits=64):
    """Aligned blocks (mask, value) holding every 64-bit value but the allowed ones."""
    inside = [a for a in allowed if low <= a < low + (1 << bits)]
    if not inside:
        return [((1 << 64) - (1 << bits), low)]
    if bits == 0:
        return []
    half = 1 << (bits - 1)
    return outside(inside, low, bits - 1) + outside(inside, low + half, bits - 1)

f = s.SyscallFilter(s.ALLOW)
f.set_attr(s.Attr.ACT_BADARCH, s.ERRNO(errno.EPERM))
f.set_attr(s.Attr.CTL_NNP, 0)
f.set_attr(s.Attr.CTL_OPTIMIZE, 2)
eperm = s.ERRNO(errno.EPERM)
for line in sys.argv[1].splitlines():
    what, name, *args = line.split()
    if what == 'eperm':
        f.add_rule(eperm, name)
    elif what == 'enosys':
        f.add_rule(s.ERRNO(errno.ENOSYS), name)
    elif what == 'flags':
        f.add_rule(eperm, name, s.Arg(0, s.MASKED_EQ, int(args[0]), int(args[0])))
    elif what == 'only':
        for mask, value in outside([int(a) for a in args]):
            f.add_rule(eperm, name, s.Arg(0, s.MASKED_EQ, mask, value))
    else:
        sys.exit('lab: unknown seccomp profile line: ' + line)
f.load()
os.execv(sys.argv[2], sys.argv[2:])
`;

/** The program and arguments that run `argv` under the nodes' seccomp filter. */
export function underSeccomp(argv: string[]): [string, string[]] {
  return [PYTHON, ['-I', '-S', '-c', LOADER, profileSpec(), ...argv]];
}

/** Whether the filter can be loaded: Debian's python3 and its seccomp module. */
export function seccompLoadable(): boolean {
  try {
    accessSync(PYTHON, constants.X_OK);
    return readdirSync(MODULES).some((f) => /^seccomp\..*\.so$/.test(f));
  } catch {
    return false;
  }
}
