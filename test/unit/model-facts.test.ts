// Beside each golden lab.json (the code's own earlier output, rewritten by UPDATE_GOLDEN=1), what a
// person reads in the lab's README, written here by hand so that no regeneration can overwrite it:
// each node's roles, each BGP speaker's AS and peers, the checks by name.
import { describe, expect, it } from 'vitest';
import type { Lab } from '../../src/core/lab.js';
import { openLab } from '../../src/model/open.js';
import { labFile } from '../helpers/labs.js';

interface Facts {
  roles: Record<string, string[]>;
  /** speaker: [its AS, 'peer address AS' for each neighbor] */
  bgp: Record<string, [number, string[]]>;
  checks: string[];
}

const K8S_WORKER_SPEAKER = ['k8s-worker', 'metallb-speaker', 'http-backend'];
const RR = '172.16.18.32 AS64511';

const FACTS: Record<string, Facts> = {
  // README: client ── router (BIRD, AS 11000) ── k8s-network ── master, three workers (MetalLB, AS 22000)
  'bgp-metallb': {
    roles: {
      router: ['bird-router'],
      master: ['k8s-control-plane'],
      worker1: K8S_WORKER_SPEAKER,
      worker2: K8S_WORKER_SPEAKER,
      worker3: K8S_WORKER_SPEAKER,
      client: ['netplan-routes'],
    },
    bgp: {
      router: [11000, ['10.0.0.51 AS22000', '10.0.0.52 AS22000', '10.0.0.53 AS22000']],
      worker1: [22000, ['10.0.0.1 AS11000']],
      worker2: [22000, ['10.0.0.1 AS11000']],
      worker3: [22000, ['10.0.0.1 AS11000']],
    },
    checks: [
      'router-bird-up',
      'client-routes',
      'sessions-established',
      'ecmp-route',
      'client-reaches-service',
      'load-is-spread',
    ],
  },
  // README: three clusters of a control plane and a worker, their node networks meeting at wan; no BGP
  'cilium-clustermesh': {
    roles: {
      wan: ['ip-router'],
      ...Object.fromEntries(
        [1, 2, 3].flatMap((c) => [
          [`c${c}-cp`, ['k8s-control-plane', 'cilium-agent', 'netplan-routes']],
          [`c${c}-worker`, ['k8s-worker', 'cilium-agent', 'netplan-routes']],
        ]),
      ),
    },
    bgp: {},
    checks: [
      'agents-see-every-node',
      'pod-to-pod-every-direction',
      'global-service-from-c1',
      'rules-from-c2',
      'rules-from-c3',
      'vxlan-tunnel-and-mtu',
      'wan-reachable',
    ],
  },
  // README: every Calico node a client of one GoBGP route reflector (rr, 172.16.18.32), iBGP AS 64511
  'multi-coe-calico': {
    roles: {
      rr: ['gobgp-route-reflector'],
      'k8s-controller': ['k8s-control-plane', 'calico-node'],
      'k8s-worker1': ['k8s-worker', 'calico-node'],
      'k8s-worker2': ['k8s-worker', 'calico-node'],
      'k8s-worker3': ['k8s-worker', 'calico-node'],
      'dcos-master': ['dcos-master', 'calico-node'],
      'dcos-private1': ['dcos-agent', 'calico-node'],
      'dcos-private2': ['dcos-agent', 'calico-node'],
      'dcos-public1': ['dcos-agent', 'calico-node'],
    },
    bgp: {
      rr: [64511, ['33', '34', '35', '36', '43', '44', '45', '46'].map((h) => `172.16.18.${h} AS64511`)],
      'k8s-controller': [64511, [RR]],
      'k8s-worker1': [64511, [RR]],
      'k8s-worker2': [64511, [RR]],
      'k8s-worker3': [64511, [RR]],
      'dcos-master': [64511, [RR]],
      'dcos-private1': [64511, [RR]],
      'dcos-private2': [64511, [RR]],
      'dcos-public1': [64511, [RR]],
    },
    checks: [
      'reflector-up',
      'k8s-sessions',
      'k8s-blocks',
      'reflector-sessions',
      'reflector-rib',
      'dcos-block-on-k8s',
      'pod-to-container',
      'container-to-pod',
    ],
  },
  // README: the gateway (BIRD, AS 64600) joins 10.10.0.0/24 and 10.20.0.0/24; control nodes of A (64512)
  // and B (64513) peer with it and with each other
  'tf-multicluster': {
    roles: {
      gateway: ['bird-router'],
      'a-master': ['k8s-control-plane', 'tf-controller'],
      'a-worker1': ['k8s-worker', 'tf-vrouter'],
      'b-master': ['k8s-control-plane', 'tf-controller'],
      'b-worker1': ['k8s-worker', 'tf-vrouter'],
    },
    bgp: {
      gateway: [64600, ['10.10.0.10 AS64512', '10.20.0.10 AS64513']],
      'a-master': [64512, ['10.10.0.1 AS64600', '10.20.0.10 AS64513']],
      'b-master': [64513, ['10.20.0.1 AS64600', '10.10.0.10 AS64512']],
    },
    checks: [
      'gateway-up',
      'control-nodes-peered',
      'gateway-peered',
      'a-control-node-pods',
      'a-control-node-rib',
      'b-control-node-rib',
      'pods-a-to-b',
      'pods-b-to-a',
      'a-tunnels-to-b',
      'b-tunnels-to-a',
      'service-b-from-a',
      'service-a-from-b',
      'a-vrouter-underlay',
      'b-vrouter-underlay',
    ],
  },
};

function factsOf(lab: Lab): Facts {
  return {
    roles: Object.fromEntries(lab.nodes.map((n) => [n.name, n.roles])),
    bgp: Object.fromEntries(
      lab.nodes.flatMap((n) =>
        n.bgp ? [[n.name, [n.bgp.as, n.bgp.neighbors.map((x) => `${x.address} AS${x.as}`)]]] : [],
      ),
    ),
    checks: lab.checks.map((c) => c.name),
  };
}

describe('each shipped lab resolves to what its README says (written by hand)', () => {
  it.each(Object.keys(FACTS))('%s', (name) => {
    expect(factsOf(openLab(labFile(name)).lab)).toEqual(FACTS[name]);
  });
});
