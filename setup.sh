#!/usr/bin/env bash
# One command on a fresh Debian or Ubuntu machine, as root: install what the labs run (BIRD, GoBGP,
# FRR, OpenSSH, nginx, netplan, iproute2, etcd), install and build the project, and bring bgp-metallb up.
#   ./setup.sh              everything, ending with bgp-metallb up and proven
#   ./setup.sh --deps-only  the packages and the build only (CI)
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" != 0 ]; then
  echo "setup.sh: run as root (sudo ./setup.sh): it installs packages, and labs create namespaces" >&2
  exit 3
fi
if ! command -v node >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)||(a===20&&b>=19)?0:1)'; then
  echo "setup.sh: Node.js 20.19+ or 22.12+ is needed (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "  Install it from your distribution or https://nodejs.org, then run ./setup.sh again." >&2
  exit 3
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# the daemons the labs run, the tools the checks use, and the validators of rendered files (and python3-seccomp: nodes' seccomp filter)
apt-get install -y -qq --no-install-recommends \
  iproute2 util-linux procps iputils-ping bird2 gobgpd frr openssh-server openssh-client nginx-light \
  netplan.io curl nftables python3-seccomp socat jq ca-certificates etcd-server etcd-client >/dev/null
# the vagrant providers' tests: `vagrant validate` (libvirt and VirtualBox settings) and shellcheck on
# every generated script; no hypervisor is installed or used
apt-get install -y -qq --no-install-recommends vagrant vagrant-libvirt shellcheck >/dev/null
# npm run test:vm (--provider vagrant-host in a real VM): QEMU, libvirt (lab starts its daemons when no
# libvirtd answers), and what lab vm box build makes its box with
apt-get install -y -qq --no-install-recommends qemu-system-x86 qemu-utils libvirt-daemon-system \
  libvirt-clients dnsmasq-base iptables mmdebstrap e2fsprogs rsync >/dev/null
# what tests read the reports and inventories with: a real browser (the nightly HTML report) and
# Ansible (lab inventory against a live lab). Ubuntu's chromium is only a snap stub: there the tests
# use Google Chrome if present (LAB_CHROMIUM=/path overrides)
apt-get install -y -qq --no-install-recommends ansible-core >/dev/null
if grep -q '^ID=debian' /etc/os-release; then
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
npm ci --no-fund --no-audit

if [ "${1:-}" != --deps-only ]; then
  npm run lab:up bgp-metallb
fi
