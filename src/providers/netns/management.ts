// The management network: the root namespace's only view of a lab. Its prefix is chosen so that it
// collides with no host route and no other running lab.
import { PreflightError } from '../../errors.js';
import { freeSubnet } from '../../net/free-subnet.js';
import { formatIPv4, hostAt, parsePrefix } from '../../net/ipv4.js';

/** RFC 2544's benchmarking range: meant for labs, never routed on the Internet. */
const POOL = parsePrefix('198.18.0.0/15');
export const MGMT_LENGTH = 22;

export function allocateManagementPrefix(seed: string, taken: string[]): string {
  const free = freeSubnet(POOL, MGMT_LENGTH, seed, taken);
  if (free) return free;
  throw new PreflightError(
    'no free management prefix in 198.18.0.0/15: every block collides with a host route or a running lab; run lab gc, or set management.prefix in the lab file',
  );
}

/** .1 is the host; nodes from .2 on, in lab order. */
export function managementAddresses(
  prefix: string,
  nodes: number,
): { host: string; nodes: string[]; length: number } {
  const p = parsePrefix(prefix);
  return {
    host: formatIPv4(hostAt(p, 1)),
    nodes: Array.from({ length: nodes }, (_, i) => formatIPv4(hostAt(p, i + 2))),
    length: p.length,
  };
}
