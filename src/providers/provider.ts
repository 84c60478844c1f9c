// A provider creates and destroys nodes and says how to reach them; one folder per provider.
import type { Journal } from '../engine/journal.js';
import type { Lab } from '../model/lab.js';
import type { RenderedFile } from '../roles/role.js';
import type { CommandResult } from '../transport/shell.js';
import type { SshTarget } from '../transport/ssh.js';

export interface ProviderContext {
  lab: Lab;
  instance: string;
  dir: string;
  journal: Journal;
  managementPrefix: string;
  files: RenderedFile[];
  userKey: { privateKey: string; publicKey: string };
}

/** How a start script ended; its output is in `logFile` on the host, or in stdout. */
export type StartResult = Omit<CommandResult, 'stdout'> & { stdout?: string; logFile?: string };

export interface Provider {
  name: string;
  /** Throws one PreflightError listing everything the host lacks. */
  verifyHost(lab: Lab): void;
  /** The instance's link in the root namespace: SSH must leave through it. */
  rootLink(lab: Lab, instance: string): string;
  /** Creates the wiring shared by all nodes; returns the management address of every node. */
  createNetwork(ctx: ProviderContext): Promise<{ addresses: string[] }>;
  /** Boots one node: afterwards its sshd answers at `target`. A provider that can run the node's
   * start script at boot (as cloud-init does) returns its result as `started`; otherwise the engine
   * runs it over SSH. */
  bootNode(
    ctx: ProviderContext,
    node: string,
    startScript: string,
  ): Promise<{ target: SshTarget; started?: Promise<StartResult> }>;
  /** Removes what the journal lists; idempotent. */
  destroy(journal: Journal): Promise<void>;
}
