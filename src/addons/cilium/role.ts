// The cilium-agent role, emulated: on the control plane the clustermesh-apiserver's etcd first; then
// the agent; then the cluster's Services and the lab's pods on this node, through the node's k8s tool.
import { join } from 'node:path';
import type { Role } from '../../contracts/role.js';
import type { Lab, Node } from '../../core/lab.js';
import type { StartCommand } from '../../daemons/daemon.js';
import { ETCDCTL } from '../../daemons/etcd.js';
import { DAEMONS } from '../../daemons/index.js';
import { PROJECT_DIR } from '../../paths.js';
import { shellQuote } from '../../shell-quote.js';
import { AGENT_ROLE, agentConfigOf } from './derive.js';
import {
  AGENT_CTL,
  AGENT_PIDFILE,
  K8S_TOOL,
  renderAgentFiles,
  SERVICES_MANIFEST,
  servicesOf,
} from './render.js';

export const AGENT_PROGRAM = join(PROJECT_DIR, 'dist', 'addons', 'cilium', 'agent', 'main.js');

function startCommands(lab: Lab, node: Node): StartCommand[] {
  const cfg = agentConfigOf(lab, node);
  const cluster = lab.clusters.find((c) => c.name === node.cluster);
  if (!cfg || !cluster) return [];
  const cp = node.name === cluster.controlPlane;
  const pods = lab.workloads.filter((w) => w.node === node.name);
  return [
    {
      name: 'cilium-program',
      run: `mkdir -p /run/cilium && ln -sf ${shellQuote(process.execPath)} /run/cilium/node && ln -sf ${shellQuote(AGENT_PROGRAM)} /run/cilium/agent.js`,
    },
    ...(cp ? [DAEMONS.etcd.start] : []),
    { name: 'cilium-agent', run: `${AGENT_CTL} start`, pidfile: AGENT_PIDFILE },
    ...(cp && servicesOf(lab, cluster.name).length
      ? [{ name: 'services', run: `${K8S_TOOL} apply -f ${SERVICES_MANIFEST}` }]
      : []),
    ...pods.map((w) => ({
      name: `pod ${w.name}`,
      run: [
        K8S_TOOL,
        'pod',
        'add',
        w.name,
        ...Object.entries(w.labels).flatMap(([k, v]) => ['--label', shellQuote(`${k}=${v}`)]),
        ...(w.serve !== undefined ? ['--serve', shellQuote(w.serve)] : []),
      ].join(' '),
    })),
  ];
}

export const ciliumAgent: Role = {
  name: AGENT_ROLE,
  needsIpv4: true,
  description:
    'Cilium agent in tunnel mode: VXLAN to every node of the mesh, global services by nftables; on the control plane, the clustermesh-apiserver etcd',
  render: renderAgentFiles,
  start: startCommands,
  needs: (lab, node) => ({
    daemons: [
      ...(lab.clusters.some((c) => c.controlPlane === node.name) ? (['etcd'] as const) : []),
      // pods that serve HTTP run nginx
      ...(lab.workloads.some((w) => w.node === node.name && w.serve !== undefined)
        ? (['nginx'] as const)
        : []),
    ],
    tools: [ETCDCTL, { command: 'nft', package: 'nftables' }, { command: 'bridge', package: 'iproute2' }],
  }),
  // on VMs the agent is Cilium's own, from its chart (the add-on's vm)
  vm: {},
};
