import { describe, expect, it } from 'vitest';
import { DefinitionError } from '../../src/errors.js';
import { LabDefinitionError, loadLab, loadLabText } from '../../src/model/load.js';
import { resolveLab } from '../../src/model/resolve.js';
import { labFile } from '../helpers/labs.js';

const minimal = (extra = '') => `name: t
description: test
params:
  workers: { default: 2, min: 1, max: 9 }
networks:
  net: { prefix: 10.0.0.0/24 }
nodes:
  worker:
    count: \${workers}
    interfaces: [{ network: net, index: 10 }]
${extra}`;

function errorsOf(text: string, sets: string[] = []) {
  try {
    loadLabText(text, 'lab.yaml', sets);
  } catch (e) {
    if (e instanceof LabDefinitionError) return e.issues;
    throw e;
  }
  return [];
}

describe('load', () => {
  it('reports every schema problem at once, each with line, column and path', () => {
    const issues = errorsOf(`name: t
description: test
networks:
  net: { prefix: 10.0.0.0/24, mtu: big }
nodes:
  a:
    interfacez: []
`);
    expect(issues.map((i) => [i.code, i.line, i.column])).toEqual([
      ['schema', 4, 31], // the key mtu:
      ['schema', 6, 3],
    ]);
    expect(issues[0].path).toEqual(['networks', 'net', 'mtu']);
    expect(issues[1].message).toMatch(/interfacez/);
  });

  it('reports duplicate keys, which YAML would silently merge', () => {
    const issues = errorsOf(`name: t\ndescription: x\nnetworks: {}\nnodes:\n  a: {}\n  a: {}\n`);
    expect(issues[0]).toMatchObject({ code: 'name-duplicate', line: 6 });
  });

  it('substitutes parameters with their type, and --set overrides them', () => {
    const { lab } = resolveLab(loadLabText(minimal(), 'lab.yaml', ['workers=5']));
    expect(lab.nodes.map((n) => n.name)).toEqual(['worker1', 'worker2', 'worker3', 'worker4', 'worker5']);
    expect(lab.nodes[4].interfaces[0].address).toBe('10.0.0.15');
  });

  it('rejects unknown parameters, bad values and malformed --set, naming what to do', () => {
    expect(() => loadLabText(minimal(), 'lab.yaml', ['workerz=5'])).toThrow(
      /no parameter 'workerz'; its parameters are workers/,
    );
    expect(() => loadLabText(minimal(), 'lab.yaml', ['workers=many'])).toThrow(/expected a number/);
    expect(() => loadLabText(minimal(), 'lab.yaml', ['workers=10'])).toThrow(/above the maximum 9/);
    expect(() => loadLabText(minimal(), 'lab.yaml', ['workers'])).toThrow(DefinitionError);
  });

  it('reports a reference to an undeclared parameter where it is used', () => {
    const issues = errorsOf(minimal().replace('${workers}', '${nodes}'));
    expect(issues[0]).toMatchObject({ code: 'param-unknown', path: ['nodes', 'worker', 'count'], line: 9 });
  });

  it('gives --set workers=5 five workers and five router peers in bgp-metallb', () => {
    const { lab, issues } = resolveLab(loadLab(labFile('bgp-metallb'), ['workers=5']));
    expect(issues).toEqual([]);
    const router = lab.nodes.find((n) => n.name === 'router')!;
    expect(router.bgp!.neighbors.map((n) => n.address)).toEqual([
      '10.0.0.51',
      '10.0.0.52',
      '10.0.0.53',
      '10.0.0.54',
      '10.0.0.55',
    ]);
    expect(lab.nodes.filter((n) => n.group === 'worker')).toHaveLength(5);
  });

  it('refuses every YAML tag but plain data, at the tag', () => {
    const issues = errorsOf(
      minimal(
        'checks: !!set\n  ? a\nwaits: { a: !!js/function "() => 1", b: !!binary aGk=, c: !foo 1, d: !!int "2" }\n',
      ),
    );
    expect(issues.map((i) => [i.code, i.line, i.column, i.message.split(':')[0]])).toEqual([
      ['yaml-tag', 11, 9, 'the YAML tag !!set'],
      ['yaml-tag', 13, 13, 'the YAML tag !!js/function'],
      ['yaml-tag', 13, 41, 'the YAML tag !!binary'],
      ['yaml-tag', 13, 59, 'the YAML tag !foo'],
    ]);
  });
});
