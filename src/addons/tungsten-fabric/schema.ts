// Tungsten Fabric's part of a cluster's add-ons: version, vRouter gateway, subnets.
import { z } from 'zod';
import { address, count, imageTag, name, prefix } from '../../core/schema-parts.js';

export const tungstenFabricSchema = z
  .object({
    version: imageTag.describe('the Tungsten Fabric image tag (CONTRAIL_CONTAINER_TAG), e.g. 2011.L5'),
    vrouter_gateway: address.describe("VROUTER_GATEWAY: the gateway of the nodes' underlay network"),
    pod_subnets: prefix.optional().describe('KUBERNETES_POD_SUBNETS; defaults to the cluster pod subnet'),
    service_subnets: prefix
      .optional()
      .describe('KUBERNETES_SERVICE_SUBNETS; defaults to the cluster service subnet'),
    fabric_subnets: prefix
      .optional()
      .describe('KUBERNETES_IP_FABRIC_SUBNETS; defaults to the cluster fabric subnet'),
    service: z
      .object({
        name: name.default('web'),
        index: count
          .default(10)
          .describe('its ClusterIP: this many addresses into KUBERNETES_SERVICE_SUBNETS'),
      })
      .strict()
      .optional()
      .describe(
        'a demo service: one backend pod per vRouter node answers HTTP with its cluster and pod name; the ClusterIP is a floating IP every backend holds',
      ),
  })
  .strict();

export type TungstenFabricConfig = z.infer<typeof tungstenFabricSchema>;
