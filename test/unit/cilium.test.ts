// The emulated Cilium's pure parts: global service rules, the nftables table, the kvstore encodings,
// the datapath commands and what the add-on derives from the lab.
import { describe, expect, it } from 'vitest';
import { macOf, nodeCommands } from '../../src/addons/cilium/agent/datapath.js';
import { prefixEnd } from '../../src/addons/cilium/agent/kvstore.js';
import { decodeNode, encodeNode, maskOf, selects } from '../../src/addons/cilium/agent/layout.js';
import { renderRuleset } from '../../src/addons/cilium/agent/nft.js';
import { type Backend, chooseBackends, policyOf } from '../../src/addons/cilium/agent/rules.js';
import { agentConfigOf, ciliumBlocks } from '../../src/addons/cilium/derive.js';
import { loadLab } from '../../src/model/load.js';
import { resolveLab } from '../../src/model/resolve.js';
import { labFile } from '../helpers/labs.js';

const b = (cluster: string, ip: string): Backend => ({ ip, port: 80, cluster });
const local = [b('c2', '10.2.1.1')];
const remote = [b('c1', '10.1.1.1'), b('c3', '10.3.1.1')];
const G = 'service.cilium.io/global';

describe('global service rules', () => {
  it('reads the annotations as Cilium does: shared defaults to true, unknown affinity is none', () => {
    expect(policyOf({})).toEqual({ global: false, shared: false, affinity: 'none' });
    expect(policyOf({ [G]: 'true' })).toEqual({ global: true, shared: true, affinity: 'none' });
    expect(policyOf({ [G]: 'True', 'service.cilium.io/shared': 'false' }).shared).toBe(false);
    expect(policyOf({ [G]: 'true', 'service.cilium.io/affinity': 'remot' }).affinity).toBe('none');
    expect(policyOf({ 'io.cilium/global-service': 'true', 'io.cilium/service-affinity': 'local' })).toEqual({
      global: true,
      shared: true,
      affinity: 'local',
    });
  });

  it('a local service uses local backends only; a global one mixes them', () => {
    expect(chooseBackends(policyOf({}), local, remote).backends).toEqual(local);
    expect(chooseBackends(policyOf({ [G]: 'true' }), local, remote).backends).toEqual([...local, ...remote]);
  });

  it('affinity local keeps local backends, and fails over to remote ones when none is left', () => {
    const p = policyOf({ [G]: 'true', 'service.cilium.io/affinity': 'local' });
    expect(chooseBackends(p, local, remote).backends).toEqual(local);
    expect(chooseBackends(p, [], remote).backends).toEqual(remote);
  });

  it('affinity remote prefers remote backends, and falls back to local ones', () => {
    const p = policyOf({ [G]: 'true', 'service.cilium.io/affinity': 'remote' });
    expect(chooseBackends(p, local, remote).backends).toEqual(remote);
    expect(chooseBackends(p, local, []).backends).toEqual(local);
  });
});

describe('the nftables table', () => {
  it('balances each service at random over its backends, and drops when there is none', () => {
    const text = renderRuleset([
      { name: 'default/a', address: '10.101.0.10', port: 80, protocol: 'tcp', backends: remote },
      { name: 'default/b', address: '10.101.0.11', port: 80, protocol: 'tcp', backends: [] },
      {
        name: 'default/c',
        address: '10.101.0.12',
        port: 80,
        protocol: 'udp',
        backends: [{ ip: '10.1.1.1', port: 8080, cluster: 'c1' }],
      },
    ]);
    expect(text).toContain(
      'ip daddr 10.101.0.10 tcp dport 80 dnat to numgen random mod 2 map { 0 : 10.1.1.1, 1 : 10.3.1.1 }',
    );
    expect(text).toContain('ip daddr 10.101.0.11 tcp dport 80 drop');
    expect(text).toContain(
      'udp dport 80 dnat ip addr . port to numgen random mod 1 map { 0 : 10.1.1.1 . 8080 }',
    );
    // replaced in one transaction
    expect(text.startsWith('table ip cilium_lb\ndelete table ip cilium_lb\n')).toBe(true);
  });
});

describe('kvstore encodings', () => {
  it("writes and reads Cilium's node JSON, masks as Go marshals them", () => {
    expect(maskOf(24)).toBe('////AA==');
    expect(maskOf(16)).toBe('//8AAA==');
    const n = {
      name: 'c2-worker',
      cluster: 'c2',
      clusterId: 2,
      nodeIP: '10.12.0.20',
      routerIP: '10.2.1.254',
      podCIDR: '10.2.1.0/24',
    };
    const json = JSON.parse(encodeNode(n));
    expect(json.IPAddresses).toEqual([
      { Type: 'InternalIP', IP: '10.12.0.20' },
      { Type: 'CiliumInternalIP', IP: '10.2.1.254' },
    ]);
    expect(decodeNode(encodeNode(n))).toEqual(n);
    expect(decodeNode('not json')).toBeUndefined();
  });

  it('covers a prefix with its range end, and selects pods by every label', () => {
    expect(prefixEnd('cilium/state/')).toBe('cilium/state0');
    expect(selects({ app: 'x' }, { app: 'x', tier: 'y' })).toBe(true);
    expect(selects({ app: 'x', tier: 'z' }, { app: 'x', tier: 'y' })).toBe(false);
    expect(selects({}, { app: 'x' })).toBe(false);
  });
});

describe('what the add-on derives', () => {
  const { lab } = resolveLab(loadLab(labFile('cilium-clustermesh')));

  it('gives each node a /24 of its cluster pool in member order, and the router the last address', () => {
    expect(ciliumBlocks(lab)).toMatchObject({ 'c1-cp': '10.1.0.0/24', 'c1-worker': '10.1.1.0/24' });
    const cfg = agentConfigOf(lab, lab.nodes.find((n) => n.name === 'c3-worker')!)!;
    expect(cfg).toMatchObject({
      cluster: 'c3',
      clusterId: 3,
      podCIDR: '10.3.1.0/24',
      routerIP: '10.3.1.254',
      mtu: 1450,
      kvstore: 'http://10.13.0.10:32381',
      exportServices: false,
    });
    expect(lab.workloads.find((w) => w.name === 'rebel-base-c3')).toMatchObject({
      address: '10.3.1.1',
      labels: { app: 'rebel-base' },
    });
  });

  it('sends a remote pod CIDR through the tunnel: forwarding entry, neighbor, route', () => {
    const c = nodeCommands({
      name: 'c2-worker',
      cluster: 'c2',
      clusterId: 2,
      nodeIP: '10.12.0.20',
      routerIP: '10.2.1.254',
      podCIDR: '10.2.1.0/24',
    });
    expect(macOf('10.2.1.254')).toBe('02:00:0a:02:01:fe');
    expect(c.bridge).toEqual([
      'fdb replace 02:00:0a:02:01:fe dev cilium_vxlan dst 10.12.0.20 self permanent',
    ]);
    expect(c.ip).toContain('route replace 10.2.1.0/24 via 10.2.1.254 dev cilium_vxlan onlink');
  });
});
