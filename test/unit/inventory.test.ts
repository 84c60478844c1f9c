// The inventory of every lab (with made-up management addresses): every node once, valid group names;
// under Ansible, every string the lab gave stays a string and is never templated.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryOf, toAnsibleJson, toAnsibleYaml } from '../../src/inventory/ansible.js';
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

const hasAnsible = (() => {
  try {
    execFileSync('ansible-inventory', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// A parameter or a role variable that reads as a Jinja2 template is data: Ansible never evaluates it.
describe.skipIf(!hasAnsible)('lab inventory under Ansible: lab-given strings are !unsafe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-inv-unsafe-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const marker = join(dir, 'templated');
  const hostile = `{{ lookup('pipe', 'touch ${marker}') }}`;
  const { lab } = openLab(labFile('bgp-metallb'));
  lab.params.note = `${hostile}\n---\nx: !!python/object/apply:os.system ["touch ${marker}"]`;
  lab.nodes[0].vars = { motd: hostile, list: [hostile, 3] };
  const hosts = lab.nodes.map((n, i) => ({ node: n.name, host: `198.18.0.${i + 2}` }));
  const inv = inventoryOf({ lab, instance: 'x', hosts, userKey: '/k', knownHosts: '/kh' });
  const env = { ...process.env, ANSIBLE_HOME: join(dir, 'ansible'), ANSIBLE_NOCOLOR: '1' };
  const node = lab.nodes[0].name;

  it.each([
    ['YAML', 'inventory.yaml', () => toAnsibleYaml(inv)],
    [
      'JSON (an inventory script)',
      'inventory.sh',
      () => `#!/bin/sh\ncat <<'END'\n${JSON.stringify(toAnsibleJson(inv))}\nEND\n`,
    ],
  ])(
    '%s: values come back as the very strings, never templated',
    (_format, name, text) => {
      const file = join(dir, name);
      writeFileSync(file, text(), { mode: 0o755 });
      const listed = JSON.parse(
        execFileSync('ansible-inventory', ['-i', file, '--list'], { env, encoding: 'utf8' }),
      );
      const vars = listed._meta.hostvars[node];
      expect(vars.lab_params.note).toEqual({ __ansible_unsafe: lab.params.note });
      expect(vars.lab_params.workers).toBe(lab.params.workers); // numbers stay numbers
      expect(vars.lab_vars).toEqual({
        motd: { __ansible_unsafe: hostile },
        list: [{ __ansible_unsafe: hostile }, 3],
      });
      expect(vars.ansible_user).toBe('root'); // our own connection variables stay plain
      // debug templates the variable it prints: an unsafe value comes out as written
      const out = execFileSync(
        'ansible',
        ['-i', file, node, '-c', 'local', '-m', 'debug', '-a', 'var=lab_vars.motd', '-o'],
        { env, encoding: 'utf8' },
      );
      expect(out).toContain("lookup('pipe'");
      expect(existsSync(marker)).toBe(false);
    },
    30_000,
  );
});
