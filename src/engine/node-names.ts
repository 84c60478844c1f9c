// Naming an instance's nodes in a message: in the lab's own order of numbers (leaf2 before leaf10),
// and a bounded few of them, since a fabric's thousand names in one error line are no help.
import { journalOf } from './state.js';

const SHOWN = 12;

/** "leaf1, leaf2, ... and 990 more (1002 in all)": at most SHOWN names, in natural order. */
export function someNodeNames(names: string[]): string {
  const sorted = [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (sorted.length <= SHOWN) return sorted.join(', ');
  return `${sorted.slice(0, SHOWN).join(', ')} and ${sorted.length - SHOWN} more (${sorted.length} in all)`;
}

/** Why these nodes cannot be reached in this instance: a node its lab up made but never reached over
 * SSH (a failed up left for a look) is said as such, not as a node the lab does not have. */
export function noSuchNodeMessage(lab: string, dir: string, nodes: string[], reachable: string[]): string {
  const made = new Set(
    journalOf(dir)
      .resources()
      .flatMap((r) => ('node' in r && r.node ? [r.node] : [])),
  );
  const known = reachable.length ? `; its nodes are ${someNodeNames(reachable)}` : '';
  const unmade = nodes.filter((n) => !made.has(n));
  const unreached = nodes.filter((n) => made.has(n));
  const many = unreached.length > 1;
  // a mix of both (lab check -n spine1,nosuch) says both, not only the first kind
  const said = [
    ...(unmade.length ? [`${lab} has no node ${unmade.join(', ')}`] : []),
    ...(unreached.length
      ? [
          `${unmade.length ? '' : `${lab}: `}${unreached.join(', ')} ${many ? 'were' : 'was'} made, but lab up never reached ${many ? 'them' : 'it'} over SSH (lab status shows what runs; lab down, then lab up again)`,
        ]
      : []),
  ];
  return `${said.join('; ')}${known}`;
}
