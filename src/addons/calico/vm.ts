// Calico on VMs. In a Kubernetes cluster: its manifest, then the lab's BGPConfiguration, peers and pools
// (calicoctl, for resources kubectl cannot apply before the API server extension exists). The DC/OS
// side has no Calico release to install any more: its hosts run the emulation's calico-node (BIRD with
// the rendered configuration, workloads wired as Calico's CNI plugin does).

import type { Addon } from '../../contracts/addon.js';
import type { RenderedFile, RoleVm } from '../../contracts/role.js';
import type { VmStep } from '../../contracts/vm.js';
import type { Cluster, Lab, Node } from '../../core/lab.js';
import { inKubernetes, KUBECONFIG, kubectl } from '../../vm/kubernetes.js';
import { renderedManifestOf } from '../../vm/rendered.js';
import { q, script, writeFile } from '../../vm/script.js';
import { VERSIONS } from '../../vm/versions.js';
import { WORKLOAD_TOOL } from './derive.js';

/** Upstream manifest, at the tag pinned by the add-on's version. */
export const calicoManifest = (version: string) =>
  `https://raw.githubusercontent.com/projectcalico/calico/v${version}/manifests/calico.yaml`;

function calicoStep(node: Node, cluster: Cluster, files: RenderedFile[]): VmStep {
  const c = cluster.addons.calico!;
  const resources = renderedManifestOf(files, node, 'calico')!;
  const ctl = `https://github.com/projectcalico/calico/releases/download/v${VERSIONS.calicoctl}/calicoctl-linux-amd64`;
  const lines = [
    ...writeFile(resources.path, resources.content),
    `${kubectl} apply -f ${q(calicoManifest(c.version))}`,
    // the lab's pools replace Calico's default 192.168.0.0/16 pool
    `${kubectl} -n kube-system set env daemonset/calico-node NO_DEFAULT_POOLS=true CALICO_IPV4POOL_IPIP=Never`,
    `${kubectl} -n kube-system rollout status daemonset/calico-node --timeout=600s`,
    `curl -fsSL -o /usr/local/bin/calicoctl ${q(ctl)}`,
    'chmod 0755 /usr/local/bin/calicoctl',
    `DATASTORE_TYPE=kubernetes KUBECONFIG=${KUBECONFIG} calicoctl apply -f ${q(resources.path)}`,
  ];
  return {
    phase: 'network',
    node: node.name,
    title: `Calico ${c.version}, its BGP configuration, peers and pools`,
    script: script(`${node.name}: Calico ${c.version} for cluster ${cluster.name}`, lines),
    timeoutS: 900,
  };
}

/** The emulation's calico-node on a host outside Kubernetes: the rendered BIRD and workload tool. */
function calicoHostStep(node: Node, files: RenderedFile[]): VmStep {
  const own = files.filter(
    (f) => f.node === node.name && (f.path === '/etc/bird/bird.conf' || f.path.startsWith('/etc/lab/bin/')),
  );
  const lines = [
    ...own.flatMap((f) => writeFile(f.path, f.content, f.mode ?? 0o644)),
    'bird -p -c /etc/bird/bird.conf',
    'systemctl restart bird',
  ];
  return {
    phase: 'network',
    node: node.name,
    title: 'calico-node as the emulation runs it (BIRD, workload wiring)',
    script: script(`${node.name}: BIRD announcing its workload block`, lines),
    timeoutS: 300,
  };
}

export const calicoVm: NonNullable<Addon['vm']> = {
  cluster: (lab: Lab, cluster: Cluster, files: RenderedFile[]) =>
    cluster.kind === 'kubernetes'
      ? [calicoStep(lab.nodes.find((n) => n.name === cluster.controlPlane)!, cluster, files)]
      : [],
};

/** calico-node's part: outside Kubernetes the emulation's BIRD and workloads, on the VM. */
export const calicoNodeVm: RoleVm = {
  packages: (lab, node) => (inKubernetes(lab, node) ? [] : ['bird2', 'nginx-light']),
  steps: (lab, node, files) =>
    lab.clusters
      .filter((c) => c.kind !== 'kubernetes' && c.addons.calico && c.members.includes(node.name))
      .map(() => calicoHostStep(node, files)),
  // the demo's workloads, wired by the rendered tool as the emulation does
  workloads: (lab, node) =>
    lab.workloads
      .filter((x) => x.node === node.name)
      .map((w) => `${WORKLOAD_TOOL} add ${q(w.name)}${w.serve ? ` ${q(w.serve)}` : ''}`),
};
