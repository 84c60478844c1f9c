// MetalLB's traps: configInline outside the charts that read it, CRDs before 0.13.2, FRR mode with
// several myASN, clients with no route to a pool.
import { type Issue, issue } from '../../core/issue.js';
import { type Cluster, type Lab, networkByName, selectNodes } from '../../core/lab.js';
import type { Rule } from '../../lint/rule.js';
import { prefixCovers } from '../../net/ip.js';

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
          const routed =
            client.routes.some((r) => r.to === 'default' || prefixCovers(r.to, a)) ||
            client.interfaces.some((i) => prefixCovers(networkByName(lab, i.network)?.prefix ?? '', a));
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
