// Tungsten Fabric on VMs: its upstream manifest with the placeholders of TF's one-line install filled in
// (a single controller without authentication), then the rendered ConfigMaps, from the control plane.

import type { Addon } from '../../contracts/addon.js';
import type { RenderedFile } from '../../contracts/role.js';
import type { VmStep } from '../../contracts/vm.js';
import type { Cluster, Node } from '../../core/lab.js';
import { kubectl } from '../../vm/kubernetes.js';
import { renderedManifestOf } from '../../vm/rendered.js';
import { q, script, writeFile } from '../../vm/script.js';

/** Upstream manifest, at the commit the add-on's versions were tested with. */
export const TF_MANIFEST =
  'https://raw.githubusercontent.com/tungstenfabric/tf-container-builder/8a02277186b9e100d15e1068dc46d51418a27c0e/kubernetes/manifests/contrail-standalone-kubernetes.yaml';

function tfStep(node: Node, cluster: Cluster, files: RenderedFile[]): VmStep {
  const tf = cluster.addons.tungsten_fabric!;
  const maps = renderedManifestOf(files, node, 'tf')!;
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

export const tungstenFabricVm: NonNullable<Addon['vm']> = {
  cluster: (lab, cluster, files) =>
    cluster.kind === 'kubernetes'
      ? [tfStep(lab.nodes.find((n) => n.name === cluster.controlPlane)!, cluster, files)]
      : [],
};
