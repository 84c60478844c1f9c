// A lab's steps: each role it names must be on its nodes and started by one step only, each check must
// exist, and its script must be a file inside the lab's folder.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type { Path, PushIssue } from '../core/issue.js';
import { type Lab, type Node, nodeByName, type Step, type StepAction, selectNodes } from '../core/lab.js';
import type { RawStep } from '../core/schema.js';
import { roleOf } from '../roles/index.js';

const SAFE = /^[a-z][a-z0-9-]*$/;

/** The script's absolute path, or an issue when it leaves the lab's folder or is missing. */
function scriptOf(lab: Lab, script: string, path: (string | number)[], push: PushIssue): string | undefined {
  const file = resolve(lab.dir, script);
  const inside = (p: string) => {
    const rel = relative(lab.dir, p);
    return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep);
  };
  if (!inside(file) || !/\.(mjs|js)$/.test(file)) {
    push({
      code: 'step-script-outside',
      path,
      message: `step script '${script}' is not a .mjs or .js file inside the lab's folder`,
      hint: `a step runs only code that travels with the lab: put it under ${lab.dir}/steps/ and name it relative to the lab file`,
    });
    return undefined;
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    push({
      code: 'step-script-missing',
      path,
      message: `step script '${script}' does not exist in the lab's folder`,
      hint: 'lab step would fail at this step after every step before it had run: create the script or remove script:',
    });
    return undefined;
  }
  // a symbolic link out of the lab's folder is the same escape as ../
  const real = realpathSync(file);
  if (!real.startsWith(realpathSync(lab.dir) + sep)) {
    push({
      code: 'step-script-outside',
      path,
      message: `step script '${script}' links outside the lab's folder (${real})`,
      hint: 'copy the script into the lab folder: a link to elsewhere runs code that does not travel with the lab',
    });
    return undefined;
  }
  return relative(lab.dir, file);
}

type RawAction = RawStep['actions'][number];

/** The daemons a node's roles start with a pid file (what a stop can kill and a start bring back). */
function daemonsOf(lab: Lab, node: Node) {
  return node.roles.flatMap((r) => roleOf(r)?.start?.(lab, node) ?? []).filter((c) => c.pidfile);
}

/** Each action against the node it names: its interface on the network, or a daemon it runs. */
function resolveActions(lab: Lab, actions: RawAction[], base: Path, push: PushIssue): StepAction[] {
  return actions.flatMap((a, i): StepAction[] => {
    const [kind, arg] = Object.entries(a)[0] as [
      string,
      string | { node: string; network?: string; daemon?: string },
    ];
    const path = [...base, i, kind];
    const nodeName = typeof arg === 'string' ? arg : arg.node;
    const node = nodeByName(lab, nodeName);
    if (!node) {
      push({
        code: 'unknown-reference',
        path: typeof arg === 'string' ? path : [...path, 'node'],
        message: `step action ${kind} names '${nodeName}', which is no node`,
        hint: `name one node (a group's members by their own names): ${lab.nodes.map((n) => n.name).join(', ')}`,
      });
      return [];
    }
    if (kind === 'isolate' || kind === 'restore') {
      const interfaces = node.interfaces.map((x) => x.name);
      return [
        {
          kind: kind === 'isolate' ? 'link_down' : 'link_up',
          node: node.name,
          interfaces,
          text: `${kind} ${node.name}`,
        },
      ];
    }
    if (typeof arg === 'string') return [];
    if (kind === 'link_down' || kind === 'link_up') {
      const ifc = node.interfaces.find((x) => x.network === arg.network);
      if (!ifc) {
        push({
          code: 'unknown-reference',
          path: [...path, 'network'],
          message: `${node.name} has no interface on '${arg.network}'`,
          hint: `its networks are: ${node.interfaces.map((x) => x.network).join(', ') || 'none'}`,
        });
        return [];
      }
      return [
        {
          kind,
          node: node.name,
          interfaces: [ifc.name],
          text: `${kind} ${node.name} ${arg.network} (${ifc.name})`,
        },
      ];
    }
    const daemon = daemonsOf(lab, node).find((c) => c.name === arg.daemon);
    if (!daemon?.pidfile) {
      push({
        code: 'unknown-reference',
        path: [...path, 'daemon'],
        message: `${node.name} runs no daemon '${arg.daemon}'`,
        hint: `its roles start: ${
          daemonsOf(lab, node)
            .map((c) => c.name)
            .join(', ') || 'no daemon'
        }`,
      });
      return [];
    }
    return [
      {
        kind: kind as 'stop' | 'start',
        node: node.name,
        daemon: daemon.name,
        pidfile: daemon.pidfile,
        text: `${kind} ${daemon.name} on ${node.name}`,
      },
    ];
  });
}

export function resolveSteps(lab: Lab, push: PushIssue): Step[] {
  const claimed = new Map<string, string>(); // node/role -> the step that starts it
  const seen = new Set<string>();
  // the file's checks: one on a per: group of no members (servers: 0) is defined, with nothing to run
  const checkNames = new Set([...lab.checks, ...lab.raw.checks].map((c) => c.name));
  return lab.raw.steps.map((raw, i) => {
    const path = ['steps', i];
    const actions = resolveActions(lab, raw.actions, [...path, 'actions'], push);
    if (!SAFE.test(raw.name))
      push({
        code: 'name-unsafe',
        path: [...path, 'name'],
        message: `step name '${raw.name}' is not of the form [a-z][a-z0-9-]*`,
        hint: 'step names are typed on the command line (lab step LAB NAME): use lowercase letters, digits and dashes',
      });
    if (seen.has(raw.name))
      push({
        code: 'name-duplicate',
        path: [...path, 'name'],
        message: `two steps are named '${raw.name}'`,
        hint: 'lab up --to NAME would be ambiguous: give each step its own name',
      });
    seen.add(raw.name);
    const roles: Step['roles'] = [];
    for (const [selector, names] of Object.entries(raw.roles)) {
      const nodes = selectNodes(lab, selector);
      if (!nodes.length) {
        push({
          code: 'unknown-reference',
          path: [...path, 'roles', selector],
          message: `step ${raw.name} starts roles on '${selector}', which is no node, group or cluster`,
          hint: `nodes are: ${lab.nodes.map((n) => n.name).join(', ')}`,
        });
        continue;
      }
      for (const role of names) {
        for (const node of nodes) {
          if (!node.roles.includes(role)) {
            push({
              code: 'step-role-not-on-node',
              path: [...path, 'roles', selector],
              message: `step ${raw.name} starts ${role} on ${node.name}, which does not have that role`,
              hint: `${node.name} has roles: ${node.roles.join(', ') || 'none'}; a step can only start what the node is for (add the role to the node or fix the step)`,
            });
            continue;
          }
          const key = `${node.name}/${role}`;
          const before = claimed.get(key);
          if (before !== undefined) {
            push({
              code: 'step-role-twice',
              path: [...path, 'roles', selector],
              message: `${role} on ${node.name} is started by step ${before} and again by step ${raw.name}`,
              hint: 'a daemon started twice fails on its pid file or port: name each role of a node in one step',
            });
            continue;
          }
          claimed.set(key, raw.name);
          roles.push({ node: node.name, role });
        }
      }
    }
    raw.checks.forEach((name, j) => {
      if (!checkNames.has(name))
        push({
          code: 'unknown-reference',
          path: [...path, 'checks', j],
          message: `step ${raw.name} names check '${name}', which the lab does not define`,
          hint: `checks are: ${[...checkNames].join(', ') || 'none'}`,
        });
    });
    raw.breaks.forEach((name, j) => {
      if (!checkNames.has(name))
        push({
          code: 'unknown-reference',
          path: [...path, 'breaks', j],
          message: `step ${raw.name} breaks check '${name}', which the lab does not define`,
          hint: `checks are: ${[...checkNames].join(', ') || 'none'}`,
        });
      else if (raw.checks.includes(name))
        push({
          code: 'step-breaks-its-check',
          path: [...path, 'breaks', j],
          message: `step ${raw.name} names check '${name}' both in checks (must pass after it) and in breaks (must fail)`,
          hint: 'keep it in one list: breaks for what the trap makes fail, checks for what still holds',
        });
    });
    if (raw.breaks.length && !raw.optional)
      push({
        code: 'step-breaks-regular',
        path: [...path, 'breaks'],
        message: `step ${raw.name} breaks checks but is not optional`,
        hint: 'lab up runs every step that is not optional and then all checks, which would fail: mark the trap optional: true, so that it runs only when named (lab step LAB NAME)',
      });
    if (!raw.checks.length && !raw.breaks.length)
      push({
        code: 'step-unproven',
        severity: 'warning',
        path,
        message: `step ${raw.name} names no check`,
        hint: raw.optional
          ? 'an attendee cannot tell what the trap did: name the checks it breaks (breaks:) or those that still pass (checks:)'
          : 'an attendee cannot tell whether the step worked: name a check that fails before it and passes after',
      });
    return {
      name: raw.name,
      description: raw.description,
      roles,
      script: raw.script === undefined ? undefined : scriptOf(lab, raw.script, [...path, 'script'], push),
      timeout: raw.timeout,
      checks: raw.checks.filter((c) => checkNames.has(c)),
      breaks: raw.breaks.filter((c) => checkNames.has(c) && !raw.checks.includes(c)),
      optional: raw.optional,
      path,
      // absent when none: the resolved model of a lab without them is as before
      ...(actions.length ? { actions } : {}),
    };
  });
}
