// The one rule for names that become hostnames, folders, namespaces, BIRD protocols and command
// arguments: lab, node, network, cluster, workload and instance names.
export const SAFE_NAME = /^[a-z][a-z0-9-]*$/;
