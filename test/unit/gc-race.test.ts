// lab gc beside a lab up: what an instance made after gc first looked is that instance's, not an
// orphan. A gc running beside the soak took a new instance's namespaces between its network and its
// boot ("nsenter: cannot open /run/netns/...: No such file or directory" on every node).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Orphan } from '../../src/contracts/provider.js';

// the host-wide folders (instance list, locks) are read when their modules load: this test's own, first
const host = vi.hoisted(() => {
  const { mkdtempSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const root = mkdtempSync(join(tmpdir(), 'lab-gc-race-'));
  process.env.LAB_STATE_DIR = join(root, 'state');
  process.env.LAB_INSTANCES_DIR = join(root, 'instances');
  process.env.LAB_LOCK_DIR = join(root, 'locks');
  return { root, removed: [] as string[], during: (): void => {} };
});

// a provider whose host holds a namespace of an instance listed while gc looked, and one of none
vi.mock('../../src/providers/index.js', () => {
  const provider = {
    name: 'netns',
    findInstance: async () => [],
    findOrphans: async (owned: Set<string>): Promise<Orphan[]> => {
      host.during();
      return ['lab.bgp-metallb.new.router', 'lab.bgp-metallb.gone.router']
        .filter((n) => !owned.has(n))
        .map((name) => ({ kind: 'namespace', name }));
    },
    removeOrphans: async (orphans: Orphan[]) => {
      host.removed.push(...orphans.map((o) => o.name));
    },
  };
  return { allProviders: async () => [provider], providerOf: async () => provider };
});

const { collectGarbage } = await import('../../src/engine/gc.js');
const { listInstance } = await import('../../src/engine/host-instances.js');

describe('lab gc beside a lab up', () => {
  afterAll(() => rmSync(host.root, { recursive: true, force: true }));

  it('spares namespaces of an instance listed after its first look, and removes true orphans', async () => {
    // lab up of "new": listed, journal recorded, namespaces made, all while gc was looking
    host.during = () => {
      const dir = join(host.root, 'other-state', 'bgp-metallb', 'new');
      mkdirSync(dir, { recursive: true });
      const record = {
        id: 'bgp-metallb/new',
        lab: 'bgp-metallb',
        instance: 'new',
        provider: 'netns',
        dir,
        status: 'starting' as const,
        ownerPid: process.pid,
        createdAt: new Date().toISOString(),
      };
      writeFileSync(join(dir, 'instance.json'), JSON.stringify(record));
      writeFileSync(
        join(dir, 'journal.jsonl'),
        `${JSON.stringify({ kind: 'netns', id: 'netns:r', name: 'lab.bgp-metallb.new.router' })}\n`,
      );
      listInstance(record as Parameters<typeof listInstance>[0]);
    };
    const g = await collectGarbage();
    expect(host.removed).toEqual(['lab.bgp-metallb.gone.router']);
    expect(g.orphans.map((o) => o.name)).toEqual(['lab.bgp-metallb.gone.router']);
  });
});
