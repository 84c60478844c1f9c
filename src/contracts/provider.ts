// The provider contract: a provider creates and destroys nodes and says how to reach them; one folder
// per provider, one line in providers/index.ts. Everything provider-specific sits behind this
// interface: the engine imports no provider's folder. Its journal types are here too: the engine
// writes the journal, providers record into it and destroy from it.
import type { Lab } from '../core/lab.js';
import type { CommandResult } from '../transport/shell.js';
import type { SshTarget } from '../transport/ssh.js';
import type { RenderedFile } from './role.js';

/** What a journal records, by kind: here the host's own objects any provider may make; a provider adds
 * a kind of its own from its folder, as providers/vagrant/resources.ts does:
 * `declare module '../../contracts/provider.js' { interface ResourceKinds { NAME: { ...fields } } }`. */
export interface ResourceKinds {
  /** A network namespace; a node's has its own user namespace, mapped to host ids from idBase. */
  netns: { name: string; idBase?: number };
  /** A link in the root namespace. */
  link: { name: string };
  /** A process on a node; a daemon's pid file (on the node) says where it is after a restart on the node. */
  process: { node?: string; name: string; pid?: number; starttime?: string; pidfile?: string };
  /** A file system mounted on the host (a node's size-limited folders). */
  mount: { path: string };
}

export type Resource = {
  [K in keyof ResourceKinds]: { kind: K; id: string } & ResourceKinds[K];
}[keyof ResourceKinds];

/** What is known of a resource only after its creation (a pid), or that it is gone. */
export type ResourceUpdate = { id: string; pid?: number; starttime?: string; removed?: boolean };

/** The state journal as a provider writes it: every resource recorded before it is created. */
export interface JournalWriter {
  record(resource: Resource): void;
  update(update: ResourceUpdate): void;
}

export interface ProviderContext {
  lab: Lab;
  instance: string;
  dir: string;
  journal: JournalWriter;
  managementPrefix: string;
  files: RenderedFile[];
  userKey: { privateKey: string; publicKey: string };
  /** Host folders a node must not see: every lab state folder on the host (keys, journals). */
  hidden?: string[];
  /** Ctrl-C: a long step of the provider (making a thousand nodes' namespaces) stops where it is, and
   * what it made is removed by its journal, instead of finishing first. */
  signal?: AbortSignal;
}

/** How a start script ended; its output is in `logFile` on the host, or in stdout. */
export type StartResult = Omit<CommandResult, 'stdout'> & { stdout?: string; logFile?: string };

/** The management network of an instance: the host's only way to its nodes. */
export interface Management {
  prefix: string;
  /** The instance's link on the host: SSH must leave through it (the route guard checks). */
  link: string;
}

/** Something a crashed run left on the host that no instance owns (a namespace, a link). */
export interface Orphan {
  kind: string;
  name: string;
}

/** A provider that carries the whole lab in one machine (one VM running the emulated lab): lab up
 * brings that machine up and runs lab up inside it; lab check, exec and ssh run lab there. */
export interface LabCarrier {
  /** The carrying machine's name among the instance's SSH targets. */
  machine: string;
  /** The lab command on the machine, before lab's own arguments. */
  labCommand: string[];
  /** lab runs only the lab files the machine sees: why this one is refused, or undefined. */
  refuseFile(file: string): string | undefined;
  /** Brings the machine up, recording it in the journal before it exists, and says how to reach it.
   * When `signal` aborts, whatever runs stops where it is and this ends at once. */
  bringUp(ctx: {
    lab: Lab;
    instance: string;
    dir: string;
    journal: JournalWriter;
    managementPrefix: string;
    signal: AbortSignal;
  }): Promise<{ targets: SshTarget[]; link: string }>;
  /** How to look at the machine left running after a failure. */
  lookHint(dir: string): string;
}

export interface Provider {
  name: string;
  /** It carries the lab in one machine (see LabCarrier): lab up, check, exec and ssh ask it. */
  carrier?: LabCarrier;
  /** lab render --provider: it runs from a project of its own (a Vagrantfile, step scripts, a plan),
   * written to `out`; the files written. Without one, lab render writes the lab's rendered files. */
  renderProject?(
    lab: Lab,
    opts: { instance: string; out: string; flag?: string; hypervisor?: string },
  ): Promise<string[]>;
  /** lab up --plan: every command lab up would run on this host, nothing done. */
  plan?(lab: Lab, instance: string): Promise<string>;
  /** The provider realizes the roles itself (VMs provisioned with the real software): the engine
   * starts no emulated daemons, and roles without an emulated realization are fine. */
  realizesRoles?: boolean;
  /** Many instances of one lab run side by side on this host, each isolated (lab up --instances). */
  sideBySide?: boolean;
  /** Throws one PreflightError listing everything the host lacks. */
  verifyHost(lab: Lab): Promise<void>;
  /** The instance's management prefix (the lab's own, or one free of `taken`) and host link. */
  allocateManagement(lab: Lab, instance: string, taken: string[]): Management;
  /** Creates the wiring shared by all nodes; returns the management address of every node, and the
   * host link they are reached through when it was not known at allocation (a hypervisor's bridge). */
  createNetwork(ctx: ProviderContext): Promise<{ addresses: string[]; link?: string }>;
  /** Boots one node: afterwards its sshd answers at `target`. A provider that can run the node's
   * start script at boot (as cloud-init does) returns its result as `started`; otherwise the engine
   * runs it over SSH. `runDirs`: folders under /run the script's daemons need (the script makes any
   * missing; a provider that makes the node's /run may make them first). */
  bootNode(
    ctx: ProviderContext,
    node: string,
    startScript: string,
    runDirs?: string[],
  ): Promise<{ target: SshTarget; started?: Promise<StartResult> }>;
  /** Removes what the journal lists; idempotent. */
  destroy(resources: Resource[]): Promise<void>;
  /** What this provider's crashed runs left: its kinds of resources, by its name prefixes, that no
   * journal in `owned` (names of live instances' resources) lists. */
  findOrphans(owned: Set<string>): Promise<Orphan[]>;
  /** Removes orphans found by findOrphans (whatever still runs in them first). */
  removeOrphans(orphans: Orphan[]): Promise<void>;
  /** What one instance owns on the host, found by its names alone (no journal, no state folder):
   * lab down removes it too. Must never match another instance (`a` is no prefix of `ab`). */
  findInstance?(lab: string, instance: string): Promise<Orphan[]>;
  /** The nodes of the instance whose machine is gone from the host (a deleted namespace). */
  absentNodes?(lab: string, instance: string, nodes: string[]): string[];
  /** What is wrong with the instance's links: a node's interface deleted or down, its switch port
   * gone, the instance's root link gone. One problem per link, naming the node. */
  linkProblems?(
    lab: string,
    instance: string,
    nodes: { name: string; interfaces: string[] }[],
  ): Promise<{ node: string; problem: string }[]>;
}
