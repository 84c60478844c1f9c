#!/usr/bin/env bash
# Builds lab's libvirt box from Debian packages only: mmdebstrap into a folder, the folder into an ext4
# image (no partition table: the VM boots the kernel kept beside the box), the image into qcow2, and the
# three files a Vagrant box is (box.img, metadata.json, Vagrantfile). Run as root (mmdebstrap's root
# mode keeps each file's owner). The kernel and initrd go where libvirt's QEMU user may read them.
#   build-box.sh OUT_DIR BOOT_DIR NODE_BINARY PACKAGE...
set -euo pipefail
exec 2>&1
export BOX_OUT=$1 BOX_BOOT=$2 BOX_NODE=$3
shift 3
packages=$(IFS=,; echo "$*")
mkdir -p "$BOX_OUT" "$BOX_BOOT"
work=$(mktemp -d "$BOX_OUT/work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# the box's own key pair: Vagrant logs in with it (no well-known insecure key to replace)
rm -f "$BOX_OUT/vagrant_key" "$BOX_OUT/vagrant_key.pub"
ssh-keygen -q -t ed25519 -N '' -C lab-box -f "$BOX_OUT/vagrant_key"

# every daemon the emulated labs start is installed here: the VM needs no network of its own.
# The daemons are disabled: the lab starts its own, in its namespaces. The VM's NIC is eth0 (kernel
# names, as on Debian's own boxes): the netns provider makes nodes' eth0 beside it.
mmdebstrap --variant=minbase --include="$packages" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  --customize-hook='chroot "$1" useradd -m -s /bin/bash vagrant' \
  --customize-hook='echo "vagrant ALL=(ALL) NOPASSWD: ALL" > "$1/etc/sudoers.d/vagrant"; chmod 0440 "$1/etc/sudoers.d/vagrant"' \
  --customize-hook='install -d -m 0700 "$1/home/vagrant/.ssh"; cp "$BOX_OUT/vagrant_key.pub" "$1/home/vagrant/.ssh/authorized_keys"' \
  --customize-hook='chroot "$1" chown -R vagrant:vagrant /home/vagrant/.ssh' \
  --customize-hook='install -m 0755 "$BOX_NODE" "$1/usr/local/bin/node"' \
  --customize-hook='printf "auto lo\niface lo inet loopback\nauto eth0\niface eth0 inet dhcp\n" > "$1/etc/network/interfaces"' \
  --customize-hook='printf "/dev/vda / ext4 defaults 0 1\n" > "$1/etc/fstab"' \
  --customize-hook='echo lab-host > "$1/etc/hostname"; : > "$1/etc/machine-id"' \
  --customize-hook='printf "UseDNS no\n" > "$1/etc/ssh/sshd_config.d/lab.conf"' \
  --customize-hook='printf "overlay\n" > "$1/etc/modules-load.d/lab.conf"' \
  --customize-hook='for s in frr nginx etcd bird; do chroot "$1" systemctl disable "$s.service" || true; done' \
  --customize-hook='cp -L "$1/vmlinuz" "$1/initrd.img" "$BOX_BOOT/"' \
  bookworm "$work/rootfs" http://deb.debian.org/debian

truncate -s 8G "$work/root.img"
mkfs.ext4 -q -L root -d "$work/rootfs" "$work/root.img"
qemu-img convert -O qcow2 "$work/root.img" "$work/box.img"
printf '{"provider":"libvirt","format":"qcow2","virtual_size":8}\n' > "$work/metadata.json"
# direct kernel boot from the cache, and the box's own key
cat > "$work/Vagrantfile" <<VAGRANTFILE
Vagrant.configure("2") do |config|
  config.ssh.private_key_path = "$BOX_OUT/vagrant_key"
  config.vm.provider :libvirt do |lv|
    lv.kernel = "$BOX_BOOT/vmlinuz"
    lv.initrd = "$BOX_BOOT/initrd.img"
    lv.cmd_line = "root=/dev/vda rw console=ttyS0 net.ifnames=0"
  end
end
VAGRANTFILE
tar -C "$work" -cf "$BOX_OUT/lab.box" box.img metadata.json Vagrantfile
