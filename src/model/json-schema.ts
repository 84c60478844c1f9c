// The JSON Schema of lab.yaml, generated from the zod schema, for editor completion.
import { z } from 'zod';
import { labSchema } from './lab-schema.js';

export function labJsonSchema(): string {
  const schema = z.toJSONSchema(labSchema, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: 'lab.yaml: a lab definition', $id: 'lab.schema.json' }, null, 2)}\n`;
}
