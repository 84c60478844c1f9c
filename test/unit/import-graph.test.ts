// The shape of src/: folders import each other in one direction only, and the engine and the model
// know no provider's insides. Type-only imports are erased by the compiler and do not count.
import { describe, expect, it } from 'vitest';
import { cycles, fileImports, folderEdges } from '../helpers/import-graph.js';

const SRC = 'src';

describe('import graph', () => {
  it('has no circle between folders', () => {
    const runtime = folderEdges(SRC).filter((e) => e.runtime);
    expect(runtime.length).toBeGreaterThan(10);
    expect(cycles(runtime)).toEqual([]);
  });

  it('has no circle between files', () => {
    const runtime = fileImports(SRC).filter((i) => i.runtime);
    expect(cycles(runtime)).toEqual([]);
  });

  it('finds a circle when there is one', () => {
    expect(
      cycles([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
        { from: 'c', to: 'd' },
      ]),
    ).toEqual([['a', 'b', 'c']]);
  });

  it.each(['engine/', 'model/', 'core/', 'addons/', 'roles/', 'lint/'])(
    "%s imports nothing from any provider's folder (providers/<name>/), not even types",
    (folder) => {
      const inside = fileImports(SRC).filter(
        (i) => i.from.startsWith(folder) && /^providers\/[^/]+\//.test(i.to),
      );
      expect(inside).toEqual([]);
    },
  );
});
