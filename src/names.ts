// The one rule for names that become hostnames, folders, namespaces, BIRD protocols and command
// arguments: lab, node, network, cluster, workload and instance names.
export const SAFE_NAME = /^[a-z][a-z0-9-]*$/;

/** The instance a command works on without -i: $LAB_INSTANCE, else `default`. A shell (a workshop
 * attendee's, the README runner's) that sets it runs the README's commands on its own copy. */
export function defaultInstance(): string {
  return process.env.LAB_INSTANCE || 'default';
}

/** ` -i NAME` for hints that name a command, empty for the instance a bare command reaches. */
export function instanceFlag(instance: string): string {
  return instance === defaultInstance() ? '' : ` -i ${instance}`;
}
