// Quoting for POSIX sh (dash runs our scripts): one argument, taken literally.
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Text for a `# comment` or a title on one line: control characters (a newline would start a
 * command) shown as escapes, so the comment stays one line whatever it says. */
export function oneLine(s: string): string {
  return s.replace(
    /[\u0000-\u001f\u007f\u0085\u2028\u2029]/g,
    (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A bash comment line: `# text` on exactly one line. */
export function shellComment(s: string): string {
  return `# ${oneLine(s)}`;
}
