// lab inventory against a live bgp-metallb: Ansible itself reads it, and reaches every node with -m ping.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labCli } from '../helpers/cli.js';
import { isRoot } from '../helpers/labs.js';

const instance = `inv${process.pid % 100000}`;

describe.skipIf(!isRoot)('lab inventory on a running lab', () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-inv-'));
  const lab = labCli(state);
  const file = join(state, 'inventory.yaml');
  // Ansible's own folder in the test's, and no ControlPersist masters outliving the test
  const env = {
    ANSIBLE_HOME: join(state, 'ansible'),
    ANSIBLE_SSH_ARGS: '-o ControlMaster=no -o ControlPersist=no',
    ANSIBLE_NOCOLOR: '1',
  };

  beforeAll(async () => {
    const up = await lab(['up', 'bgp-metallb', '-i', instance]);
    expect(up.exitCode, up.all).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await lab(['down', 'bgp-metallb', '-i', instance]);
    rmSync(state, { recursive: true, force: true });
  });

  it('ansible-inventory reads the YAML inventory as the JSON one says: groups by role, cluster and group', async () => {
    const yaml = await lab(['inventory', 'bgp-metallb', '-i', instance]);
    expect(yaml.exitCode, yaml.all).toBe(0);
    writeFileSync(file, yaml.stdout);
    const listed = JSON.parse((await execa('ansible-inventory', ['-i', file, '--list'], { env })).stdout);
    const ours = JSON.parse(
      (await lab(['inventory', 'bgp-metallb', '-i', instance, '--format', 'json'])).stdout,
    );
    expect(listed.role_bird_router.hosts).toEqual(['router']);
    expect(listed.role_metallb_speaker.hosts).toEqual(['worker1', 'worker2', 'worker3']);
    expect(listed.cluster_k8s.hosts).toEqual(['master', 'worker1', 'worker2', 'worker3']);
    expect(listed.group_worker.hosts).toEqual(['worker1', 'worker2', 'worker3']);
    for (const g of Object.keys(ours).filter((k) => !k.startsWith('_') && k !== 'all' && k !== 'ungrouped'))
      expect(listed[g]?.hosts, g).toEqual(ours[g].hosts);
    const router = listed._meta.hostvars.router;
    expect(router.ansible_host).toMatch(/^198\.(18|19)\./); // the management address, not a lab one
    expect(router).toMatchObject({ ansible_user: 'root', lab_as: 11000, lab_params: { workers: 3 } });
    // the cluster's vars; lab-given strings come back marked unsafe: Ansible never templates them
    expect(listed._meta.hostvars.worker2.lab_cluster_kind).toEqual({ __ansible_unsafe: 'kubernetes' });
  });

  it('ansible -m ping reaches every node over SSH with the instance key and pinned host keys', async () => {
    const r = await execa('ansible', ['-i', file, 'all', '-m', 'ping', '-o'], {
      env,
      reject: false,
      all: true,
    });
    expect(r.exitCode, r.all).toBe(0);
    const pongs = r.stdout.split('\n').filter((l) => /SUCCESS.*"ping": ?"pong"/.test(l));
    expect(pongs.map((l) => l.split(' ')[0]).sort()).toEqual([
      'client',
      'master',
      'router',
      'worker1',
      'worker2',
      'worker3',
    ]);
  }, 60_000);

  it('refuses an instance that is not up, with how to start it', async () => {
    const r = await lab(['inventory', 'bgp-metallb', '-i', `${instance}x`]);
    expect(r.exitCode).not.toBe(0);
    expect(r.all).toMatch(/is not up[\s\S]*lab up bgp-metallb -i/);
  });
});
