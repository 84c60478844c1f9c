// Quoting for POSIX sh (dash runs our scripts): one argument, taken literally.
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}
