// The inventory of every lab (with made-up management addresses): every node once, valid group names.
import { describe, expect, it } from 'vitest';
import { inventoryOf, toAnsibleJson } from '../../src/inventory/ansible.js';
import { openLab } from '../../src/model/open.js';
import { LAB_NAMES, labFile } from '../helpers/labs.js';

describe('lab inventory', () => {
  it.each(LAB_NAMES)('%s: every node with its address, in groups Ansible accepts', (name) => {
    const { lab } = openLab(labFile(name));
    const hosts = lab.nodes.map((n, i) => ({ node: n.name, host: `198.18.0.${i + 2}` }));
    const inv = inventoryOf({ lab, instance: 'x', hosts, userKey: '/k', knownHosts: '/kh' });
    expect(Object.keys(inv.hostvars).sort()).toEqual(lab.nodes.map((n) => n.name).sort());
    for (const h of hosts) expect(inv.hostvars[h.node].ansible_host).toBe(h.host);
    for (const g of Object.keys(inv.groups)) expect(g).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    for (const n of lab.nodes)
      for (const r of n.roles) expect(inv.groups[`role_${r.replaceAll('-', '_')}`].hosts).toContain(n.name);
    for (const c of lab.clusters)
      expect(inv.groups[`cluster_${c.name.replaceAll('-', '_')}`]?.hosts.sort()).toEqual(
        lab.nodes
          .filter((n) => n.cluster === c.name)
          .map((n) => n.name)
          .sort(),
      );
    const json = toAnsibleJson(inv);
    expect(json.all.children).toContain('ungrouped');
    expect(json._meta.hostvars).toBe(inv.hostvars);
  });
});
