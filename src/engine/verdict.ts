// A judge's answer, shared by every judge (judges.ts, routing-judges.ts): a pass with what it saw,
// or a failure that says why.
import { type Lab, type Node, selectNodes } from '../core/lab.js';

export type Verdict = { ok: true; detail?: string } | { ok: false; reason: string };

export const pass = (detail?: string): Verdict => ({ ok: true, detail });
export const fail = (reason: string): Verdict => ({ ok: false, reason });

/** The nodes a check's selectors name, the checking node itself left out. */
export function peersOf(lab: Lab, selectors: string | string[], self: string): Node[] {
  return [selectors]
    .flat()
    .flatMap((s) => selectNodes(lab, s))
    .filter((n) => n.name !== self);
}
