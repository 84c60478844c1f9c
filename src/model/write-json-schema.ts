// npm run schema: regenerates labs/lab.schema.json (a test fails when it is stale).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABS_DIR } from '../paths.js';
import { labJsonSchema } from './json-schema.js';

const target = join(LABS_DIR, 'lab.schema.json');
writeFileSync(target, labJsonSchema());
console.log(`wrote ${target}`);
