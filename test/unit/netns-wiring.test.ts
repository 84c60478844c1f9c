// The netns wiring's ip lines: no link the lab names for a node is made from the root namespace. On
// kernels before 6.14 (Debian 12's 6.1) `ip link add NAME netns X` looks NAME up in the namespace it
// runs in first: a node's eth0 failed with "File exists" beside the host's own eth0.
import { describe, expect, it } from 'vitest';
import { openLab } from '../../src/model/open.js';
import { managementAddresses } from '../../src/providers/netns/management.js';
import { namesOf } from '../../src/providers/netns/names.js';
import { wiringBatches } from '../../src/providers/netns/network.js';
import { labFile } from '../helpers/labs.js';

const { lab } = openLab(labFile('bgp-metallb'));
const names = namesOf(lab, 'wiring');
const prefix = '172.31.0.0/24';
const b = wiringBatches({
  lab,
  names,
  management: { prefix, ...managementAddresses(prefix, lab.nodes.length) },
});
/** The name a `link add` line creates (the first, not its peer's). */
const created = (line: string) => /^link add (?:name )?(\S+)/.exec(line)?.[1];

describe('netns wiring', () => {
  it('makes only the instance link in the root namespace', () => {
    const made = b.root.map(created).filter(Boolean);
    expect(made).toEqual([names.rootLink]);
    expect(lab.nodes.some((n) => n.interfaces.some((i) => i.name === 'eth0'))).toBe(true);
  });

  it("makes each node's interfaces and mgmt0 from the switch namespace, as its ports' peers", () => {
    lab.nodes.forEach((node, i) => {
      const ns = names.nodeNs(node.name);
      node.interfaces.forEach((ifc, j) => {
        const line = b.switchNs.find((l) => created(l) === names.port(i, j));
        expect(line, `${node.name} ${ifc.name}`).toMatch(
          new RegExp(
            ` type veth peer name ${ifc.name} address [0-9a-f:]{17} netns ${ns.replaceAll('.', '\\.')}$`,
          ),
        );
      });
      expect(b.switchNs.find((l) => created(l) === names.port(i, 'm'))).toMatch(
        / type veth peer name mgmt0 netns /,
      );
    });
    // no node's batch makes a link: they configure what the switch made
    expect(b.nodes.flatMap((n) => n.lines).filter((l) => l.startsWith('link add'))).toEqual([]);
  });

  it("makes a link between nodes in its first node's namespace, the other end its peer", () => {
    const clos = openLab(labFile('clos-fabric'), ['spines=2', 'leaves=2', 'servers=0']).lab;
    const n = namesOf(clos, 'wiring');
    const c = wiringBatches({
      lab: clos,
      names: n,
      management: { prefix, ...managementAddresses(prefix, clos.nodes.length) },
    });
    expect(c.root.map(created).filter(Boolean)).toEqual([n.rootLink]);
    const lines = c.links.flatMap((l) => l.lines.map((line) => ({ ns: l.ns, line })));
    // two spines times two leaves: four links, each made once, at a node, with its peer in another
    expect(lines).toHaveLength(4);
    for (const { ns, line } of lines) {
      const [, , peerNs] = / type veth peer name (\S+) address \S+ netns (\S+)$/.exec(line) ?? [];
      expect(peerNs, line).toBeDefined();
      expect(peerNs).not.toBe(ns);
      expect([...clos.nodes.map((x) => n.nodeNs(x.name))]).toContain(ns);
    }
    // no server: every node's only switch port is its management one
    expect(c.switchNs.filter((l) => l.includes(' type veth '))).toHaveLength(clos.nodes.length);
  });

  it('makes every switch port before it joins its bridge', () => {
    const at = (pattern: (l: string) => boolean) => b.switchNs.findIndex(pattern);
    lab.nodes.forEach((node, i) => {
      node.interfaces.forEach((_, j) => {
        const port = names.port(i, j);
        const made = at((l) => created(l) === port);
        expect(made, port).toBeGreaterThanOrEqual(0);
        expect(made, port).toBeLessThan(at((l) => l.startsWith(`link set dev ${port} `)));
      });
    });
  });
});
