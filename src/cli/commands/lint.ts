// lab lint: every problem of a lab file at once, with the symptom it would cause; nothing is created.

import { hasErrors, type Issue } from '../../core/issue.js';
import { gatherHostFacts } from '../../engine/host-facts.js';
import { DefinitionError } from '../../errors.js';
import { LabDefinitionError } from '../../model/load.js';
import { inspectLab } from '../../model/open.js';
import { labFileOf } from '../../paths.js';
import { printableLine } from '../../printable.js';
import { describeHostCode, type HostCode, hostCodeOf } from '../../steps/plan.js';
import { issuesJson, printIssues, summary } from '../output.js';

export async function lint(
  ref: string,
  opts: { json?: boolean; set: string[]; host?: boolean },
): Promise<void> {
  const file = labFileOf(ref);
  let issues: Issue[];
  // the lab's step scripts: lint reads their names and never runs them, but says they are code
  let hostCode: HostCode[] = [];
  try {
    const inspected = inspectLab(file, opts.set, opts.host === false ? undefined : await gatherHostFacts());
    issues = inspected.issues;
    hostCode = hostCodeOf(inspected.lab);
  } catch (e) {
    if (!(e instanceof LabDefinitionError) || !opts.json) throw e;
    issues = e.issues;
  }
  if (opts.json) console.log(JSON.stringify({ ...issuesJson(issues), hostCode }, null, 2));
  else {
    printIssues(issues);
    for (const line of describeHostCode(hostCode)) console.log(printableLine(line));
    console.log(`${file}: ${issues.length ? summary(issues) : 'ok'}`);
  }
  if (hasErrors(issues)) {
    const error = new DefinitionError(`${file}: ${summary(issues)}`);
    (error as { quiet?: boolean }).quiet = true; // already printed
    throw error;
  }
}
