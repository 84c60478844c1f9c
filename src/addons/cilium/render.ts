// The files of an emulated Cilium node: the agent's configuration, one clustermesh endpoint file per
// remote cluster (as the Helm chart mounts them), the node-local tools, and on the control plane the
// cluster's Services as a manifest.

import type { RenderedFile } from '../../contracts/role.js';
import type { Lab, Node } from '../../core/lab.js';
import { header, renderTemplate } from '../../core/templates.js';
import { ETCD_CONFIG, ETCD_DATA_DIR } from '../../daemons/etcd.js';
import { yamlDocuments } from '../../yaml-quote.js';
import { AGENT_CONFIG, CLUSTERMESH_DIR } from './agent/config.js';
import { agentConfigOf, ciliumClusters, clusterNameOf, kvstoreOf, serviceIpOf } from './derive.js';

export const SERVICES_MANIFEST = '/etc/lab/manifests/cilium-services.yaml';
export const K8S_TOOL = '/etc/lab/bin/k8s';
export const DBG_TOOL = '/etc/lab/bin/cilium-dbg';
export const AGENT_CTL = '/etc/lab/bin/cilium-agent';
export const AGENT_PIDFILE = '/run/cilium/agent.pid';

/** The cluster's Services as Kubernetes would hold them: annotation values always strings. */
export function servicesOf(lab: Lab, clusterName: string) {
  const c = lab.clusters.find((cl) => cl.name === clusterName);
  return (c?.addons.cilium?.services ?? []).map((s, i) => ({
    ...s,
    clusterIP: (c && serviceIpOf(c, s, i)) ?? '',
    annotations: Object.fromEntries(Object.entries(s.annotations).map(([k, v]) => [k, String(v)])),
  }));
}

/** One Service as kubectl applies it. */
function serviceManifest(s: ReturnType<typeof servicesOf>[number]) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: s.name,
      namespace: s.namespace,
      ...(Object.keys(s.annotations).length ? { annotations: s.annotations } : {}),
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: s.clusterIP,
      selector: s.selector,
      ports: [{ port: s.port, targetPort: s.target_port ?? s.port, protocol: s.protocol }],
    },
  };
}

export function renderAgentFiles(lab: Lab, node: Node): RenderedFile[] {
  const cfg = agentConfigOf(lab, node);
  const cluster = lab.clusters.find((c) => c.name === node.cluster);
  if (!cfg || !cluster) return [];
  const file = (path: string, content: string, mode?: number): RenderedFile => ({
    node: node.name,
    path,
    content,
    ...(mode ? { mode } : {}),
  });
  const out = [file(AGENT_CONFIG, `${JSON.stringify(cfg, null, 2)}\n`)];
  for (const other of ciliumClusters(lab)) {
    const endpoint = kvstoreOf(lab, other);
    const remote = clusterNameOf(other);
    if (other === cluster || !endpoint) continue;
    out.push(
      file(
        `${CLUSTERMESH_DIR}/${remote}`,
        renderTemplate('cilium/clustermesh-endpoint.njk', { ...header(lab), remote, endpoint }),
      ),
    );
  }
  const tool = (path: string, tool: string, what: string) =>
    file(
      path,
      renderTemplate('cilium/node-tool.sh.njk', { ...header(lab), node: node.name, tool, what }),
      0o755,
    );
  out.push(
    tool(
      K8S_TOOL,
      'k8s',
      "the cluster's pods and services (pod add|del|list, annotate service, get services, apply -f)",
    ),
    tool(DBG_TOOL, 'cilium-dbg', 'what the agent on this node sees (node list, service list, status)'),
    file(
      AGENT_CTL,
      renderTemplate('cilium/agent-ctl.sh.njk', { ...header(lab), node: node.name, pidfile: AGENT_PIDFILE }),
      0o755,
    ),
  );
  // the control plane runs the clustermesh-apiserver: its etcd
  if (node.name === cluster.controlPlane)
    out.push(
      file(
        ETCD_CONFIG,
        renderTemplate('etcd/etcd.conf.yml.njk', {
          ...header(lab),
          node: node.name,
          cluster: cfg.cluster,
          client_url: cfg.kvstore,
          data_dir: ETCD_DATA_DIR,
        }),
      ),
    );
  const services = servicesOf(lab, cluster.name);
  if (node.name === cluster.controlPlane && services.length)
    out.push(
      file(
        SERVICES_MANIFEST,
        yamlDocuments(
          [
            `The Services of cluster ${cfg.cluster}: kubectl apply -f this-file (the emulated control plane applies`,
            `it to its own store at boot). Rendered by lab from ${lab.name}.`,
          ],
          services.map(serviceManifest),
        ),
      ),
    );
  return out;
}
