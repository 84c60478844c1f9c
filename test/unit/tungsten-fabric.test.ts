// Tungsten Fabric's derivation (pods, services, control nodes) and lab up --allow, without the host.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCommandsOf } from '../../src/engine/start-roles.js';
import { ALLOWABLE_CODES, parseAllow, UNALLOWABLE_CODES, WARNING_CODES } from '../../src/lint/allow.js';
import { LabDefinitionError } from '../../src/model/load.js';
import { openLab } from '../../src/model/open.js';
import { PROJECT_DIR } from '../../src/paths.js';
import { renderLab } from '../../src/render/render-lab.js';
import { labFile } from '../helpers/labs.js';

const TF = labFile('tf-multicluster');
const OVERLAP = ['b_pods=10.32.0.0/12', 'b_services=10.96.0.0/12', 'b_fabric=10.64.0.0/12'];

describe('tf-multicluster derivation', () => {
  const { lab } = openLab(TF);

  it('checks every vRouter of a cluster: a check on the worker group is one check per member', () => {
    const three = openLab(TF, ['workers=3']).lab;
    expect(three.checks.filter((c) => c.name === 'a-vrouter-underlay').map((c) => c.node)).toEqual([
      'a-worker1',
      'a-worker2',
      'a-worker3',
    ]);
    expect(three.checks.filter((c) => c.name === 'b-vrouter-underlay').map((c) => c.node)).toEqual([
      'b-worker1',
      'b-worker2',
      'b-worker3',
    ]);
  });

  it('hands pod addresses out from the top of KUBERNETES_POD_SUBNETS, backends first', () => {
    expect(lab.workloads.map((w) => [w.name, w.node, w.address, w.block])).toEqual([
      ['web-a-worker1', 'a-worker1', '10.47.255.252', '10.47.255.252/32'],
      ['toolbox', 'a-worker1', '10.47.255.251', '10.47.255.251/32'],
      ['web-b-worker1', 'b-worker1', '10.63.255.252', '10.63.255.252/32'],
    ]);
  });

  it('gives each cluster its service: a floating IP of the service subnet held by every backend', () => {
    expect(lab.services).toEqual([
      expect.objectContaining({
        name: 'web',
        cluster: 'a',
        address: '10.96.0.10',
        backends: ['web-a-worker1'],
      }),
      expect.objectContaining({
        name: 'web',
        cluster: 'b',
        address: '10.112.0.20',
        backends: ['web-b-worker1'],
      }),
    ]);
  });

  it('starts each pod by its IPAM index, so the agent computes the address from the rendered ConfigMap', () => {
    const worker = lab.nodes.find((n) => n.name === 'a-worker1')!;
    const runs = startCommandsOf(lab, worker).map((c) => c.run);
    expect(runs).toContain(
      "'/etc/lab/bin/vrouter-agent' 'pod-add' 'web-a-worker1' '1' 'cluster a pod web-a-worker1' '10'",
    );
    expect(runs).toContain("'/etc/lab/bin/vrouter-agent' 'pod-add' 'toolbox' '2' '' ''");
    // the agent has no second copy of VROUTER_GATEWAY or the subnets: it reads the rendered ConfigMaps
    const agent = renderLab(lab).find(
      (f) => f.node === 'a-worker1' && f.path === '/etc/lab/bin/vrouter-agent',
    )!;
    expect(agent.content).not.toContain('10.10.0.1');
    expect(agent.content).not.toContain('10.32.0.0');
    expect(agent.content).toContain('setting VROUTER_GATEWAY');
  });

  it('registers each control node with the other as a BGP router, and renders both faces of the control node', () => {
    const files = renderLab(lab);
    const routers = files.find((f) => f.node === 'a-master' && f.path.endsWith('tf-bgp-routers.yaml'))!;
    expect(routers.content).toMatch(
      /router_type: external-control-node\n\s+vendor: contrail\n\s+address: 10\.20\.0\.10\n/,
    );
    // the BGP face (BIRD): the registered routers, B's control node multihop, vRouter next hops kept
    const bgp = files.find((f) => f.node === 'a-master' && f.path.endsWith('control-node/bird.conf'))!;
    expect(bgp.content).toMatch(
      /protocol bgp bgp_b_master from peers \{[^}]*neighbor 10\.20\.0\.10 as 64513;\n\s+multihop;/,
    );
    expect(bgp.content).toMatch(/protocol bgp bgp_gateway from peers \{[^}]*neighbor 10\.10\.0\.1 as 64600;/);
    expect(bgp.content).toContain('connect delay time 1;');
    expect(bgp.content.match(/next hop keep;/g)).toHaveLength(3);
    expect(bgp.content.match(/add paths on;/g)).toHaveLength(3);
    // ... which connects to the XMPP side (GoBGP) over iBGP on loopback, GoBGP passive
    expect(bgp.content).toMatch(
      /protocol bgp xmpp from peers \{\n\s+local 127\.0\.0\.1 as 64512;\n\s+neighbor 127\.0\.0\.2 port 1179 as 64512;/,
    );
    const xmpp = files.find((f) => f.node === 'a-master' && f.path.endsWith('gobgpd.toml'))!;
    expect(xmpp.content).toMatch(/port = 1179\n\s+local-address-list = \["127\.0\.0\.2"\]/);
    expect(xmpp.content).toContain('neighbor-address = "127.0.0.1"');
    expect(xmpp.content).toContain('passive-mode = true');
    expect(xmpp.content).not.toContain('10.20.0.10');
    expect(xmpp.content).toContain('set-next-hop = "unchanged"');
  });

  it('scales to 50 workers per cluster with one backend each', () => {
    const big = openLab(TF, ['workers=50']).lab;
    expect(big.services.map((s) => s.backends.length)).toEqual([50, 50]);
    expect(big.workloads).toHaveLength(101);
    expect(new Set(big.workloads.map((w) => w.address)).size).toBe(101);
  });
});

describe('lab up --allow', () => {
  it('refuses unknown codes and codes that cannot be allowed', () => {
    expect(() => parseAllow(['bogus'])).toThrow(/no lint code 'bogus'/);
    expect(() => parseAllow(['schema'])).toThrow(/cannot be allowed/);
    expect(parseAllow(['prefix-overlap,vrouter-gateway', 'prefix-overlap'])).toEqual([
      'prefix-overlap',
      'vrouter-gateway',
    ]);
  });

  it('allows only codes lint reports; any other code is refused (unclassified ones included)', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
      );
    const codes = new Set<string>();
    for (const f of sources(join(PROJECT_DIR, 'src')))
      for (const m of readFileSync(f, 'utf8').matchAll(/(?:issue\(\s*|code:\s*)'([a-z0-9-]+)'/g))
        codes.add(m[1]);
    expect([...ALLOWABLE_CODES].filter((c) => !codes.has(c))).toEqual([]);
    for (const c of [...UNALLOWABLE_CODES, ...WARNING_CODES]) expect(() => parseAllow([c])).toThrow();
    // codes src/ reports that no list classifies (usage, state-damaged, ...), and one no code has
    const unclassified = [...codes].filter(
      (c) => ![...ALLOWABLE_CODES, ...UNALLOWABLE_CODES, ...WARNING_CODES].includes(c as never),
    );
    for (const c of [...unclassified, 'no-such-code'])
      expect(() => parseAllow([c]), c).toThrow(/--allow can let through/);
  });

  it('lets the named traps through and nothing else', () => {
    const sets = ['a_vrouter_gateway=10.10.0.10', ...OVERLAP];
    expect(() => openLab(TF, sets)).toThrow(LabDefinitionError);
    try {
      openLab(TF, sets, undefined, ['vrouter-gateway']);
      expect.unreachable();
    } catch (e) {
      expect((e as LabDefinitionError).issues.map((i) => i.code)).toEqual(
        expect.arrayContaining(['prefix-overlap']),
      );
      expect((e as LabDefinitionError).issues.map((i) => i.code)).not.toContain('vrouter-gateway');
    }
    const { allowed } = openLab(TF, sets, undefined, ['vrouter-gateway', 'prefix-overlap']);
    expect(new Set(allowed.map((i) => i.code))).toEqual(new Set(['vrouter-gateway', 'prefix-overlap']));
  });
});
