// Rendered MetalLB and Calico manifests validate against the upstream CRD schemas vendored in test/schemas.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { metallbResources } from '../../src/addons/metallb/manifests.js';
import { openLab } from '../../src/model/open.js';
import { PROJECT_DIR } from '../../src/paths.js';
import { renderLab } from '../../src/render/render-lab.js';
import { conformanceFile, LAB_NAMES, labFile } from '../helpers/labs.js';

// vendored with their source and commit (test/schemas/README.md): the test runs the same on every clone
const SCHEMAS = join(PROJECT_DIR, 'test', 'schemas');

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema: { openAPIV3Schema: object } }[];
  };
}

function loadValidators() {
  // Calico's schemas use Go's (?i) flag syntax, which JavaScript writes as a flag
  const regExp = Object.assign(
    (pattern: string, flags: string) =>
      pattern.includes('(?i)')
        ? new RegExp(pattern.replaceAll('(?i)', ''), `${flags}i`)
        : new RegExp(pattern, flags),
    { code: 'new RegExp' },
  );
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, code: { regExp } });
  const byKind = new Map<string, ReturnType<Ajv['compile']>>();
  for (const dir of ['metallb', 'calico']) {
    for (const file of readdirSync(join(SCHEMAS, dir)).filter((f) => f.endsWith('.yaml'))) {
      const crd = parseYaml(readFileSync(join(SCHEMAS, dir, file), 'utf8')) as Crd;
      for (const v of crd.spec.versions) {
        byKind.set(
          `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`,
          ajv.compile(v.schema.openAPIV3Schema),
        );
      }
    }
  }
  return byKind;
}

const manifests = LAB_NAMES.flatMap((name) =>
  renderLab(openLab(labFile(name)).lab)
    .filter((f) => f.manifest === 'metallb' || f.manifest === 'calico')
    .map((f) => [`${name} ${f.node}:${f.path}`, f] as const),
);

describe('manifests against upstream CRD schemas', () => {
  const validators = loadValidators();

  it('has manifests of both add-ons to check', () => {
    expect(manifests.map(([, f]) => f.manifest)).toEqual(expect.arrayContaining(['metallb', 'calico']));
  });

  it.each(manifests)('%s', (_name, file) => {
    const docs = parseAllDocuments(file.content).map((d) => d.toJS() as { apiVersion: string; kind: string });
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      const validate = validators.get(`${doc.apiVersion}/${doc.kind}`);
      // the allow-all GlobalNetworkPolicy has no CRD in test/schemas: it is checked by kind only
      if (doc.kind === 'GlobalNetworkPolicy') continue;
      expect(validate, `no upstream schema for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
      expect(validate!(doc), JSON.stringify(validate!.errors)).toBe(true);
    }
  });

  it("MetalLB's BFDProfile and a BGPPeer's bfdProfile (conformance lab metallb-bfd) validate", () => {
    const { lab } = openLab(conformanceFile('metallb-bfd'));
    const cluster = lab.clusters[0];
    const { docs } = metallbResources(lab, cluster, cluster.addons.metallb!);
    const profile = docs.find((d) => d.kind === 'BFDProfile')!;
    expect(profile).toMatchObject({
      apiVersion: 'metallb.io/v1beta1',
      metadata: { name: 'fast', namespace: 'metallb-system' },
      spec: { receiveInterval: 150, transmitInterval: 150, detectMultiplier: 3 },
    });
    const peers = docs.filter((d) => d.kind === 'BGPPeer');
    expect(peers.map((p) => (p.spec as { bfdProfile?: string }).bfdProfile)).toEqual(['fast', 'fast']);
    for (const doc of docs) {
      const validate = validators.get(`${doc.apiVersion}/${doc.kind}`)!;
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    }
    // a multiplier MetalLB refuses fails its schema too
    const bad = { ...profile, spec: { detectMultiplier: 1 } };
    expect(validators.get('metallb.io/v1beta1/BFDProfile')!(bad)).toBe(false);
  });

  it('a wrong manifest fails the schema (the check is not vacuous)', () => {
    const validate = validators.get('metallb.io/v1beta2/BGPPeer')!;
    expect(
      validate({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', spec: { myASN: 'x', peerAddress: 1 } }),
    ).toBe(false);
  });
});
