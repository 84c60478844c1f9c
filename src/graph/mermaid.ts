// The topology as a Mermaid flowchart, for READMEs that GitHub and GitLab draw themselves.
import { nodeCaption, sessionLabel, type Topology } from './topology.js';

const id = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
// Mermaid labels sit in double quotes: use its entity for a quote inside
const text = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;

export function toMermaid(t: Topology): string {
  const out = ['flowchart LR'];
  const nodeLine = (n: Topology['nodes'][number], indent: string) =>
    `${indent}${id('n', n.name)}(${text(`${n.name}<br/><small>${nodeCaption(n)}</small>`)})`;
  for (const c of t.clusters) {
    out.push(`  subgraph ${id('c', c.name)} [${text(`${c.name} (${c.kind}${c.as ? `, AS ${c.as}` : ''})`)}]`);
    for (const n of t.nodes.filter((n) => n.cluster === c.name)) out.push(nodeLine(n, '    '));
    out.push('  end');
  }
  for (const n of t.nodes.filter((n) => !n.cluster || !t.clusters.some((c) => c.name === n.cluster)))
    out.push(nodeLine(n, '  '));
  for (const net of t.networks)
    out.push(`  ${id('net', net.name)}[/${text(`${net.name}<br/>${net.prefix}`)}/]`);
  for (const l of t.links) out.push(`  ${id('n', l.node)} ---|${text(l.address)}| ${id('net', l.network)}`);
  for (const s of t.sessions) {
    const b = s.external ? id('ext', s.b) : id('n', s.b);
    if (s.external) out.push(`  ${b}[${text(`${s.b} (outside the lab)`)}]`);
    out.push(`  ${id('n', s.a)} -.-|${text(sessionLabel(s))}| ${b}`);
  }
  return `${out.join('\n')}\n`;
}
