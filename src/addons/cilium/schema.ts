// Cilium's part of a cluster's add-ons: version, mesh name, tunnel, clustermesh API port.
import { z } from 'zod';

export const ciliumSchema = z
  .object({
    version: z.string(),
    cluster_name: z
      .string()
      .optional()
      .describe('defaults to the cluster key; at most 32 lowercase characters'),
    tunnel_protocol: z.enum(['vxlan', 'geneve']).default('vxlan'),
    clustermesh_node_port: z.number().int().min(30000).max(32767),
    max_connected_clusters: z.union([z.literal(255), z.literal(511)]).default(255),
  })
  .strict();

export type CiliumConfig = z.infer<typeof ciliumSchema>;
