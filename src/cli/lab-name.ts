// Commands on a running lab take its name (or its lab file) and an instance.
import { existsSync } from 'node:fs';
import { instanceDir } from '../engine/instances.js';
import { loadLab } from '../model/load.js';
import { labFileOf, verifyInstanceName } from '../paths.js';

export function labNameOf(ref: string, instance: string): { lab: string; instance: string } {
  verifyInstanceName(instance);
  // a running instance is found by name even if its lab file has gone
  if (/^[a-z][a-z0-9-]*$/.test(ref) && existsSync(instanceDir(ref, instance))) return { lab: ref, instance };
  return { lab: loadLab(labFileOf(ref)).raw.name, instance };
}
