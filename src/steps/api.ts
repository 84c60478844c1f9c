// What a step script receives: a node-bound $ per node, and the resolved lab to read addresses,
// groups and rendered files from. The script is plain zx: `import { $ } from 'zx'` stays local.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ProcessOutput } from 'zx';
import { type Lab, type Node, nodeByName, type Step, selectNodes } from '../core/lab.js';
import { renderLab } from '../render/render-lab.js';
import { type NodeDollar, nodeDollar } from './node-dollar.js';
import type { CommandEnd, Connection } from './remote-spawn.js';

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

/** Reaches a node: the caller owns the connections (the engine's, or another provider's transport). */
export type ConnectionOf = (node: string) => Connection;

/** A step failed: names the step, and the node and command when a command failed. */
export class StepScriptError extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
    readonly failed?: CommandEnd,
  ) {
    const why = failed
      ? `on ${failed.node}: \`${failed.command}\` ${failed.signal ? `killed by ${failed.signal} (timeout?)` : `exited with ${failed.exitCode}`}${failed.stderr.trim() ? `:\n  ${failed.stderr.trim().split('\n').slice(-5).join('\n  ')}` : ''}`
      : ((cause as Error)?.message ?? String(cause));
    super(`step ${step}: ${why}`);
  }
}

export function stepApi(
  lab: Lab,
  step: Step,
  connectionOf: ConnectionOf,
  log: (l: string) => void,
  onEnd?: (e: CommandEnd) => void,
): StepApi {
  const dollars = new Map<string, NodeDollar>();
  let rendered: ReturnType<typeof renderLab> | undefined;
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
        d = nodeDollar(connectionOf(name), onEnd);
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
      rendered ??= renderLab(lab);
      return rendered.filter((f) => f.node === name).map((f) => f.path);
    },
    log,
  };
}

/** Runs a step's script; any failure comes back as a StepScriptError naming the step, node and command. */
export async function runStepScript(
  lab: Lab,
  step: Step,
  connectionOf: ConnectionOf,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  if (!step.script) return;
  let lastFailure: CommandEnd | undefined;
  const api = stepApi(lab, step, connectionOf, log, (end) => {
    if (end.exitCode !== 0) lastFailure = end;
  });
  try {
    const mod = (await import(pathToFileURL(resolve(lab.dir, step.script)).href)) as { default?: StepScript };
    if (typeof mod.default !== 'function')
      throw new Error(
        `${step.script} has no default export: write export default async ({ on, lab }) => { ... }`,
      );
    await mod.default(api);
  } catch (e) {
    // a zx ProcessOutput carries no command: the last one that failed is the one that threw
    throw new StepScriptError(step.name, e, e instanceof ProcessOutput ? lastFailure : undefined);
  }
}
