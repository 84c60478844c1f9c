// The tunnel datapath without eBPF: one VXLAN device per node (UDP 8472), and per remote node a
// forwarding entry (its device's MAC behind its node IP), a neighbor entry for its router IP and a
// route for its pod CIDR through the tunnel. The device's MAC derives from the router IP, so every
// node computes every other node's MAC from what the kvstore holds.
import { execFileSync } from 'node:child_process';
import type { AgentConfig } from './config.js';
import type { MeshNode } from './layout.js';

export const DEVICE = 'cilium_vxlan';

/** A locally administered unicast MAC from an IPv4 address: 10.1.0.254 is 02:00:0a:01:00:fe. */
export function macOf(ip: string): string {
  return ['02', '00', ...ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}

export function deviceCommands(c: AgentConfig): string[] {
  return [
    `link add ${DEVICE} address ${macOf(c.routerIP)} mtu ${c.mtu} type vxlan id ${c.tunnel.vni} dstport ${c.tunnel.port} local ${c.nodeIP} dev ${c.device} nolearning`,
    `addr add ${c.routerIP}/32 dev ${DEVICE}`,
    `link set ${DEVICE} up`,
  ];
}

/** `ip -batch` and `bridge -batch` lines that send a remote node's pod CIDR through the tunnel. */
export function nodeCommands(n: MeshNode): { ip: string[]; bridge: string[] } {
  return {
    ip: [
      `neigh replace ${n.routerIP} lladdr ${macOf(n.routerIP)} dev ${DEVICE} nud permanent`,
      `route replace ${n.podCIDR} via ${n.routerIP} dev ${DEVICE} onlink`,
    ],
    bridge: [`fdb replace ${macOf(n.routerIP)} dev ${DEVICE} dst ${n.nodeIP} self permanent`],
  };
}

export function removeNodeCommands(n: MeshNode): { ip: string[]; bridge: string[] } {
  return {
    ip: [`route del ${n.podCIDR} dev ${DEVICE}`, `neigh del ${n.routerIP} dev ${DEVICE}`],
    bridge: [`fdb del ${macOf(n.routerIP)} dev ${DEVICE} self`],
  };
}

export function runBatch(tool: 'ip' | 'bridge', lines: string[], force = false): void {
  if (!lines.length) return;
  execFileSync(tool, [...(force ? ['-force'] : []), '-batch', '-'], {
    input: `${lines.join('\n')}\n`,
    stdio: ['pipe', 'ignore', force ? 'ignore' : 'pipe'],
  });
}

/** Creates the device unless it exists (an agent restarted keeps its datapath, as Cilium's does). */
export function setupDevice(c: AgentConfig): void {
  execFileSync('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  try {
    execFileSync('ip', ['link', 'show', DEVICE], { stdio: 'ignore' });
  } catch {
    runBatch('ip', deviceCommands(c));
  }
}
