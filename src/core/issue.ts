// One problem found in a lab definition: what lint and load report, all at once.

export type Path = (string | number)[];
export type Severity = 'error' | 'warning';

export interface Issue {
  /** Stable code, e.g. prefix-overlap: tests and users key on it. */
  code: string;
  severity: Severity;
  path: Path;
  message: string;
  /** The symptom a user would meet otherwise, and what to do. */
  hint: string;
  file?: string;
  line?: number;
  column?: number;
  /** Where in the value at `path` the problem sits, when it is one word of a longer text (a name in
   * a check's command): the nth occurrence (from 0) of `text` there. */
  at?: { text: string; nth: number };
}

/** nodes.worker.interfaces[0].address */
export function formatPath(path: Path): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    const key = /^[A-Za-z_$][\w$-]*$/.test(part) ? part : JSON.stringify(part);
    return out ? `${out}.${key}` : key;
  }, '');
}

export function hasErrors(issues: Issue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

export function formatIssue(issue: Issue): string {
  const where = issue.file ? `${issue.file}${issue.line ? `:${issue.line}:${issue.column}` : ''}` : '';
  const at = issue.path.length ? ` at ${formatPath(issue.path)}` : '';
  return `${where ? `${where}: ` : ''}${issue.severity} [${issue.code}]${at}: ${issue.message}\n    hint: ${issue.hint}`;
}

/** Collects an issue; severity defaults to error. */
export type PushIssue = (issue: Omit<Issue, 'severity'> & { severity?: Issue['severity'] }) => void;

/** An issue; severity defaults to error. */
export function issue(
  code: string,
  path: Path,
  message: string,
  hint: string,
  severity: Severity = 'error',
): Issue {
  return { code, severity, path, message, hint };
}
