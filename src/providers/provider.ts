// A provider creates and destroys nodes and says how to reach them; one folder per provider.
import type { Journal } from '../engine/journal.js';
import type { Lab } from '../model/lab.js';
import type { RenderedFile } from '../roles/role.js';
import type { NodeShell } from '../transport/shell.js';
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

export interface Provider {
  name: string;
  /** Throws one PreflightError listing everything the host lacks. */
  verifyHost(lab: Lab): void;
  /** The instance's link in the root namespace: SSH must leave through it. */
  rootLink(lab: Lab, instance: string): string;
  /** Creates the wiring shared by all nodes. */
  createNetwork(ctx: ProviderContext): Promise<void>;
  /** Boots one node: afterwards its sshd answers at `target`. A provider with a faster way into the
   * node than SSH returns it as `shell`, for starting its daemons. */
  bootNode(ctx: ProviderContext, node: string): Promise<{ target: SshTarget; shell?: NodeShell }>;
  /** Removes what the journal lists; idempotent. */
  destroy(journal: Journal): Promise<void>;
}
