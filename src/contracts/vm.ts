// The VM contract: a provisioning step of the full realization, one bash script run as root on one VM
// over SSH, in a phase. Roles and add-ons write their own (their `vm`); the VM provider collects them
// from the registries, orders the phases and runs them (providers/vagrant/steps/).

/** The phases a step may name; the VM provider runs them in its order. */
export type VmPhase =
  | 'base' // packages, forwarding, the lab's routes
  | 'daemons' // routers and reflectors outside Kubernetes (BIRD, GoBGP), Docker hosts
  | 'kubernetes-packages' // containerd, kubelet, kubeadm, kubectl
  | 'kubeadm-init' // control planes
  | 'kubeadm-join' // workers
  | 'network' // the CNI and its resources (Calico, Cilium, Tungsten Fabric)
  | 'addons' // MetalLB
  | 'mesh' // Cilium Cluster Mesh, once every cluster runs Cilium
  | 'workloads' // the demo's pods, services and containers
  | 'attach'; // each pod's network namespace named on its node, as the checks address it

export interface VmStep {
  phase: VmPhase;
  node: string;
  /** What it does, for the plan and for errors. */
  title: string;
  script: string;
  /** Files fetched from another node before the script runs (a join command, a kubeconfig). */
  inputs?: { path: string; from: { node: string; path: string } }[];
  timeoutS: number;
}
