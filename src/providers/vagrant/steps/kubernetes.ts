// kubeadm on every Kubernetes node: containerd and the pinned packages, init with the rendered
// configuration on the control plane, join on the workers with the command the control plane prints.

import type { RenderedFile } from '../../../contracts/role.js';
import type { Cluster, Lab, Node } from '../../../core/lab.js';
import { kubernetesOf, VERSIONS } from '../versions.js';
import { q, type Step, script, writeFile } from './step.js';

export const JOIN_COMMAND = '/etc/lab/join-command';
export const KUBECONFIG = '/etc/kubernetes/admin.conf';

export const kubernetesClusters = (lab: Lab): Cluster[] =>
  lab.clusters.filter((c) => c.kind === 'kubernetes');

function packagesStep(node: Node, cluster: Cluster): Step {
  const k = kubernetesOf(cluster);
  const repo = `https://pkgs.k8s.io/core:/stable:/v${k.minor}/deb/`;
  const lines = [
    'swapoff -a',
    "sed -i '/\\sswap\\s/d' /etc/fstab",
    "printf 'overlay\\nbr_netfilter\\n' > /etc/modules-load.d/lab-k8s.conf",
    'modprobe overlay',
    'modprobe br_netfilter',
    ...writeFile(
      '/etc/sysctl.d/60-lab-k8s.conf',
      'net.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward = 1\n',
    ),
    'sysctl -q --system',
    `apt-get install -y -qq --no-install-recommends containerd=${q(VERSIONS.containerd)}`,
    'install -d /etc/containerd',
    // kubelet and containerd must agree on the systemd cgroup driver
    'containerd config default | sed "s/SystemdCgroup = false/SystemdCgroup = true/" > /etc/containerd/config.toml',
    'systemctl restart containerd',
    'install -d -m 0755 /etc/apt/keyrings',
    `curl -fsSL ${q(`${repo}Release.key`)} | gpg --batch --yes --dearmor -o /etc/apt/keyrings/kubernetes.gpg`,
    `echo ${q(`deb [signed-by=/etc/apt/keyrings/kubernetes.gpg] ${repo} /`)} > /etc/apt/sources.list.d/kubernetes.list`,
    'apt-get update -qq',
    `apt-get install -y -qq --no-install-recommends kubelet=${q(k.pkg)} kubeadm=${q(k.pkg)} kubectl=${q(k.pkg)}`,
    'apt-mark hold kubelet kubeadm kubectl',
    // the node's address on the lab network, not Vagrant's NAT address
    `echo ${q(`KUBELET_EXTRA_ARGS=--node-ip=${node.interfaces[0].address}`)} > /etc/default/kubelet`,
    'systemctl enable --now kubelet',
  ];
  return {
    phase: 'kubernetes-packages',
    node: node.name,
    title: `containerd, kubeadm ${k.version}`,
    script: script(`${node.name}: containerd and Kubernetes ${k.version} packages`, lines),
    timeoutS: 900,
  };
}

function initStep(node: Node, cluster: Cluster, files: RenderedFile[]): Step {
  const config = files.find((f) => f.node === node.name && f.manifest === 'kubeadm');
  if (!config) throw new Error(`${node.name}: no rendered kubeadm configuration`);
  // Cilium replaces kube-proxy (kubeProxyReplacement: true in its values)
  const skip = cluster.addons.cilium ? ' --skip-phases=addon/kube-proxy' : '';
  const lines = [
    ...writeFile(config.path, config.content),
    `kubeadm init --config ${q(config.path)}${skip}`,
    'install -d -m 0700 /root/.kube',
    `install -m 0600 ${KUBECONFIG} /root/.kube/config`,
    'install -d /etc/lab',
    `kubeadm token create --ttl 2h --print-join-command > ${JOIN_COMMAND}`,
  ];
  return {
    phase: 'kubeadm-init',
    node: node.name,
    title: `kubeadm init (cluster ${cluster.name})`,
    script: script(`${node.name}: kubeadm init for cluster ${cluster.name}`, lines),
    timeoutS: 600,
  };
}

function joinStep(node: Node, cluster: Cluster): Step {
  const lines = [
    `read -r -a join < ${JOIN_COMMAND}`,
    // the file comes from our own control plane: run it only if it is the join command it should be
    '[ "${join[0]:-} ${join[1]:-}" = "kubeadm join" ] || { echo "not a kubeadm join command" >&2; exit 1; }',
    '"${join[@]}"',
  ];
  return {
    phase: 'kubeadm-join',
    node: node.name,
    title: `kubeadm join (cluster ${cluster.name})`,
    script: script(`${node.name}: join cluster ${cluster.name}`, lines),
    inputs: [{ path: JOIN_COMMAND, from: { node: cluster.controlPlane!, path: JOIN_COMMAND } }],
    timeoutS: 600,
  };
}

export function kubernetesSteps(lab: Lab, files: RenderedFile[]): Step[] {
  return kubernetesClusters(lab).flatMap((cluster) => {
    const members = lab.nodes.filter((n) => cluster.members.includes(n.name));
    return members.flatMap((node) => [
      packagesStep(node, cluster),
      node.name === cluster.controlPlane ? initStep(node, cluster, files) : joinStep(node, cluster),
    ]);
  });
}
