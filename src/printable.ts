// What a node or a lab file says, made safe to show: a terminal acts on escape sequences (colours,
// cursor moves, OSC 52 writing the clipboard, a title), a carriage return hides what came before it.
// Shown as `systemctl` and `ls -b` show them: \x1b, \r, \x9b. Reports keep a bounded tail.

/** C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and isolates
 * that reorder what a reader sees (CVE-2021-42574). */
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const escaped = (c: string) => {
  const code = c.charCodeAt(0);
  if (c === '\r') return '\\r';
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** The text with every control character shown as an escape: for text output, never for --json
 * (JSON escapes them itself) nor for `lab exec`, which passes a node's bytes through as ssh does. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escaped);
}

/** A one-line field (a description in a table): newlines and tabs shown too. */
export function printableLine(text: string): string {
  return printable(text).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

/** How much of one output a report keeps: its end, where the failure shows. */
export const OUTPUT_TAIL = 64 * 1024;

/** The last `max` characters of an output, saying how much was cut before them. */
export function outputTail(text: string, max = OUTPUT_TAIL): string {
  if (text.length <= max) return text;
  const cut = text.length - max;
  return `[${cut} characters cut, the last ${max} follow]\n${text.slice(cut)}`;
}
