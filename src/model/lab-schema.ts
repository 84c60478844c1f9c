// The lab file's schema as lab reads it: core's schema (core/schema.ts) with each registered add-on's
// part under clusters.<name>.addons and the providers a lab file may name.

import { z } from 'zod';
import { addonsShape } from '../addons/index.js';
import { labSchemaOf } from '../core/schema.js';

/** A lab file's `provider:`: the first is the default (vagrant-host is chosen on the command line only). */
const LAB_PROVIDERS = ['netns', 'vagrant'] as const;

/** The provider of a lab file that names none, and of an instance whose record lost its provider. */
export const DEFAULT_PROVIDER: string = LAB_PROVIDERS[0];

export const labSchema = labSchemaOf({
  addons: z.object(addonsShape()).strict().default({}),
  providers: LAB_PROVIDERS,
}).lab;
