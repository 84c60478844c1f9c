// Validates JUnit XML against the vendored JUnit XSD (test/fixtures/junit) with libxml2 in WebAssembly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { FIXTURES } from './labs.js';

const XSD = readFileSync(join(FIXTURES, 'junit', 'junit-10.xsd'), 'utf8');

export async function validateJUnit(xml: string) {
  return validateXML({
    xml: [{ fileName: 'junit.xml', contents: xml }],
    schema: [{ fileName: 'junit-10.xsd', contents: XSD }],
  });
}
