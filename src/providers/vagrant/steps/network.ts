// The CNI of each Kubernetes cluster, from the rendered values and resources: Calico (its manifest,
// then the lab's BGPConfiguration, peers and pools), Cilium (Helm), Tungsten Fabric (its manifest
// with the rendered ConfigMaps). The DC/OS side has no Calico release to install any more: its hosts
// run the emulation's calico-node (BIRD with the rendered configuration, workloads wired as Calico's
// CNI plugin does).

import type { RenderedFile } from '../../../contracts/role.js';
import type { Cluster, Lab, Node } from '../../../core/lab.js';
import { VERSIONS } from '../versions.js';
import { KUBECONFIG, kubernetesClusters } from './kubernetes.js';
import { q, type Step, script, writeFile } from './step.js';

/** Upstream manifests, at the commit or tag pinned by the add-on's version. */
export const calicoManifest = (version: string) =>
  `https://raw.githubusercontent.com/projectcalico/calico/v${version}/manifests/calico.yaml`;
export const TF_MANIFEST =
  'https://raw.githubusercontent.com/tungstenfabric/tf-container-builder/8a02277186b9e100d15e1068dc46d51418a27c0e/kubernetes/manifests/contrail-standalone-kubernetes.yaml';

export const kubectl = `kubectl --kubeconfig ${KUBECONFIG}`;

export function helmInstall(): string[] {
  const tgz = `helm-v${VERSIONS.helm}-linux-amd64.tar.gz`;
  return [
    'if ! command -v helm >/dev/null; then',
    `  curl -fsSL -o /tmp/helm.tgz ${q(`https://get.helm.sh/${tgz}`)}`,
    '  tar -xzf /tmp/helm.tgz -C /usr/local/bin --strip-components=1 linux-amd64/helm',
    'fi',
  ];
}

function calicoStep(node: Node, cluster: Cluster, files: RenderedFile[]): Step {
  const c = cluster.addons.calico!;
  const resources = files.find((f) => f.node === node.name && f.manifest === 'calico')!;
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

function ciliumStep(node: Node, cluster: Cluster, files: RenderedFile[]): Step {
  const c = cluster.addons.cilium!;
  const values = files.find((f) => f.node === node.name && f.manifest === 'cilium-values')!;
  const lines = [
    ...writeFile(values.path, values.content),
    ...helmInstall(),
    'helm repo add cilium https://helm.cilium.io --force-update',
    `helm upgrade --install cilium cilium/cilium --version ${q(c.version)} --namespace kube-system --kubeconfig ${KUBECONFIG} -f ${q(values.path)} --wait --timeout 10m`,
  ];
  return {
    phase: 'network',
    node: node.name,
    title: `Cilium ${c.version} with the rendered values`,
    script: script(`${node.name}: Cilium ${c.version} for cluster ${cluster.name}`, lines),
    timeoutS: 900,
  };
}

function tfStep(node: Node, cluster: Cluster, files: RenderedFile[]): Step {
  const tf = cluster.addons.tungsten_fabric!;
  const maps = files.find((f) => f.node === node.name && f.manifest === 'tf')!;
  const controller = node.interfaces[0].address ?? ''; // IPv4: lint refuses IPv6-only TF nodes
  // the values TF's one-line install fills in, for a single controller without authentication
  const placeholders: Record<string, string> = {
    CONTRAIL_REGISTRY: 'tungstenfabric',
    CONTRAIL_CONTAINER_TAG: tf.version,
    ...Object.fromEntries(
      [
        'CONTROLLER',
        'CONFIG',
        'CONFIGDB',
        'CONTROL',
        'ANALYTICS',
        'ANALYTICSDB',
        'ANALYTICS_SNMP',
        'ANALYTICS_ALARM',
        'RABBITMQ',
        'WEBUI',
      ].map((k) => [`${k}_NODES`, controller]),
    ),
    ...Object.fromEntries(['ANALYTICS_API_VIP', 'CONFIG_API_VIP', 'WEBUI_VIP'].map((k) => [k, controller])),
    VROUTER_GATEWAY: tf.vrouter_gateway,
    KUBERNETES_API_SERVER: controller,
    KUBERNETES_API_SECURE_PORT: '6443',
    KUBERNETES_PUBLIC_FIP_POOL: '{}',
    KUBERNETES_SECRET_CONTRAIL_REPO: 'contrail-registry',
    CLOUD_ORCHESTRATOR: 'kubernetes',
    AAA_MODE: 'no-auth',
    AUTH_MODE: 'noauth',
    LOG_LEVEL: 'SYS_NOTICE',
    METADATA_PROXY_SECRET: 'contrail',
    PHYSICAL_INTERFACE: '""',
    RABBITMQ_NODE_PORT: '5673',
    ZOOKEEPER_PORT: '2181',
    ZOOKEEPER_PORTS: '2888:3888',
    JVM_EXTRA_OPTS: '"-Xms1g -Xmx2g"',
  };
  const labels = [
    'config',
    'configdb',
    'control',
    'analytics',
    'analyticsdb',
    'analytics_snmp',
    'analytics_alarm',
    'webui',
  ]
    .map((l) => `node-role.opencontrail.org/${l}=`)
    .join(' ');
  const sed = Object.entries(placeholders)
    .map(([k, v]) => `-e ${q(`s|{{ *${k} *}}|${v}|g`)}`)
    .join(' ');
  const lines = [
    ...writeFile(maps.path, maps.content),
    `curl -fsSL -o /etc/lab/manifests/tf-upstream.yaml ${q(TF_MANIFEST)}`,
    `sed -i ${sed} /etc/lab/manifests/tf-upstream.yaml`,
    // a placeholder left unfilled would deploy a broken controller: stop and name it
    "if grep -o '{{[^}]*}}' /etc/lab/manifests/tf-upstream.yaml | sort -u | grep .; then echo 'unfilled placeholders above' >&2; exit 1; fi",
    `${kubectl} label node ${q(node.name)} ${labels} --overwrite`,
    `${kubectl} get nodes -o name | grep -v ${q(`/${node.name}$`)} | xargs -r -I{} ${kubectl} label {} node-role.opencontrail.org/agent= --overwrite`,
    `${kubectl} apply -f /etc/lab/manifests/tf-upstream.yaml`,
    `${kubectl} create namespace contrail --dry-run=client -o yaml | ${kubectl} apply -f -`,
    `${kubectl} apply -f ${q(maps.path)}`,
  ];
  return {
    phase: 'network',
    node: node.name,
    title: `Tungsten Fabric ${tf.version} with the rendered ConfigMaps`,
    script: script(`${node.name}: Tungsten Fabric ${tf.version} for cluster ${cluster.name}`, lines),
    timeoutS: 1800,
  };
}

/** The emulation's calico-node on a host outside Kubernetes: the rendered BIRD and workload tool. */
function calicoHostStep(node: Node, files: RenderedFile[]): Step {
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

export function networkSteps(lab: Lab, files: RenderedFile[]): Step[] {
  const out: Step[] = [];
  for (const cluster of kubernetesClusters(lab)) {
    const cp = lab.nodes.find((n) => n.name === cluster.controlPlane)!;
    if (cluster.addons.calico) out.push(calicoStep(cp, cluster, files));
    if (cluster.addons.cilium) out.push(ciliumStep(cp, cluster, files));
    if (cluster.addons.tungsten_fabric) out.push(tfStep(cp, cluster, files));
  }
  for (const cluster of lab.clusters.filter((c) => c.kind !== 'kubernetes' && c.addons.calico))
    for (const node of lab.nodes.filter(
      (n) => cluster.members.includes(n.name) && n.roles.includes('calico-node'),
    ))
      out.push(calicoHostStep(node, files));
  return out;
}
