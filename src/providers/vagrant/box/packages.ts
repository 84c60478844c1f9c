// The Debian packages of lab's box: a bootable system Vagrant can log in to, and every daemon and tool
// the emulated labs use (the same as setup.sh installs on a host), so the VM needs no network.
export const BOX_PACKAGES = [
  // boot, log in, be managed by Vagrant (hostnamectl needs dbus)
  'linux-image-amd64',
  'systemd-sysv',
  'dbus',
  'udev',
  'kmod',
  'netbase',
  'ifupdown',
  'isc-dhcp-client',
  'openssh-server',
  'sudo',
  'rsync',
  // what the labs run and check with (setup.sh's list)
  'iproute2',
  'util-linux',
  'procps',
  'iputils-ping',
  'bird2',
  'gobgpd',
  'frr',
  'openssh-client',
  'nginx-light',
  'curl',
  'nftables',
  'python3-seccomp', // loads each node's seccomp filter (docs/sandbox.md)
  'socat',
  'jq',
  'ca-certificates',
  'etcd-server',
  'etcd-client',
] as const;
