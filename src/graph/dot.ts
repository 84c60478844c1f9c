// The topology in Graphviz's dot language: clusters as boxes, networks as segments (boxes with their
// prefix), interfaces as plain lines labelled with the address, BGP sessions as dashed lines.
import { nodeCaption, sessionLabel, type Topology } from './topology.js';

// a dot string: quotes and backslashes escaped, line breaks as dot's \n
const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
const netId = (name: string) => q(`net:${name}`);

export function toDot(t: Topology): string {
  const out: string[] = [
    `graph ${q(t.lab)} {`,
    '  graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.3, ranksep=0.9, pad=0.2];',
    '  node [fontname="Helvetica", fontsize=10, shape=box, style="rounded,filled", fillcolor="#eef4fb", color="#4a6fa5"];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
  ];
  const nodeLine = (n: Topology['nodes'][number], indent: string) =>
    `${indent}${q(n.name)} [label=${q(`${n.name}\n${nodeCaption(n)}`)}];`;
  for (const c of t.clusters) {
    out.push(`  subgraph ${q(`cluster_${c.name}`)} {`);
    out.push(
      `    label=${q(`${c.name} (${c.kind}${c.as ? `, AS ${c.as}` : ''})`)}; style="rounded,dashed"; color="#888888";`,
    );
    for (const n of t.nodes.filter((n) => n.cluster === c.name)) out.push(nodeLine(n, '    '));
    out.push('  }');
  }
  for (const n of t.nodes.filter((n) => !n.cluster || !t.clusters.some((c) => c.name === n.cluster)))
    out.push(nodeLine(n, '  '));
  for (const net of t.networks) {
    out.push(
      `  ${netId(net.name)} [label=${q(`${net.name}\n${net.prefix}`)}, shape=box, style=filled, fillcolor="#fdf1d6", color="#b8860b", height=0.3];`,
    );
  }
  for (const l of t.links) out.push(`  ${q(l.node)} -- ${netId(l.network)} [label=${q(l.address)}];`);
  for (const s of t.sessions) {
    if (s.external)
      out.push(`  ${q(s.b)} [shape=plaintext, style="", label=${q(`${s.b}\n(outside the lab)`)}];`);
    out.push(
      `  ${q(s.a)} -- ${q(s.b)} [label=${q(sessionLabel(s))}, style=dashed, color="#c0392b", fontcolor="#c0392b", constraint=false];`,
    );
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
