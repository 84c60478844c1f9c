// MetalLB's part of a cluster's add-ons: chart, pools, BGP peers, advertisements.
import { z } from 'zod';
import { address, asn, name, selector, token, version } from '../../core/schema-parts.js';

const metallbPool = z
  .object({
    name,
    addresses: z
      .array(token('a CIDR or a range').describe('a CIDR (a.b.c.d/len) or a range (a.b.c.d-e.f.g.h)'))
      .min(1),
    avoid_buggy_ips: z.boolean().default(false),
    auto_assign: z.boolean().default(true),
  })
  .strict();

/** MetalLB's BFDProfile (FRR mode only): its spec's fields, with MetalLB's ranges; unset: its defaults. */
const ms = (min: number, max: number, dflt: number) =>
  z.number().int().min(min).max(max).optional().describe(`ms, ${min}-${max}; MetalLB's default ${dflt}`);
const bfdProfile = z
  .object({
    name,
    receive_interval: ms(10, 60000, 300),
    transmit_interval: ms(10, 60000, 300),
    detect_multiplier: z.number().int().min(2).max(255).optional().describe("2-255; MetalLB's default 3"),
    echo_mode: z.boolean().optional().describe('echo packets (works when the peer is FRR too)'),
    echo_interval: ms(10, 60000, 50),
    passive_mode: z.boolean().optional().describe('wait for the peer to start the session'),
    minimum_ttl: z
      .number()
      .int()
      .min(1)
      .max(254)
      .optional()
      .describe("multihop sessions; MetalLB's default 254"),
  })
  .strict();

export const metallbSchema = z
  .object({
    chart_version: version.describe('Helm chart version, e.g. 0.14.8'),
    config: z
      .enum(['crds', 'configInline'])
      .default('crds')
      .describe('configInline works only with charts 0.10.0 to 0.12.1'),
    speaker: z.enum(['native', 'frr']).default('native'),
    pools: z.array(metallbPool).min(1),
    peers: z
      .array(
        z
          .object({
            name,
            peer_address: address,
            peer_asn: asn,
            my_asn: asn,
            hold_time: token('a duration such as 90s').optional(),
            keepalive_time: token('a duration such as 30s').optional(),
            bfd_profile: name
              .optional()
              .describe('a BFD profile of bfd_profiles: BFD on this session (speaker: frr)'),
          })
          .strict(),
      )
      .min(1),
    bfd_profiles: z
      .array(bfdProfile)
      .optional()
      .describe("BFDProfiles, named by peers' bfd_profile (MetalLB runs BFD in FRR mode only)"),
    advertisements: z
      .array(z.object({ name, pools: z.array(name).default([]) }).strict())
      .default([])
      .describe(
        'BGPAdvertisements (no pools: every pool); none listed: one announcing every pool is rendered',
      ),
    reachable_from: z
      .array(selector)
      .default([])
      .describe('client nodes that must have a route to every pool'),
  })
  .strict();

export type MetallbConfig = z.infer<typeof metallbSchema>;
