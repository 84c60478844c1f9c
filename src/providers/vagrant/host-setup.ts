// The single VM's provisioner (mode vagrant-host): Node.js, then the same setup.sh --deps-only as CI.
export const HOST_SETUP = `#!/usr/bin/env bash
# lab-host: Node.js (official build, checked against its published SHA-256), then ./setup.sh --deps-only
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
version=$1
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "lab-host: no Node.js build for $(uname -m)" >&2; exit 1 ;;
esac
apt-get update -qq
apt-get install -y -qq --no-install-recommends ca-certificates curl xz-utils rsync
if [ "$(node --version 2>/dev/null || true)" != "v$version" ]; then
  tarball="node-v$version-linux-$arch.tar.xz"
  cd /tmp
  curl -fsSLO "https://nodejs.org/dist/v$version/$tarball"
  curl -fsSL "https://nodejs.org/dist/v$version/SHASUMS256.txt" | grep " $tarball\\$" | sha256sum -c -
  tar -xJf "$tarball" -C /usr/local --strip-components=1
fi
cd /lab
./setup.sh --deps-only
`;
