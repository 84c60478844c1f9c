// An Ansible inventory of a running instance: every node by its management address, grouped by role,
// cluster and node group, with the lab's parameters and each node's own facts as variables.
import { type Scalar, stringify, type Tags } from 'yaml';
import type { Lab } from '../core/lab.js';
import { yamlString } from '../yaml-quote.js';

/** A string Ansible must never template (`!unsafe` in YAML, `__ansible_unsafe` in JSON): everything
 * the lab file, its parameters and --set gave. Only the connection variables we write are plain. */
export class Unsafe {
  constructor(readonly value: string) {}
  toJSON() {
    return { __ansible_unsafe: this.value };
  }
}

/** Every string inside a value, wrapped as Unsafe; numbers, booleans and the shape stay. */
export function unsafeStrings(v: unknown): unknown {
  if (typeof v === 'string') return new Unsafe(v);
  if (Array.isArray(v)) return v.map(unsafeStrings);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unsafeStrings(x)]));
  return v;
}

const unsafeTag: Tags[number] = {
  tag: '!unsafe',
  identify: (v) => v instanceof Unsafe,
  resolve: (s: string) => new Unsafe(s),
  // always double-quoted: one form every YAML reader takes literally, behind the tag
  stringify: (item) => yamlString((item as Scalar<Unsafe>).value.value),
};

export interface InventoryInput {
  lab: Lab;
  instance: string;
  /** node → management address, from the instance's saved targets */
  hosts: { node: string; host: string }[];
  userKey: string;
  knownHosts: string;
}

/** Ansible group names allow letters, digits and underscores: role_bird_router, cluster_k8s. */
export const groupName = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;

export interface Inventory {
  vars: Record<string, unknown>;
  hostvars: Record<string, Record<string, unknown>>;
  groups: Record<string, { hosts: string[]; vars?: Record<string, unknown> }>;
}

export function inventoryOf({ lab, instance, hosts, userKey, knownHosts }: InventoryInput): Inventory {
  const address = new Map(hosts.map((h) => [h.node, h.host]));
  const nodes = lab.nodes.filter((n) => address.has(n.name));
  const groups: Inventory['groups'] = {};
  const add = (group: string, host: string, vars?: Record<string, unknown>) => {
    groups[group] ??= { hosts: [], ...(vars ? { vars } : {}) };
    groups[group].hosts.push(host);
  };
  for (const n of nodes) {
    for (const r of n.roles) add(groupName('role', r), n.name);
    if (n.group) add(groupName('group', n.group), n.name);
  }
  for (const c of lab.clusters) {
    const vars = Object.fromEntries(
      Object.entries({
        lab_cluster_kind: c.kind,
        lab_cluster_id: c.id,
        lab_cluster_as: c.as,
        lab_control_plane: c.controlPlane,
        lab_pod_subnet: c.podSubnet,
        lab_service_subnet: c.serviceSubnet,
      }).filter(([, v]) => v !== undefined),
    );
    for (const n of nodes.filter((n) => n.cluster === c.name))
      add(groupName('cluster', c.name), n.name, unsafeStrings(vars) as Record<string, unknown>);
  }
  const hostvars = Object.fromEntries(
    nodes.map((n) => [
      n.name,
      {
        ansible_host: address.get(n.name),
        ...(unsafeStrings({
          lab_roles: n.roles,
          lab_addresses: Object.fromEntries(n.interfaces.map((i) => [i.network, i.address])),
          ...(n.cluster ? { lab_cluster: n.cluster } : {}),
          ...(n.bgp ? { lab_as: n.bgp.as, lab_router_id: n.bgp.routerId } : {}),
          ...(Object.keys(n.vars).length ? { lab_vars: n.vars } : {}),
        }) as Record<string, unknown>),
      },
    ]),
  );
  return {
    vars: {
      ansible_user: 'root',
      ansible_ssh_private_key_file: userKey,
      // the instance's pinned host keys, and nothing from the user's own files
      ansible_ssh_common_args: `-o UserKnownHostsFile=${knownHosts} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes`,
      ansible_python_interpreter: '/usr/bin/python3',
      ...(unsafeStrings({ lab_name: lab.name, lab_instance: instance, lab_params: lab.params }) as Record<
        string,
        unknown
      >),
    },
    hostvars,
    groups,
  };
}

/** The YAML inventory format (ansible-inventory -i FILE): all.vars, all.hosts, all.children. */
export function toAnsibleYamlData(inv: Inventory) {
  return {
    all: {
      vars: inv.vars,
      hosts: inv.hostvars,
      children: Object.fromEntries(
        Object.entries(inv.groups).map(([g, { hosts, vars }]) => [
          g,
          { hosts: Object.fromEntries(hosts.map((h) => [h, null])), ...(vars ? { vars } : {}) },
        ]),
      ),
    },
  };
}

/** The YAML inventory as text: lab-given strings tagged !unsafe. */
export function toAnsibleYaml(inv: Inventory): string {
  return stringify(toAnsibleYamlData(inv), {
    aliasDuplicateObjects: false,
    lineWidth: 0,
    customTags: [unsafeTag],
  });
}

/** The JSON an inventory script prints (ansible -i script), as `ansible-inventory --list` does. */
export function toAnsibleJson(inv: Inventory) {
  return {
    _meta: { hostvars: inv.hostvars },
    all: { children: ['ungrouped', ...Object.keys(inv.groups)], vars: inv.vars },
    ...Object.fromEntries(
      Object.entries(inv.groups).map(([g, { hosts, vars }]) => [g, { hosts, ...(vars ? { vars } : {}) }]),
    ),
    ungrouped: {
      hosts: Object.keys(inv.hostvars).filter(
        (h) => !Object.values(inv.groups).some((g) => g.hosts.includes(h)),
      ),
    },
  };
}
