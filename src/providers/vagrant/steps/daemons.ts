// Routers and reflectors outside Kubernetes run the very files the emulated lab renders, under systemd:
// one step per VM, with the daemon of each of its roles that has one (their `vm.daemon`).

import type { RenderedFile } from '../../../contracts/role.js';
import type { VmStep } from '../../../contracts/vm.js';
import type { Node } from '../../../core/lab.js';
import { roleOf } from '../../../roles/index.js';
import { script } from '../../../vm/script.js';

export function daemonSteps(node: Node, files: RenderedFile[]): VmStep[] {
  const daemons = node.roles.flatMap((r) => roleOf(r)?.vm?.daemon?.(node, files) ?? []);
  if (!daemons.length) return [];
  const did = daemons.map((d) => d.name).join(', ');
  return [
    {
      phase: 'daemons',
      node: node.name,
      title: did,
      script: script(
        `${node.name}: ${did}`,
        daemons.flatMap((d) => d.lines),
      ),
      timeoutS: 300,
    },
  ];
}
