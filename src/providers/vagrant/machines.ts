// The VMs of the full realization: one per node, sized by its roles, on the lab's networks.

import type { Lab, Node } from '../../core/lab.js';
import { DefinitionError } from '../../errors.js';
import { formatIPv4 } from '../../net/ipv4.js';
import { roleOf } from '../../roles/index.js';
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

/** CPUs and memory of the heaviest role a node has (its role's vm.size), else a small VM. */
const SMALL = { cpus: 1, memoryMb: 512 };

const netmaskOf = (length: number) => formatIPv4(length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0);

export function sizeOf(node: Node): { cpus: number; memoryMb: number } {
  const sizes = node.roles.flatMap((r) => roleOf(r)?.vm?.size ?? []);
  return sizes.reduce((a, b) => (b.memoryMb > a.memoryMb ? b : a), SMALL);
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
