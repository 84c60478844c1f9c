// npm run schema: regenerates labs/lab.schema.json (a test fails when it is stale).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABS_DIR } from '../paths.js';
import { labJsonSchema } from './json-schema.js';

const target = join(LABS_DIR, 'lab.schema.json');
const schema = labJsonSchema();
// unchanged, it is left alone: a test reading it meanwhile (npm test runs files side by side) never
// sees it half written
if (existsSync(target) && readFileSync(target, 'utf8') === schema) console.log(`${target} is up to date`);
else {
  writeFileSync(target, schema);
  console.log(`wrote ${target}`);
}
