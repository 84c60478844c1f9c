// Commands on a running lab take its name (or its lab file) and an instance.
import { existsSync } from 'node:fs';
import { instanceDir } from '../engine/instances.js';
import { SAFE_NAME } from '../names.js';
import { labFileOf, verifyInstanceName } from '../paths.js';

export async function labNameOf(ref: string, instance: string): Promise<{ lab: string; instance: string }> {
  verifyInstanceName(instance);
  // a running instance is found by name even if its lab file has gone
  if (SAFE_NAME.test(ref) && existsSync(instanceDir(ref, instance))) return { lab: ref, instance };
  // loading a lab file costs the schema's import: only when the name alone does not do
  const { loadLab } = await import('../model/load.js');
  return { lab: loadLab(labFileOf(ref)).raw.name, instance };
}
