// Regular expressions that a lab file supplies (a check's `expect.match`, `expect.lines.match`) run
// over node output on the host: they are data, so they must not be able to hang it.
import { RE2JS } from 're2js';

/** A compiled lab pattern: whether it matches somewhere in a text. */
export interface LabRegex {
  test(text: string): boolean;
}

/** Compiles a lab's pattern; `multiline` makes ^ and $ match at each line. Throws with RE2's message
 * when the pattern does not compile (backreferences and lookaround are not RE2 syntax). */
export function compileLabRegex(pattern: string, multiline = false): LabRegex {
  // RE2JS (pure-JS RE2 port, no native build): linear-time matching, so `(a+)+$` over any output cannot backtrack
  const re = RE2JS.compile(pattern, multiline ? RE2JS.MULTILINE : 0);
  return { test: (text) => re.matcher(text).find() };
}

/** Why a lab's pattern does not compile, or undefined when it does. */
export function labRegexError(pattern: string): string | undefined {
  try {
    compileLabRegex(pattern);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
