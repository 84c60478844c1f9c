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
