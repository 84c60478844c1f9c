// Reaching a running instance's nodes: the saved targets, through the route guard, over SSH.
import { DefinitionError } from '../errors.js';
import { verifyRoutedVia } from '../transport/route-guard.js';
import { SshShell } from '../transport/ssh.js';
import type { InstanceRecord } from './instances.js';
import { loadTargets } from './state.js';

/** One shell per node (connecting lazily), after checking that every address leaves through the lab's link. */
export async function openShells(record: InstanceRecord, only?: string[]): Promise<Map<string, SshShell>> {
  const targets = loadTargets(record.dir).filter((t) => !only || only.includes(t.node));
  if (only) {
    const unknown = only.filter((n) => !targets.some((t) => t.node === n));
    if (unknown.length) {
      const known = loadTargets(record.dir).map((t) => t.node);
      throw new DefinitionError(
        `${record.lab} has no node ${unknown.join(', ')}; its nodes are ${known.join(', ')}`,
      );
    }
  }
  await verifyRoutedVia(
    targets.map((t) => t.host),
    record.link!,
  );
  return new Map(targets.map((t) => [t.node, new SshShell(t, { connectTimeoutMs: 5000 })]));
}
