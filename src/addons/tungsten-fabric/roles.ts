// Tungsten Fabric's two node roles, emulated: the controller (its control node split along its two
// faces: BIRD speaks BGP to the routers TF registers, GoBGP is the agents' XMPP side and the RIB) and
// the vRouter (an agent that wires pods, publishes them and tunnels to the other vRouters over VXLAN).
import type { Role } from '../../contracts/role.js';
import { shellQuote } from '../../shell-quote.js';
import { tfClusterOf, tfPodsOf } from './derive.js';
import {
  CONTROL_NODE_BGP_CONF,
  CONTROL_NODE_CONF,
  controlNodeBgp,
  renderConfigMaps,
  renderControlNode,
  renderControlNodeBgp,
  renderVrouterAgent,
  VROUTER_AGENT,
  VROUTER_CONFIGMAPS,
  XMPP_PORT,
} from './render.js';

export const tfController: Role = {
  name: 'tf-controller',
  speaksBgp: true,
  needsIpv4: true,
  description:
    'Tungsten Fabric controller: its control node peers over BGP (BIRD) and serves the vRouter agents (GoBGP, their XMPP side)',
  render: (lab, node) => {
    const c = tfClusterOf(lab, node);
    if (c?.controlNode?.name !== node.name) return [];
    return [
      {
        node: node.name,
        path: CONTROL_NODE_CONF,
        content: renderControlNode(lab, node, c),
        validator: 'gobgp',
      },
      {
        node: node.name,
        path: CONTROL_NODE_BGP_CONF,
        content: renderControlNodeBgp(lab, node, c),
        validator: 'bird',
      },
    ];
  },
  start: (lab, node) => {
    const c = tfClusterOf(lab, node);
    if (c?.controlNode?.name !== node.name) return [];
    const api = `${controlNodeBgp(node, c).localAddress}:${XMPP_PORT}`;
    return [
      // a control node is no router: with VROUTER_GATEWAY pointing here, the vRouters' traffic stops here
      { name: 'no-forwarding', run: 'sysctl -qw net.ipv4.ip_forward=0' },
      {
        name: 'control-node',
        run: `setsid -f sh -c 'echo $$ > /run/contrail-control.pid; exec gobgpd -f ${CONTROL_NODE_CONF} -p --api-hosts=127.0.0.1:50051,${api} --pprof-disable' < /dev/null > /var/log/contrail-control.log 2>&1`,
        pidfile: '/run/contrail-control.pid',
        program: 'gobgpd',
      },
      // the BGP face, started second: it connects to the XMPP side within its first second
      {
        name: 'control-node-bgp',
        run: `bird -c ${CONTROL_NODE_BGP_CONF} -P /run/bird/bird.pid`,
        runDirs: ['/run/bird'],
        pidfile: '/run/bird/bird.pid',
        program: 'bird',
      },
    ];
  },
  needs: () => ({ daemons: ['gobgp', 'bird'] }),
  // the control node peers over BGP as the lab says (TF's BGP router objects)
  honours: ['bgp.as', 'bgp.router_id', 'bgp.neighbors', 'bgp.neighbors.peer', 'bgp.import', 'bgp.export'],
  // on VMs TF's own controller, from its manifest (the add-on's vm)
  vm: { size: { cpus: 4, memoryMb: 31744 } },
};

export const tfVrouter: Role = {
  name: 'tf-vrouter',
  needsIpv4: true,
  description:
    "Tungsten Fabric vRouter: the node's pods, their routes published and the others' installed, tunnelled in VXLAN",
  render: (lab, node) => {
    const c = tfClusterOf(lab, node);
    if (!c?.podSubnets || !c.serviceSubnets) return [];
    return [
      { node: node.name, path: VROUTER_CONFIGMAPS, content: renderConfigMaps(lab, c), manifest: 'tf' },
      { node: node.name, path: VROUTER_AGENT, content: renderVrouterAgent(lab, node), mode: 0o755 },
    ];
  },
  start: (lab, node) => {
    if (!tfClusterOf(lab, node)) return [];
    return [
      { name: 'vrouter-setup', run: `${VROUTER_AGENT} setup` },
      ...tfPodsOf(lab, node).map((p) => ({
        name: `pod ${p.name}`,
        run: [VROUTER_AGENT, 'pod-add', p.name, String(p.index), p.serve ?? '', p.serviceIndex ?? '']
          .map((a) => shellQuote(String(a)))
          .join(' '),
      })),
      {
        name: 'vrouter-agent',
        run: `setsid -f sh -c 'echo $$ > /run/vrouter-agent.pid; exec ${VROUTER_AGENT} run' < /dev/null > /var/log/vrouter-agent.log 2>&1`,
        pidfile: '/run/vrouter-agent.pid',
      },
    ];
  },
  // the agent (bash) talks to its control node with gobgp and reads its table as JSON (jq); its pods
  // answer with nginx; the lab's README walks through its traps with ping
  needs: () => ({
    daemons: ['gobgp', 'nginx'],
    tools: [
      { command: 'bash', package: 'bash' },
      { command: 'jq', package: 'jq' },
      { command: 'ping', package: 'iputils-ping' },
    ],
  }),
  vm: { size: { cpus: 2, memoryMb: 8192 } },
};
