// Calico's part of a cluster's add-ons: its AS, BGP peers, mesh, IP pools.
import { z } from 'zod';
import { address, asn, name, prefix, version } from '../../core/schema-parts.js';

export const calicoSchema = z
  .object({
    version,
    as: asn,
    node_to_node_mesh: z.boolean().default(false),
    peers: z.array(z.object({ name, peer_ip: address, as: asn }).strict()).default([]),
    pools: z
      .array(
        z
          .object({
            name,
            cidr: prefix,
            block_size: z.number().int().min(20).max(32).default(26),
            ipip_mode: z.enum(['Never', 'Always', 'CrossSubnet']).default('Never'),
            vxlan_mode: z.enum(['Never', 'Always', 'CrossSubnet']).default('Never'),
            nat_outgoing: z.boolean().default(false),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type CalicoConfig = z.infer<typeof calicoSchema>;
