// lab graph: the topology in dot, Mermaid and SVG; every lab's committed picture is the current one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphOf } from '../../src/graph/index.js';
import { topologyOf } from '../../src/graph/topology.js';
import { PICTURE, pictureOf } from '../../src/graph/write-pictures.js';
import { openLab } from '../../src/model/open.js';
import { LABS_DIR } from '../../src/paths.js';
import { LAB_NAMES, labFile } from '../helpers/labs.js';

describe('lab graph', () => {
  it.each(LAB_NAMES)(
    '%s: the committed topology.svg is what lab graph draws now, and the README shows it',
    async (name) => {
      const folder = join(LABS_DIR, name);
      const committed = readFileSync(join(folder, PICTURE), 'utf8');
      // stale: run `npm run graphs` and commit labs/*/topology.svg
      expect(
        committed === (await pictureOf(folder)),
        `labs/${name}/${PICTURE} is stale: npm run graphs`,
      ).toBe(true);
      expect(readFileSync(join(folder, 'README.md'), 'utf8')).toContain(`](${PICTURE})`);
    },
  );

  it('one session edge per pair of speakers, labelled with both ASes', () => {
    const t = topologyOf(openLab(labFile('bgp-metallb'), ['workers=4']).lab);
    expect(t.sessions.map((s) => `${s.a}-${s.b}`).sort()).toEqual([
      'router-worker1',
      'router-worker2',
      'router-worker3',
      'router-worker4',
    ]);
    expect(t.sessions.every((s) => s.asA === 11000 && s.asB === 22000)).toBe(true);
  });

  it('dot groups nodes by cluster, draws networks with their prefixes and BGP as dashed labelled edges', async () => {
    const dot = await graphOf(openLab(labFile('multi-coe-calico')).lab, 'dot');
    expect(dot).toMatch(/subgraph "cluster_k8s" \{[^}]*"k8s-worker1"[^}]*\}/);
    expect(dot).toMatch(/subgraph "cluster_dcos" \{[^}]*"dcos-master"[^}]*\}/);
    expect(dot).toContain('label="infra\\n172.16.18.0/24"');
    expect(dot).toContain('"k8s-worker1" -- "net:infra" [label="172.16.18.34"]');
    expect(dot).toMatch(/"rr" -- "k8s-worker1" \[label="iBGP 64511", style=dashed/);
    expect(dot).toContain('AS 64511 RR'); // the reflector is marked
  });

  it('mermaid is a flowchart with a subgraph per cluster and dotted BGP links', async () => {
    const md = await graphOf(openLab(labFile('bgp-metallb')).lab, 'mermaid');
    expect(md.split('\n')[0]).toBe('flowchart LR');
    expect(md).toContain('subgraph c_k8s ["k8s (kubernetes, AS 22000)"]');
    expect(md).toContain('net_k8s_network[/"k8s-network<br/>10.0.0.0/24"/]');
    expect(md).toContain('n_router -.-|"eBGP 11000–22000"| n_worker1');
    expect(md.match(/-\.-\|/g)).toHaveLength(3);
  });

  it('svg comes from Graphviz (WebAssembly) with every node and network drawn', async () => {
    const svg = await graphOf(openLab(labFile('tf-multicluster')).lab, 'svg');
    expect(svg).toContain('<svg');
    const lab = openLab(labFile('tf-multicluster')).lab;
    const title = (s: string) => `<title>${s.replaceAll('-', '&#45;')}</title>`; // Graphviz escapes dashes
    for (const n of lab.nodes) expect(svg).toContain(title(n.name));
    for (const n of lab.networks) expect(svg).toContain(title(`net:${n.name}`));
  });
});
