// The lab schema's building blocks, shared by the core schema and each add-on's part of it.
import { z } from 'zod';

const paramRef = z
  .string()
  .regex(/^\$\{[a-z_][a-z0-9_]*\}$/, 'a parameter reference such as ${workers}')
  .describe('a parameter reference, replaced by its value: ${name}');

/** A number that may also be written as a parameter reference (`${workers}`). */
export const count = z.union([z.number().int(), paramRef]);
export const prefix = z.string().describe('an IPv4 prefix, a.b.c.d/len');
export const address = z.string().describe('an IPv4 address, a.b.c.d');
export const name = z.string().describe('a safe name: [a-z][a-z0-9-]*');
export const selector = z
  .string()
  .describe('a node name, a node group name (all its members), or a cluster name (all its members)');
