// Reaching a running instance's nodes: the saved targets, through the route guard, over SSH.
import { join } from 'node:path';
import { CheckError, DefinitionError } from '../errors.js';
import { verifyRoutedVia } from '../transport/route-guard.js';
import { SshShell, type SshTarget } from '../transport/ssh.js';
import type { InstanceRecord } from './instances.js';
import { noSuchNodeMessage } from './node-names.js';
import { loadTargets, requireInstance } from './state.js';

/** One shell per node (connecting lazily), after checking that every address leaves through the lab's link. */
export async function openShells(record: InstanceRecord, only?: string[]): Promise<Map<string, SshShell>> {
  const all = await usableTargets(record);
  const targets = all.filter((t) => !only || only.includes(t.node));
  if (only) {
    const unknown = only.filter((n) => !targets.some((t) => t.node === n));
    if (unknown.length) {
      throw new DefinitionError(
        noSuchNodeMessage(
          record.lab,
          record.dir,
          unknown,
          all.map((t) => t.node),
        ),
      );
    }
  }
  try {
    await verifyRoutedVia(
      targets.map((t) => t.host),
      record.link!,
    );
  } catch (e) {
    // a lab down that came since the record was read removes the link first: said as that down (busy,
    // exit 6) or the lab gone (exit 7), not as addresses that would leave through the host's route
    requireInstance(record.lab, record.instance);
    throw e;
  }
  return new Map(targets.map((t) => [t.node, new SshShell(t, { connectTimeoutMs: 5000 })]));
}

/** The saved targets, or what is wrong with the state folder that holds them: a missing or damaged
 * nodes.json or key said as such, not as an SSH authentication failure or a JSON stack. */
async function usableTargets(record: InstanceRecord): Promise<SshTarget[]> {
  const damaged = (what: string) =>
    new CheckError(`${record.lab} (instance ${record.instance}) cannot reach its nodes: ${what}`, {
      code: 'state-damaged',
      details: ['  The lab may still run; lab down removes it (found on the host by its names).'],
    });
  let targets: SshTarget[];
  try {
    targets = loadTargets(record.dir);
  } catch (e) {
    throw damaged(`${join(record.dir, 'ssh', 'nodes.json')} is damaged (${(e as Error).message})`);
  }
  if (!targets.length) throw damaged(`${join(record.dir, 'ssh', 'nodes.json')} is missing`);
  const { utils } = (await import('ssh2')).default;
  for (const t of targets) {
    const key = t.identityFile ?? join(record.dir, 'ssh', 'id_ed25519');
    if (!t.privateKey) throw damaged(`its SSH key ${key} is missing or empty`);
    if (utils.parseKey(t.privateKey) instanceof Error) throw damaged(`its SSH key ${key} is damaged`);
  }
  return targets;
}
