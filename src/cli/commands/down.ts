// lab down: idempotent; says what it removed.
import { labDown } from '../../engine/down.js';
import { labNameOf } from '../lab-name.js';

export async function down(ref: string, opts: { instance: string }): Promise<void> {
  const { lab, instance } = await labNameOf(ref, opts.instance);
  const { removed, ms } = await labDown(lab, instance);
  console.log(
    removed
      ? `${lab} (instance ${instance}) removed in ${(ms / 1000).toFixed(2)} s`
      : `${lab} (instance ${instance}) is not up: nothing to remove`,
  );
}
