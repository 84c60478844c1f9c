// The lab schema's building blocks, shared by the core schema and each add-on's part of it.
import { z } from 'zod';

const paramRef = z
  .string()
  .regex(/^\$\{[a-z_][a-z0-9_]*\}$/, 'a parameter reference such as ${workers}')
  .describe('a parameter reference, replaced by its value: ${name}');

/** A number that may also be written as a parameter reference (`${workers}`). */
export const count = z.union([z.number().int(), paramRef]);
/** Most members a group may have (the lab's total is bounded too: MAX_NODES in resolve): every node
 * is a namespace, an sshd and its daemons on this host. */
export const MAX_GROUP = 1000;
export const groupCount = z.union([z.number().int().max(MAX_GROUP), paramRef]);
/** A 4-byte AS number (RFC 6793): 1 to 4294967295. */
export const asn = z.union([z.number().int().min(1).max(4294967295), paramRef]);
// Addresses, prefixes and selectors reach shells, configs and YAML: the schema lets through
// only characters no target gives a meaning (no space, quote, $, #, newline); lint checks their form.
const TOKEN = /^[A-Za-z0-9_.:/-]*$/;
/** A string of letters, digits and _ . : / - only: an address, a prefix, a name, a duration. */
export const token = (what: string) =>
  z.string().regex(TOKEN, `${what}: letters, digits and _ . : / - only (no spaces, quotes or symbols)`);
export const prefix = token('an IPv4 prefix').describe('an IPv4 prefix, a.b.c.d/len');
export const address = token('an IPv4 address').describe('an IPv4 address, a.b.c.d');
// Versions reach shell commands, URLs, YAML and comments: a strict shape, refused at load otherwise.
/** A release version as Helm charts and CNIs publish them: 0.14.8, v3.28.2, 1.16.0-rc.1. */
export const VERSION = /^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$/;
export const version = z
  .string()
  .regex(VERSION, 'a release version such as 1.16.3 or v3.28.2 (digits and dots, an optional -suffix)');
/** A container image tag (Docker's grammar): 2011.L5, R2011-latest. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const imageTag = z
  .string()
  .regex(IMAGE_TAG, 'an image tag such as 2011.L5: letters, digits, _ . and -, at most 128');
// names are free here: lint says which name is unsafe and why (name-unsafe), at its place
export const name = z.string().describe('a safe name: [a-z][a-z0-9-]*');
export const selector = token('a node, group or cluster name').describe(
  'a node name, a node group name (all its members), or a cluster name (all its members)',
);
