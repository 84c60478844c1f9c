// Calico's node agent, emulated: BIRD with iBGP to the cluster's BGPPeers, announcing the blocks the
// node holds, and a node-local `workload` tool that wires pods as Calico's CNI plugin does.

import type { Role } from '../../contracts/role.js';
import type { Lab, Node } from '../../core/lab.js';
import { clusterOf } from '../../core/lab.js';
import { header, renderTemplate } from '../../core/templates.js';
import { bird } from '../../daemons/bird.js';
import { parsePrefix, size } from '../../net/ipv4.js';
import { shellQuote } from '../../shell-quote.js';
import { NODE_ROLE, WORKLOAD_TOOL } from './derive.js';
import { calicoNodeVm } from './vm.js';

/** BIRD prefix patterns matching exactly the blocks of the cluster's pools: 192.168.0.0/17{26,26}. */
export function blockPatterns(lab: Lab, node: Node): string {
  const calico = clusterOf(lab, node)?.addons.calico;
  return (calico?.pools ?? []).map((p) => `${p.cidr}{${p.block_size},${p.block_size}}`).join(', ');
}

function workloadTool(lab: Lab, node: Node): string {
  const block = lab.blocks[node.name];
  const [a, b, c, d] = block.split('/')[0].split('.');
  return renderTemplate('calico/workload.sh.njk', {
    ...header(lab),
    node,
    block,
    net: `${a}.${b}.${c}`,
    first: d,
    size: size(parsePrefix(block)),
  });
}

export const calicoNode: Role = {
  name: NODE_ROLE,
  speaksBgp: true,
  needsIpv4: true,
  description: "Calico node agent: BIRD announcing the node's pod blocks over iBGP, and a workload tool",
  render: (lab, node) => {
    const calico = clusterOf(lab, node)?.addons.calico;
    const conf = renderTemplate('bird/calico-node.conf.njk', {
      ...header(lab),
      node,
      bgp: node.bgp,
      mesh: calico?.node_to_node_mesh ?? false,
      blocks: blockPatterns(lab, node),
    });
    return [
      { node: node.name, path: '/etc/bird/bird.conf', content: conf, validator: 'bird' },
      ...(lab.blocks[node.name]
        ? [{ node: node.name, path: WORKLOAD_TOOL, content: workloadTool(lab, node), mode: 0o755 }]
        : []),
    ];
  },
  start: (lab, node) => [
    { name: 'forwarding', run: 'sysctl -qw net.ipv4.ip_forward=1' },
    bird.start,
    // the demo's workloads land here, in the order the lab lists them
    ...lab.workloads
      .filter((w) => w.node === node.name)
      .map((w) => ({
        name: `workload ${w.name}`,
        run: `${WORKLOAD_TOOL} add ${w.name}${w.serve ? ` ${shellQuote(w.serve)}` : ''}`,
      })),
  ],
  // a workload that answers HTTP runs nginx in its namespace
  needs: (lab, node) => ({
    daemons: lab.workloads.some((w) => w.node === node.name && w.serve) ? ['bird', 'nginx'] : ['bird'],
  }),
  vm: calicoNodeVm,
};
