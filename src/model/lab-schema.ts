// The lab file's schema as lab reads it: core's schema (core/schema.ts) with each registered add-on's
// part under clusters.<name>.addons and the providers a lab file may name, as their registries say
// (the providers' registry loads none of them: a lab file's schema costs one small module more).

import { z } from 'zod';
import { addonsShape } from '../addons/index.js';
import { labSchemaOf } from '../core/schema.js';
import { LAB_FILE_PROVIDERS } from '../providers/index.js';

export const labSchema = labSchemaOf({
  addons: z.object(addonsShape()).strict().default({}),
  providers: LAB_FILE_PROVIDERS,
}).lab;
