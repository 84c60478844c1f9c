// The order test files start in: longest first, so that the suite's last minute is not one long file
// running alone. Vitest's own order, without a results cache (a fresh clone, CI), is largest file
// first: the README walkthroughs (readme-*.test.ts, four lines each, the longest of all) started last,
// and the quiet fresh-clone run of b0723eb ended with readme-tf-multicluster's 117 s, started about 270 s in.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds each long file took in a quiet fresh-clone npm test, four files at once (b0723eb): the
 * order's guess where vitest keeps no duration of its own yet (node_modules/.vite, after a run). A file
 * not named here is short, and runs after these, in vitest's order. */
const MEASURED_S: Record<string, number> = {
  'test/integration/readme-tf-multicluster.test.ts': 117,
  'test/integration/tf-multicluster.test.ts': 100,
  'test/integration/readme.test.ts': 89,
  'test/integration/readme-cilium-clustermesh.test.ts': 87,
  'test/integration/reliability.test.ts': 77,
  'test/integration/steps.test.ts': 74,
  'test/integration/readme-multi-coe-calico.test.ts': 64,
  'test/integration/conformance.test.ts': 56,
  'test/integration/soak.test.ts': 56,
  'test/unit/vagrant-project.test.ts': 51,
  'test/integration/nightly-failures.test.ts': 39,
  'test/integration/cilium-clustermesh.test.ts': 32,
  'test/unit/hostile-input.test.ts': 30,
  'test/integration/sandbox.test.ts': 27,
  'test/integration/serve.test.ts': 26,
  'test/unit/hostile-artifacts.test.ts': 25,
  'test/integration/inventory.test.ts': 25,
  'test/integration/readme-bgp-metallb.test.ts': 22,
};

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const seconds = (f: TestSpecification) => {
      const path = relative(root, f.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${f.project.name}:${path}`)?.duration;
      return cached !== undefined ? cached / 1000 : (MEASURED_S[path] ?? 0);
    };
    const base = await super.sort(files); // groups and projects in their order; ties keep it
    const rank = new Map(base.map((f, i) => [f, i]));
    const group = (f: TestSpecification) => f.project.config.sequence.groupOrder;
    return [...base].sort(
      (a, b) => group(a) - group(b) || seconds(b) - seconds(a) || rank.get(a)! - rank.get(b)!,
    );
  }
}
