// netplan: no daemon (nothing starts it on a node: emulated, netplan-routes applies its routes with ip;
// on a VM, the base step sets them), yet its generator checks the file that role renders. So it is a
// validator of its own, in FILE_VALIDATORS (daemons/index.ts), not a line of DAEMONS, which preflight,
// the roles' start and the judges read.
import type { Validator } from './daemon.js';

export const netplan: Validator = {
  tool: 'netplan generate',
  // it reads /etc/netplan under a root folder of our own
  placed: 'etc/netplan/50-lab.yaml',
  command: ({ root }) => ['netplan', 'generate', '--root-dir', root],
};
