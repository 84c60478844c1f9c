// The README's lab-file reference has one line for every routing field the schema accepts: a field
// added to the schema fails here until the README says what it does. Filters (bgp.import, bgp.export,
// a neighbor's import/export) share the filter.* lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labJsonSchema } from '../../src/model/json-schema.js';
import { PROJECT_DIR } from '../../src/paths.js';

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  additionalProperties?: Schema;
};

/** The object schemas a field may be: itself, an array's items, each branch of a union. */
function objects(x: Schema | undefined): Schema[] {
  if (!x) return [];
  if (x.type === 'array') return objects(x.items);
  const branches = x.anyOf ?? x.oneOf ?? x.allOf;
  if (branches) return branches.flatMap(objects);
  return x.properties ? [x] : [];
}

/** Every field below `x` as a dotted path, not descending into the fields named in `stop`. */
function fieldsOf(x: Schema | undefined, prefix: string, stop: string[] = []): string[] {
  const out = new Set<string>();
  for (const o of objects(x))
    for (const [k, v] of Object.entries(o.properties!)) {
      out.add(`${prefix}.${k}`);
      if (!stop.includes(k)) for (const f of fieldsOf(v, `${prefix}.${k}`, stop)) out.add(f);
    }
  return [...out];
}

const schema = JSON.parse(labJsonSchema()) as Schema;
const node = schema.properties!.nodes.additionalProperties!.properties!;
const ROUTING_FIELDS = [
  'loopback',
  ...fieldsOf(schema.properties!.loopbacks, 'loopbacks'),
  'networks.unnumbered',
  ...fieldsOf(node.routes, 'routes'),
  ...fieldsOf(node.bgp, 'bgp', ['import', 'export']),
  ...fieldsOf(node.ospf, 'ospf'),
  ...fieldsOf(node.bgp.properties!.import, 'filter'),
];

const readme = readFileSync(join(PROJECT_DIR, 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('#### Every routing field, one line each'),
  readme.indexOf('### Steps: a lab as a tutorial'),
);
/** The fields the section gives a line: `- \`a\`, \`b\`: what they do.` */
const listed = section
  .split('\n')
  .filter((l) => l.startsWith('- `'))
  .flatMap((l) => [...l.slice(2, l.indexOf(': ')).matchAll(/`([a-z0-9_.]+)`/g)].map((m) => m[1]));

describe("the README's routing field reference", () => {
  it('finds the schema fields it checks (the walk is not vacuous)', () => {
    expect(ROUTING_FIELDS.length).toBeGreaterThan(70);
    expect(ROUTING_FIELDS).toEqual(
      expect.arrayContaining([
        'bgp.neighbors.timers.hold',
        'filter.rules.set.local_pref',
        'ospf.networks.cost',
      ]),
    );
  });

  it('has a line for every routing field of the schema', () => {
    expect(ROUTING_FIELDS.filter((f) => !listed.includes(f))).toEqual([]);
  });

  it('lists no field the schema does not have, each once', () => {
    expect(listed.filter((f) => !ROUTING_FIELDS.includes(f))).toEqual([]);
    expect(listed.filter((f, i) => listed.indexOf(f) !== i)).toEqual([]);
  });
});
