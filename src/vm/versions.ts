// Every version the full realization installs, pinned in one place. A lab's own versions (its cluster's
// kubernetes_version, an add-on's chart_version or version) win; these fill what the lab leaves open.
import type { Cluster } from '../core/lab.js';

export const VERSIONS = {
  /** Debian 12 box, the same for libvirt and VirtualBox (both published under this version). */
  box: { name: 'debian/bookworm64', version: '12.20240905.1' },
  /** Used when a cluster names no kubernetes_version. */
  kubernetes: '1.30.4',
  /** pkgs.k8s.io revision suffix of the kubeadm, kubelet and kubectl packages. */
  kubernetesPackageRevision: '1.1',
  /** Debian 12's own containerd. */
  containerd: '1.6.20~ds1-1+deb12u1',
  helm: '3.15.4',
  /** Calico's CLI, for resources kubectl cannot apply before the API server extension exists. */
  calicoctl: '3.28.2',
  cilium: { cli: '0.16.19' },
  /** The demo's own containers. */
  images: { nginx: 'docker.io/library/nginx:1.27.1-alpine', busybox: 'docker.io/library/busybox:1.36.1' },
  /** Node.js for the single-VM mode (the project needs 20.19+ or 22.12+). */
  node: '22.12.0',
} as const;

/** Kubernetes minor stream (v1.30) of a cluster: pkgs.k8s.io has one apt repository per minor. */
export function kubernetesOf(cluster: Cluster): { version: string; minor: string; pkg: string } {
  const version = cluster.kubernetesVersion ?? VERSIONS.kubernetes;
  const minor = version.split('.').slice(0, 2).join('.');
  return { version, minor, pkg: `${version}-${VERSIONS.kubernetesPackageRevision}` };
}
