// MetalLB's traps: configInline outside the charts that read it, CRDs before 0.13.2, FRR mode with
// several myASN, clients with no route to a pool.
import { type Issue, issue } from '../../core/issue.js';
import { type Cluster, type Lab, networkByName, selectNodes } from '../../core/lab.js';
import type { Rule } from '../../lint/rule.js';
import { isAdvertised } from './derive.js';
import { firstUsable, poolRange, rangeWithin } from './pool-ranges.js';

function versionTuple(v: string): number[] {
  return v
    .replace(/^v/, '')
    .split('.')
    .map((x) => Number.parseInt(x, 10) || 0);
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [versionTuple(a), versionTuple(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

function clusterIssues(lab: Lab, c: Cluster): Issue[] {
  const m = c.addons.metallb;
  if (!m) return [];
  const out: Issue[] = [];
  const path = [...c.path, 'addons', 'metallb'];
  m.pools.forEach((pool, i) => {
    pool.addresses.forEach((a, j) => {
      const range = poolRange(a);
      if (range && 'error' in range) {
        out.push(
          issue(
            'prefix-invalid',
            [...path, 'pools', i, 'addresses', j],
            `pool ${pool.name}: ${range.error}`,
            'MetalLB takes a CIDR (172.16.254.0/24) or a range (172.16.254.10-172.16.254.20): the pool is refused and no service gets an address',
          ),
        );
      }
      if (!a.includes(':')) return;
      out.push(
        issue(
          'metallb-ipv6-pool',
          [...path, 'pools', i, 'addresses', j],
          `pool ${pool.name} holds the IPv6 range ${a}: the emulated speakers announce IPv4 service addresses only`,
          'no node would announce it and the checks would wait in vain: keep IPv6 pools out of emulated labs for now (dual-stack routers and sessions work; MetalLB IPv6 does not yet)',
        ),
      );
    });
  });
  m.pools.forEach((pool, i) => {
    const ipv4 = pool.addresses.map(poolRange).filter((r) => r && !('error' in r));
    if (ipv4.length && !firstUsable(pool)) {
      out.push(
        issue(
          'pool-exhausted',
          [...path, 'pools', i],
          `pool ${pool.name} holds no address a service can get${pool.avoid_buggy_ips ? ' (avoid_buggy_ips skips every .0 and .255)' : ''}`,
          'the service stays <pending> and nothing is announced: widen the pool, or set avoid_buggy_ips: false',
        ),
      );
    }
  });
  m.advertisements.forEach((a, i) => {
    a.pools.forEach((name, j) => {
      if (m.pools.some((p) => p.name === name)) return;
      out.push(
        issue(
          'unknown-reference',
          [...path, 'advertisements', i, 'pools', j],
          `advertisement ${a.name} names pool '${name}', which is no pool of this MetalLB`,
          `the advertisement is refused and its pools are not announced: name one of ${m.pools.map((p) => p.name).join(', ')}, or list no pools to select every pool`,
        ),
      );
    });
  });
  const assigning = m.pools.find((p) => p.auto_assign);
  if (assigning && m.config === 'crds' && !isAdvertised(m, assigning.name)) {
    out.push(
      issue(
        'metallb-not-advertised',
        [...path, 'advertisements'],
        `pool ${assigning.name} gives the service its address, but no BGPAdvertisement selects it`,
        'MetalLB assigns the address and announces nothing: the router never learns it. Add an advertisement listing the pool (or one with no pools, which selects all)',
      ),
    );
  }
  if (m.config === 'configInline') {
    const v = m.chart_version;
    if (compareVersions(v, '0.12.1') > 0) {
      const symptom =
        compareVersions(v, '0.13.3') >= 0
          ? 'the chart fails on purpose when configInline is set'
          : 'the chart ignores configInline silently and no service gets an address';
      out.push(
        issue(
          'metallb-config-inline',
          [...path, 'config'],
          `MetalLB chart ${v} does not support configInline (only 0.10.0 to 0.12.1)`,
          `${symptom}: use config: crds (IPAddressPool, BGPPeer, BGPAdvertisement)`,
        ),
      );
    } else if (compareVersions(v, '0.10.0') < 0) {
      out.push(
        issue(
          'metallb-config-inline',
          [...path, 'chart_version'],
          `MetalLB chart ${v} predates configInline (0.10.0 to 0.12.1)`,
          'the value is ignored and no service gets an address: use a chart from 0.10.0 to 0.12.1, or CRDs with 0.13.2+',
        ),
      );
    }
  } else if (compareVersions(m.chart_version, '0.13.2') < 0) {
    out.push(
      issue(
        'metallb-crds-too-old',
        [...path, 'chart_version'],
        `MetalLB chart ${m.chart_version} has no CRDs (they start with 0.13.2)`,
        'kubectl apply fails with "no matches for kind IPAddressPool": use chart 0.13.2 or later',
      ),
    );
  }
  if (m.speaker === 'frr' && new Set(m.peers.map((p) => p.my_asn)).size > 1) {
    out.push(
      issue(
        'metallb-frr-asn',
        [...path, 'peers'],
        'MetalLB in FRR mode needs one myASN for all peers',
        'the FRR speaker rejects the configuration and no session comes up: use one myASN',
      ),
    );
  }
  for (const sel of m.reachable_from) {
    const clients = selectNodes(lab, sel);
    if (!clients.length)
      out.push(
        issue(
          'unknown-reference',
          [...path, 'reachable_from'],
          `no node named '${sel}'`,
          'list client nodes defined under nodes:',
        ),
      );
    for (const client of clients) {
      for (const pool of m.pools) {
        for (const a of pool.addresses) {
          const range = poolRange(a);
          if (!range || 'error' in range) continue; // IPv6 or malformed: said above
          const covers = (prefix: string) => rangeWithin(range, prefix);
          const routed =
            client.routes.some((r) => r.to === 'default' || covers(r.to)) ||
            client.interfaces.some((i) => covers(networkByName(lab, i.network)?.prefix ?? ''));
          if (!routed) {
            out.push(
              issue(
                'pool-not-routed',
                [...path, 'pools'],
                `client ${client.name} has no route to the MetalLB pool ${a}`,
                `curl from ${client.name} times out although BGP is up: add a route to ${a} via the router (client routes:)`,
              ),
            );
          }
        }
      }
    }
  }
  return out;
}

export const metallbRules: Rule = (lab) => lab.clusters.flatMap((c) => clusterIssues(lab, c));
