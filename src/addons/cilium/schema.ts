// The `cilium` add-on of a cluster: the Helm values that matter to a Cluster Mesh, and the demo's
// Services (global services are ordinary Services with Cilium's annotations).
import { z } from 'zod';
import { token, version } from '../../core/schema-parts.js';

const service = z
  .object({
    name: token('a Service name').describe(
      'the Service name: the same name and namespace in every cluster make it one global service',
    ),
    namespace: token('a namespace').default('default'),
    cluster_ip: token('an address')
      .optional()
      .describe("its ClusterIP; defaults to the cluster's service subnet + 10 + its index"),
    port: z.number().int().min(1).max(65535).default(80),
    target_port: z.number().int().min(1).max(65535).optional().describe("the pods' port; defaults to port"),
    protocol: z.enum(['TCP', 'UDP']).default('TCP'),
    selector: z.record(z.string(), z.string()).describe('the labels of its pods (workloads with labels:)'),
    annotations: z
      .record(z.string(), z.union([z.string(), z.boolean(), z.number()]))
      .default({})
      .describe(
        'service.cilium.io/global: "true", service.cilium.io/shared: "false", service.cilium.io/affinity: local|remote|none',
      ),
  })
  .strict();

export const ciliumSchema = z
  .object({
    version,
    cluster_name: token('a cluster name')
      .optional()
      .describe('defaults to the cluster key; at most 32 lowercase characters'),
    tunnel_protocol: z.enum(['vxlan', 'geneve']).default('vxlan'),
    clustermesh_node_port: z.number().int().min(30000).max(32767),
    max_connected_clusters: z.union([z.literal(255), z.literal(511)]).default(255),
    mtu: z
      .number()
      .int()
      .min(0)
      .max(9000)
      .default(0)
      .describe("the pods' MTU (Helm MTU); 0 detects it: the underlay's minus the tunnel's 50 bytes"),
    cluster_pool_mask_size: z
      .number()
      .int()
      .min(16)
      .max(28)
      .default(24)
      .describe('ipam.operator.clusterPoolIPv4MaskSize: the share of the pool each node gets'),
    services: z.array(service).default([]).describe("the cluster's Services, applied on its control plane"),
  })
  .strict();

export type CiliumAddon = z.infer<typeof ciliumSchema>;
export type CiliumService = z.infer<typeof service>;
export type CiliumConfig = CiliumAddon;
