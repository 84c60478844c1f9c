// Which steps a run covers: lab up never runs an optional step (a trap) unless --to names it, and then
// after the steps before it are proven; a trap's broken checks come in its own order.
import { describe, expect, it } from 'vitest';
import { loadLab } from '../../src/model/load.js';
import { resolveLab } from '../../src/model/resolve.js';
import { brokenBy, checksOf, nextStep, nodeAtBoot, splitTrap, stepsThrough } from '../../src/steps/plan.js';
import { LAB_NAMES, labFile } from '../helpers/labs.js';

const tf = resolveLab(loadLab(labFile('tf-multicluster'))).lab;
const names = (steps: { name: string }[]) => steps.map((s) => s.name);

describe('steps of a run', () => {
  it.each(LAB_NAMES)(
    '%s: lab up without --to runs every step but the optional ones, and all checks',
    (name) => {
      const { lab } = resolveLab(loadLab(labFile(name)));
      expect(lab.steps.length).toBeGreaterThan(0);
      const steps = stepsThrough(lab);
      expect(steps.some((s) => s.optional)).toBe(false);
      expect(steps).toEqual(lab.steps.filter((s) => !s.optional));
      expect(splitTrap(steps).trap).toBeUndefined();
      expect(checksOf(lab, steps, true)).toBe(lab.checks);
      // every node boots with all its roles, as before steps existed
      for (const node of lab.nodes) expect(nodeAtBoot(lab, node, steps)).toBe(node);
    },
  );

  it('lab up --to a trap covers the regular steps before it, then the trap, last', () => {
    const steps = stepsThrough(tf, 'break-vrouter-gateway');
    expect(names(steps)).toEqual(['gateway', 'cluster-a', 'cluster-b', 'break-vrouter-gateway']);
    const { proven, trap } = splitTrap(steps);
    expect(names(proven)).toEqual(['gateway', 'cluster-a', 'cluster-b']);
    expect(trap?.name).toBe('break-vrouter-gateway');
    // the checks proven before the trap are the steps' own, the trap's broken ones among them
    const checks = checksOf(tf, proven, false).map((c) => c.name);
    for (const c of trap!.breaks) expect(checks).toContain(c);
    expect(brokenBy(tf, trap!).map((c) => c.name)).toEqual([
      'a-vrouter-underlay',
      'pods-a-to-b',
      'pods-b-to-a',
    ]);
  });

  it('lab step runs a trap only when named', () => {
    const regular = names(tf.steps.filter((s) => !s.optional));
    expect(nextStep(tf, regular)).toBeUndefined();
    expect(nextStep(tf, regular, 'break-vrouter-gateway')?.name).toBe('break-vrouter-gateway');
    expect(() => nextStep(tf, regular, 'break-nothing')).toThrow(/no step 'break-nothing'/);
  });

  it('a checkpoint boots the nodes without the roles of later steps', () => {
    const steps = stepsThrough(tf, 'cluster-a');
    const bMaster = tf.nodes.find((n) => n.name === 'b-master')!;
    const aMaster = tf.nodes.find((n) => n.name === 'a-master')!;
    expect(nodeAtBoot(tf, bMaster, steps).roles).toEqual([]);
    expect(nodeAtBoot(tf, aMaster, steps)).toBe(aMaster);
  });
});
