// A daemon a node runs: how it starts there, which host package provides it, and how to look at it
// (its sessions and routes) and read what it shows. Judges look daemons up here by name.

/** One command of the emulated realization, run on the node in order. */
export interface StartCommand {
  name: string;
  run: string;
  /** The command starts a daemon that writes this pid file (on the node). */
  pidfile?: string;
  /** The daemon's process name (/proc/PID/comm): a start that finds the pid file naming a live process
   * of this name keeps it rather than starting a second one (see startScript). */
  program?: string;
  /** Folders under /run the command needs. The script makes those missing; a provider that makes the
   * node's /run makes them with it (a mkdir process fewer per daemon and node). */
  runDirs?: string[];
}

/** What a daemon reads of a node to name its sessions: the lab's Node has it (the daemons take nothing
 * from core, which reads them). */
export interface SessionNode {
  name: string;
  interfaces: { network: string; address?: string; address6?: string }[];
  bgp?: {
    neighbors: { node?: string; address: string; protocol: string; interface?: string }[];
    neighborRange?: string;
  };
}

/** One BGP session as the daemon shows it. */
export interface Session {
  /** What the daemon calls the peer: a protocol name (BIRD) or an address (GoBGP, FRR). */
  peer: string;
  /** The state as the daemon prints it (Established, Establ, Active, ...). */
  state: string;
  established: boolean;
  /** Prefixes received from the peer, when the daemon says. */
  received?: number;
  accepted?: number;
}

/** A tool that checks a rendered file without running anything: host/validate.ts runs it as declared. */
export interface Validator {
  /** How a report names it: the program and its checking switch (bird -p). */
  tool: string;
  /** The command that checks the file at `path`; `root`: the folder of its own it reads the file under. */
  command(file: { path: string; root: string }): string[];
  /** The tool reads the file at this place under a root folder of its own (netplan: etc/netplan/). */
  placed?: string;
  /** Run inside an empty, throwaway network namespace (gobgpd resolves unparsable addresses in DNS). */
  emptyNetns?: true;
}

export interface Daemon {
  name: string;
  /** The Debian package that provides it. */
  package: string;
  /** The programs it needs on the host: the daemon and its command-line tools. */
  commands: string[];
  /** The command that starts it on a node (its configuration already rendered there). */
  start: StartCommand;
  /** Its own check of the files it reads, unrun (a rendered file asks for it by the daemon's name). */
  validator?: Validator;
  /** BGP: how to list sessions on a node, how to read that, and how a session names a peer. */
  bgp?: {
    showSessions: string;
    parseSessions(output: string): Map<string, Session>;
    /** The keys `parseSessions` files `self`'s sessions with `peer` under (one per family). */
    sessionKeys(self: SessionNode | undefined, peer: SessionNode): string[];
  };
  /** A command that shows the routes to a prefix as the daemon installed them. */
  showRoute?(prefix: string): string;
  /** A router's daemon: the best BGP route to a prefix, OSPF neighbors, BFD sessions, as it shows them. */
  routing?: {
    parseRoute(output: string): RouteFacts | undefined;
    showOspfNeighbors: string;
    /** State (Full/PtP, 2-Way/DROther, ...) by neighbor router id. */
    parseOspfNeighbors(output: string): Map<string, string>;
    showBfdSessions: string;
    /** State (Up, Down, ...) by peer address. */
    parseBfdSessions(output: string): Map<string, string>;
  };
}

export interface RouteFacts {
  /** The BGP NEXT_HOP attribute: its global address, or its link-local one when the global is ::
   * (an unnumbered session's, RFC 8950). */
  nextHop?: string;
  /** The interface a link-local next hop is reached on (it means nothing without one). */
  nextHopInterface?: string;
  originator?: string;
  clusterList: string[];
  /** Every community of the three kinds in the lab's form: 65000:1, 65000:0:1, rt:65000:1. */
  communities: string[];
  /** LOCAL_PREF as the router holds it (FRR omits the default 100). */
  localPref?: number;
  med?: number;
  /** The AS path, first hop first. */
  asPath: number[];
  /** Why this path won, when the router says (FRR's selectionReason). */
  reason?: string;
  /** How many paths the router holds for the prefix. */
  paths: number;
  /** The route is usable: its next hop resolves. */
  reachable: boolean;
}

/** The addresses `self` has sessions with `peer` on (its resolved neighbors), else the peer's address on
 * a network they share (else its first): how daemons that name sessions by address find them. */
export function sessionAddresses(self: SessionNode | undefined, peer: SessionNode): string[] {
  const own = self?.bgp?.neighbors.filter((n) => n.node === peer.name).map((n) => n.address) ?? [];
  if (own.length) return own;
  const shared = peer.interfaces.find((pi) => self?.interfaces.some((fi) => fi.network === pi.network));
  const a = (shared ?? peer.interfaces[0])?.address;
  return a ? [a] : [];
}
