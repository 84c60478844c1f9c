import { stringify } from 'yaml';
import { shellComment } from './shell-quote.js';

// Quoting for YAML read by PyYAML (Ansible), go-yaml (kubectl, netplan) and the yaml package: one
// double-quoted scalar, taken literally by each of them.

// what YAML 1.1 readers take as a line break (folded inside quotes) or refuse as non-printable
const UNPRINTABLE = /[\u007f-\u009f\u2028\u2029\ufffe\uffff]/g;

/** A YAML double-quoted string: JSON's escapes are YAML's, and every other character is printable. */
export function yamlString(value: string): string {
  return JSON.stringify(value).replace(
    UNPRINTABLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A YAML file of documents written by the serializer, which quotes every value as YAML needs (1.1:
 * `on`, `yes` stay strings for go-yaml too); lab text never shapes it. Comments go on top, one line each. */
export function yamlDocuments(comments: string[], docs: unknown[]): string {
  const body = docs.map(
    (d) => `---\n${stringify(d, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false })}`,
  );
  return [...comments.map((c) => `${shellComment(c)}\n`), ...body].join('');
}
