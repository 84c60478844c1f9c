// lab inventory: an Ansible inventory of a running instance, so that people's playbooks run against it.
import { files, loadTargets, requireInstance } from '../../engine/state.js';
import { DefinitionError, NotUpError } from '../../errors.js';
import { inventoryOf, toAnsibleJson, toAnsibleYaml } from '../../inventory/ansible.js';
import { openLab } from '../../model/open.js';
import { verifyRoutedVia } from '../../transport/route-guard.js';
import { labNameOf } from '../lab-name.js';

const FORMATS = ['ansible', 'json'];

export async function inventory(ref: string, opts: { format: string; instance: string }): Promise<void> {
  if (!FORMATS.includes(opts.format))
    throw new DefinitionError(
      `--format ${opts.format}: use ansible (YAML) or json (an inventory script's JSON)`,
    );
  const { lab: name, instance } = await labNameOf(ref, opts.instance);
  const record = requireInstance(name, instance);
  if (record.status !== 'up')
    throw new NotUpError(
      `${name} (instance ${instance}) is ${record.status}, not up: its nodes may not answer`,
    );
  const targets = loadTargets(record.dir);
  // every address must leave through the lab's own link before a playbook is pointed at it
  await verifyRoutedVia(
    targets.map((t) => t.host),
    record.link!,
  );
  const { lab } = openLab(record.file, record.sets);
  const f = files(record.dir);
  const inv = inventoryOf({ lab, instance, hosts: targets, userKey: f.userKey, knownHosts: f.knownHosts });
  process.stdout.write(
    opts.format === 'json'
      ? `${JSON.stringify(toAnsibleJson(inv), null, 2)}\n`
      : `# ansible-inventory -i FILE --list; ansible -i FILE all -m ping\n${toAnsibleYaml(inv)}`,
  );
}
