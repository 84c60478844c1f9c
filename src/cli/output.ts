// What the CLI prints: issues for people, JSON for machines.
import { formatIssue, formatPath, type Issue } from '../core/issue.js';
import { printable } from '../printable.js';

export function issuesJson(issues: Issue[]) {
  return {
    ok: !issues.some((i) => i.severity === 'error'),
    issues: issues.map((i) => ({
      code: i.code,
      severity: i.severity,
      path: formatPath(i.path),
      message: i.message,
      hint: i.hint,
      file: i.file,
      line: i.line,
      column: i.column,
    })),
  };
}

export function printIssues(issues: Issue[]): void {
  // a message quotes the lab file (a name, a value): its control characters shown, not obeyed
  for (const i of issues) console.log(printable(formatIssue(i)));
}

export function summary(issues: Issue[]): string {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}

/** The banner of a lab brought up despite lint errors: nobody should mistake it for a sound one. */
export function allowedBanner(lab: string, issues: { code: string; message: string }[]): string[] {
  const codes = [...new Set(issues.map((i) => i.code))].join(', ');
  return [
    `!!! ${lab} runs DESPITE ${issues.length} lint error${issues.length === 1 ? '' : 's'} (--allow ${codes}): a trap shown on purpose, not a sound lab !!!`,
  ];
}
