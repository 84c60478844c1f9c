// What a step script receives: a node-bound $ per node, and the resolved lab to read addresses,
// groups and rendered files from. The script is plain zx: `import { $ } from 'zx'` stays local.
// Loaded by the step worker: nothing here renders or parses, so that the thread links zx and the
// lab's data only (the renderer, nunjucks, zod and yaml made its start 2-3 times slower).
import { type Lab, type Node, nodeByName, type Step, selectNodes } from '../core/lab.js';
import type { NodeDollar } from './node-dollar.js';

export interface StepApi {
  /** The resolved lab: nodes, networks, clusters, checks, params. */
  lab: Lab;
  step: Step;
  /** A zx `$` whose commands run on this node over its SSH connection: await on('router')`birdc show protocols`. */
  on(node: string): NodeDollar;
  /** The nodes of a node name, group (worker: worker1..N) or cluster. */
  nodes(selector: string): Node[];
  /** A node's address on a network (its first interface's when no network is named). */
  address(node: string, network?: string): string;
  /** The paths on the node of the files rendered for it (/etc/bird/bird.conf, ...). */
  files(node: string): string[];
  /** A line in the step's output. */
  log(line: string): void;
}

/** How a step script is written: `export default async ({ on, lab }) => { ... }`. */
export type StepScript = (api: StepApi) => Promise<void> | void;

export function stepApi(
  lab: Lab,
  step: Step,
  dollarFor: (node: string) => NodeDollar,
  log: (l: string) => void,
  filesOf: (node: string) => string[],
): StepApi {
  const dollars = new Map<string, NodeDollar>();
  const known = (name: string): Node => {
    const node = nodeByName(lab, name);
    if (!node)
      throw new Error(
        `step ${step.name}: no node '${name}' (nodes: ${lab.nodes.map((n) => n.name).join(', ')})`,
      );
    return node;
  };
  return {
    lab,
    step,
    on(name) {
      known(name);
      let d = dollars.get(name);
      if (!d) {
        d = dollarFor(name);
        dollars.set(name, d);
      }
      return d;
    },
    nodes(selector) {
      const found = selectNodes(lab, selector);
      if (!found.length) throw new Error(`step ${step.name}: '${selector}' is no node, group or cluster`);
      return found;
    },
    address(name, network) {
      const node = known(name);
      const iface = network ? node.interfaces.find((i) => i.network === network) : node.interfaces[0];
      if (!iface)
        throw new Error(`step ${step.name}: ${name} has no interface${network ? ` on ${network}` : ''}`);
      const address = iface.address ?? iface.address6;
      if (!address) throw new Error(`step ${step.name}: ${name} has no address on ${iface.network}`);
      return address;
    },
    files(name) {
      known(name);
      return filesOf(name);
    },
    log,
  };
}
