// Every rendered daemon file passes its daemon's own checker; a broken one fails it.
import { describe, expect, it } from 'vitest';
import type { RenderedFile } from '../../src/contracts/role.js';
import { validateFiles } from '../../src/host/validate.js';
import { openLab } from '../../src/model/open.js';
import { renderLab } from '../../src/render/render-lab.js';
import { CONFORMANCE_LABS, conformanceFile, isRoot, LAB_NAMES, labFile } from '../helpers/labs.js';

if (!isRoot)
  console.warn('validator tests skipped: gobgpd is checked inside a network namespace, which needs root');

const variants: [string, string[]][] = [
  ...LAB_NAMES.map((n) => [n, []] as [string, string[]]),
  ['bgp-metallb', ['speaker=frr']],
  ['multi-coe-calico', ['dynamic_neighbors=true']],
];

describe.skipIf(!isRoot)("rendered files pass the daemons' own checkers", () => {
  it.each(variants)('%s %s', async (name, sets) => {
    const results = await validateFiles(renderLab(openLab(labFile(name), sets).lab));
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(r.ok, `${r.tool} ${r.file.node}:${r.file.path}\n${r.output}`).toBe(true);
  });

  it.each(CONFORMANCE_LABS)('conformance lab %s', async (name) => {
    const results = await validateFiles(renderLab(openLab(conformanceFile(name)).lab));
    for (const r of results) expect(r.ok, `${r.tool} ${r.file.node}:${r.file.path}\n${r.output}`).toBe(true);
  });

  it('covers bird, gobgp, frr and netplan (nginx names itself but declares no validator)', async () => {
    const files = variants.flatMap(([n, s]) => renderLab(openLab(labFile(n), s).lab));
    expect(new Set(files.map((f) => f.validator).filter(Boolean))).toEqual(
      new Set(['bird', 'gobgp', 'frr', 'netplan', 'nginx']),
    );
  });

  it.each<[RenderedFile['validator'], string, string]>([
    ['bird', 'bird -p', 'protocol bgp router { import all; export all; }\n'], // BIRD 1 syntax and a reserved name
    ['gobgp', 'gobgpd -d', '[global.config]\n  as = "not a number"\n'],
    ['frr', 'vtysh -C', 'router bgp 1\n neighborr 10.0.0.1 remote-as 2\n'],
    [
      'netplan',
      'netplan generate',
      'network:\n  version: 2\n  ethernets:\n    eth0:\n      addresses: [not-an-address]\n',
    ],
  ])('%s (%s) rejects a broken file', async (validator, tool, content) => {
    const [r] = await validateFiles([{ node: 'x', path: '/etc/x', content, validator }]);
    expect(r.tool).toBe(tool);
    expect(r.ok).toBe(false);
  });
});
