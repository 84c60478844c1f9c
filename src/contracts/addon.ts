// The add-on contract: everything about one cluster add-on in its own folder. Its part of the schema,
// what it makes nodes do (derived while resolving), its lint rules, the manifests its control plane
// applies, and the roles it brings (their renders and emulation). Registered in addons/index.ts.
import type { z } from 'zod';
import type { PushIssue } from '../core/issue.js';
import type { Cluster, Lab, Node, NodeBgp } from '../core/lab.js';
import type { Rule, Space } from './lint.js';
import type { RenderedFile, Role } from './role.js';
import type { VmStep } from './vm.js';

export interface Addon<Key extends string = string, Schema extends z.ZodType = z.ZodType> {
  /** Its key under a cluster's `addons:` (snake_case, as in the lab file). */
  key: Key;
  /** Its part of the lab schema: clusters.<name>.addons.<key>. */
  schema: Schema;
  /** The CNI it is, as kubeadm's configuration names it; none for other add-ons. */
  cni?: string;
  /** Resolve phase `add-ons`: facts it decides for the whole lab (pod blocks), warnings about its use. */
  derive?(lab: Lab, push: PushIssue): void;
  /** Resolve phase `bgp`: the BGP a member node speaks because of this add-on (the lab's own bgp: wins). */
  bgp?(lab: Lab, cluster: Cluster, node: Node): NodeBgp | undefined;
  /** Address spaces it takes in its cluster (pools): lint keeps them apart from everything else. */
  spaces?(cluster: Cluster): Omit<Space, 'cluster'>[];
  /** Its traps, reported by lab lint. */
  lint?: Rule;
  /** The files its cluster's control plane applies (full realization). */
  manifests?(lab: Lab, node: Node, cluster: Cluster): RenderedFile[];
  /** The roles it brings (a speaker, a node agent). */
  roles?: Role[];
  /** Version rules as data: the Kubernetes minors each of its minor releases lists as tested (its
   * compatibility page); lint warns on another pair (addon-untested-kubernetes). */
  testedKubernetes?: Record<string, string[]>;
  /** Its lint codes, as data for lab up --allow: traps it may bring up (each builds, then shows its
   * symptom), errors it never lets through (nothing sensible to build), and warnings (never stop up). */
  codes?: { traps?: string[]; errors?: string[]; warnings?: string[] };
  /** Its realization on VMs: its steps in each cluster that enables it, and across the lab's clusters. */
  vm?: {
    cluster?(lab: Lab, cluster: Cluster, files: RenderedFile[]): VmStep[];
    lab?(lab: Lab): VmStep[];
  };
}

/** The add-on's configuration in a cluster, typed by its schema. */
export type ConfigOf<A> = A extends Addon<string, infer S> ? z.infer<S> : never;
