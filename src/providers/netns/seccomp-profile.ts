// What a node's seccomp filter refuses (seccomp.ts loads it): Docker's default profile as it applies to a
// container holding CAP_SYS_ADMIN and CAP_NET_ADMIN, since root on a node holds every capability over
// its own namespaces (mount, umount2, unshare, setns and clone with namespace flags stay allowed: labs
// run `ip netns add`, `ip netns exec`, `unshare --pid`, `mount` on nodes), less what acts on the machine
// rather than on a namespace, or that no lab needs. Everything else is allowed. A refused call gets
// EPERM, as under Docker, rather than killing the process.

/** Refused with EPERM, whatever their arguments. */
// biome-ignore format: one line per reason
export const REFUSED = [
  'keyctl', 'add_key', 'request_key', // the kernel's keyrings are not namespaced
  'kexec_load', 'kexec_file_load', // loading another kernel
  'init_module', 'finit_module', 'delete_module', // kernel modules
  'iopl', 'ioperm', // raw I/O ports
  'reboot', // in a PID namespace it ends the node's processes only, still no lab does it (Docker: no)
  'swapon', 'swapoff', // the host's swap
  'settimeofday', 'clock_settime', 'clock_adjtime', // the host's clock
  'syslog', // the host's kernel log
  'acct', // process accounting, host-wide
  'bpf', // BPF programs and maps: a large kernel surface, no lab loads one on a node
  'perf_event_open', // kernel profiling: reads what other processes and the kernel do
  'userfaultfd', // the classic way to widen a kernel race (Docker: no)
  'io_uring_setup', 'io_uring_enter', 'io_uring_register', // bypasses this filter's view; many kernel bugs
  'open_by_handle_at', // opens a file of the host by its handle, past every mount (the "shocker" escape)
  'lookup_dcookie', // kernel profiling
  'quotactl', 'quotactl_fd', // the host's disk quotas
  'nfsservctl', 'uselib', 'ustat', 'sysfs', '_sysctl', // obsolete
  'vm86', 'vm86old', // i386 only (refused with the whole i386 ABI below too)
] as const;

/** Refused with ENOSYS: clone3 takes its flags in memory the filter cannot read (so a new user namespace
 * would pass through it); glibc then falls back to clone, whose flags it reads. As Docker does. */
export const ABSENT = ['clone3'] as const;

/** Refused with EPERM when arg 0 holds any of these flags. CLONE_NEWUSER: root on a node owns its
 * namespaces already; a nested user namespace only gives its other users (frr, nobody) capabilities
 * over new namespaces, the first step of most user-namespace kernel exploits. Other namespace flags
 * stay allowed (`ip netns add`, `unshare --pid`). */
export const REFUSED_FLAGS: Record<string, number> = {
  clone: 0x10000000,
  unshare: 0x10000000,
};

/** Allowed with these arg 0 values only (Docker's): PER_LINUX, PER_LINUX32, UNAME26 alone and with
 * PER_LINUX32, and the query 0xffffffff; not READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE and the like. */
export const ONLY_ARGS: Record<string, number[]> = {
  personality: [0x0, 0x8, 0x20000, 0x20008, 0xffffffff],
};

// Non-native ABIs (i386 through int 0x80, x32) are refused whole with EPERM: the filter is built for
// the host's own architecture only (Docker allows both; no lab runs a 32-bit program).

/** The profile as lines for the loader (seccomp.ts): "eperm NAME", "enosys NAME", "flags NAME MASK",
 * "only NAME V...". */
export function profileSpec(): string {
  return [
    ...REFUSED.map((n) => `eperm ${n}`),
    ...ABSENT.map((n) => `enosys ${n}`),
    ...Object.entries(REFUSED_FLAGS).map(([n, mask]) => `flags ${n} ${mask}`),
    ...Object.entries(ONLY_ARGS).map(([n, values]) => `only ${n} ${values.join(' ')}`),
  ].join('\n');
}
