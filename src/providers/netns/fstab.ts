// fstab lines, for the node sandbox's mount -a (sandbox.ts) and the namespaces' binds (userns.ts).

/** fstab escapes: a space in a path would end its field. */
export const field = (s: string) =>
  s.replaceAll('\\', '\\134').replaceAll(' ', '\\040').replaceAll('\t', '\\011').replaceAll('\n', '\\012');

/** One fstab line (no newline) of its fields: device, mount point, type, options. */
export const fstabLine = (fields: string[]) => `${fields.map(field).join(' ')} 0 0`;
