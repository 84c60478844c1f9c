// A Kubernetes cluster on VMs, brought up by its control plane's role: containerd and the pinned
// packages on every member, kubeadm init with the rendered configuration on the control plane, join on
// the workers with the command the control plane prints, then the demo's workloads: the HTTP backend
// as a DaemonSet behind a LoadBalancer service, and the lab's workloads as pods at the lab's addresses,
// each pod's network namespace then named on its node (`ip netns exec client curl ...` works as on the
// emulated node).

import type { RenderedFile } from '../contracts/role.js';
import type { VmStep } from '../contracts/vm.js';
import type { Cluster, Lab, Node } from '../core/lab.js';
import { renderTemplate } from '../core/templates.js';
import { JOIN_COMMAND, KUBECONFIG, kubectl, kubernetesClusters } from '../vm/kubernetes.js';
import { renderedManifestOf } from '../vm/rendered.js';
import { q, script, writeFile } from '../vm/script.js';
import { kubernetesOf, VERSIONS } from '../vm/versions.js';

function packagesStep(node: Node, cluster: Cluster): VmStep {
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

function initStep(node: Node, cluster: Cluster, files: RenderedFile[]): VmStep {
  const config = renderedManifestOf(files, node, 'kubeadm');
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

function joinStep(node: Node, cluster: Cluster): VmStep {
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

/** The demo's workloads in the cluster, applied from its control plane, and their namespaces named. */
function workloadSteps(lab: Lab, cluster: Cluster): VmStep[] {
  const out: VmStep[] = [];
  const cp = cluster.controlPlane!;
  const members = lab.nodes.filter((n) => cluster.members.includes(n.name));
  const backends = members.filter((n) => n.roles.includes('http-backend'));
  const pods = lab.workloads.filter((w) => cluster.members.includes(w.node));
  const lines: string[] = [];
  if (backends.length) {
    const port = Number(backends[0].vars.http_port ?? 80);
    const path = '/etc/lab/manifests/http-backend.yaml';
    lines.push(
      ...backends.map((n) => `${kubectl} label node ${q(n.name)} lab/http-backend=true --overwrite`),
      ...writeFile(
        path,
        renderTemplate('vagrant/http-backend.yaml.njk', { lab, port, images: VERSIONS.images }),
      ),
      `${kubectl} apply -f ${path}`,
      `${kubectl} rollout status daemonset/http-backend --timeout=300s`,
    );
  }
  for (const w of pods) {
    const path = `/etc/lab/manifests/workload-${w.name}.yaml`;
    lines.push(
      ...writeFile(
        path,
        renderTemplate('vagrant/workload-pod.yaml.njk', { lab, w, images: VERSIONS.images }),
      ),
      `${kubectl} apply -f ${q(path)}`,
    );
  }
  if (pods.length)
    lines.push(
      `${kubectl} wait --for=condition=Ready pod ${pods.map((w) => q(w.name)).join(' ')} --timeout=300s`,
    );
  if (lines.length)
    out.push({
      phase: 'workloads',
      node: cp,
      title: [
        backends.length && 'HTTP backend service',
        pods.length && `pods ${pods.map((w) => w.name).join(', ')}`,
      ]
        .filter(Boolean)
        .join(', '),
      script: script(`${cp}: the demo's workloads in cluster ${cluster.name}`, lines),
      timeoutS: 600,
    });
  for (const node of members) {
    const mine = pods.filter((w) => w.node === node.name);
    if (!mine.length) continue;
    out.push({
      phase: 'attach',
      node: node.name,
      title: `name the network namespaces of ${mine.map((w) => w.name).join(', ')}`,
      script: script(
        `${node.name}: pods' network namespaces by name`,
        mine.flatMap((w) => [
          `pod=$(crictl --runtime-endpoint unix:///run/containerd/containerd.sock pods --name ${q(`^${w.name}$`)} --namespace default --state ready -q | head -n 1)`,
          `pid=$(crictl --runtime-endpoint unix:///run/containerd/containerd.sock inspectp --output go-template --template '{{.info.pid}}' "$pod")`,
          `ip netns delete ${q(w.name)} 2>/dev/null || true`,
          `ip netns attach ${q(w.name)} "$pid"`,
        ]),
      ),
      timeoutS: 120,
    });
  }
  return out;
}

/** Every step of the Kubernetes clusters this node is the control plane of. */
export function kubernetesClusterSteps(lab: Lab, node: Node, files: RenderedFile[]): VmStep[] {
  return kubernetesClusters(lab)
    .filter((c) => c.controlPlane === node.name)
    .flatMap((cluster) => [
      ...lab.nodes
        .filter((n) => cluster.members.includes(n.name))
        .flatMap((member) => [
          packagesStep(member, cluster),
          member.name === cluster.controlPlane ? initStep(member, cluster, files) : joinStep(member, cluster),
        ]),
      ...workloadSteps(lab, cluster),
    ]);
}
