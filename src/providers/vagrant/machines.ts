// The VMs of the full realization: one per node, sized by its roles, on the lab's networks.

import type { Lab, Node } from '../../core/lab.js';
import { DefinitionError } from '../../errors.js';
import { formatIPv4 } from '../../net/ipv4.js';
import { refuseUnrealized } from './realizable.js';

export interface PrivateNetwork {
  network: string;
  address: string;
  netmask: string;
  mtu: number;
  /** libvirt network / VirtualBox internal network name: unique per instance. */
  switchName: string;
}

export interface Machine {
  node: string;
  /** The VM's name in libvirt or VirtualBox: found by this prefix when a crashed run left it. */
  vmName: string;
  cpus: number;
  memoryMb: number;
  networks: PrivateNetwork[];
}

/** CPUs and memory by the heaviest role a node has (kubeadm wants 2 CPUs and 1700 MB at least). */
const SIZES: { role: string; cpus: number; memoryMb: number }[] = [
  { role: 'tf-controller', cpus: 4, memoryMb: 31744 },
  { role: 'tf-vrouter', cpus: 2, memoryMb: 8192 },
  { role: 'k8s-control-plane', cpus: 2, memoryMb: 3072 },
  { role: 'k8s-worker', cpus: 2, memoryMb: 2048 },
  { role: 'dcos-master', cpus: 2, memoryMb: 2048 },
  { role: 'dcos-agent', cpus: 2, memoryMb: 2048 },
];
const SMALL = { cpus: 1, memoryMb: 512 };

const netmaskOf = (length: number) => formatIPv4(length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0);

export function sizeOf(node: Node): { cpus: number; memoryMb: number } {
  return SIZES.find((s) => node.roles.includes(s.role)) ?? SMALL;
}

/** Names of what one instance creates on the hypervisor all start with this. */
export function vmPrefix(lab: string, instance: string): string {
  return `lab-${lab}-${instance}-`;
}

export function machinesOf(lab: Lab, instance: string): Machine[] {
  refuseUnrealized(lab);
  const prefix = vmPrefix(lab.name, instance);
  return lab.nodes.map((node) => ({
    node: node.name,
    vmName: `${prefix}${node.name}`,
    ...sizeOf(node),
    networks: node.interfaces.map((i) => {
      const net = lab.networks.find((n) => n.name === i.network)!;
      if (!i.address || net.length === undefined)
        throw new DefinitionError(
          `${node.name}: ${net.name} is IPv6 only, and the VMs' private networks take an IPv4 address here; give ${net.name} a prefix too (dual stack), or bring the lab up on netns`,
        );
      return {
        network: net.name,
        address: i.address,
        netmask: netmaskOf(net.length),
        mtu: net.mtu,
        switchName: `${prefix}${net.name}`,
      };
    }),
  }));
}

/** What all VMs together ask of the host. */
export function totals(machines: Machine[]): { cpus: number; memoryMb: number } {
  return machines.reduce((t, m) => ({ cpus: t.cpus + m.cpus, memoryMb: t.memoryMb + m.memoryMb }), {
    cpus: 0,
    memoryMb: 0,
  });
}
