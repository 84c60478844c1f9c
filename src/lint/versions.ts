// The versions the full realization installs (provider vagrant), against what their publishers
// serve and test: a Kubernetes release pkgs.k8s.io publishes, and add-ons on the Kubernetes releases
// their own compatibility pages list as tested (each add-on's testedKubernetes).

import { ADDONS } from '../addons/index.js';
import type { Rule } from '../contracts/lint.js';
import type { Issue } from '../core/issue.js';
import { issue } from '../core/issue.js';

/** pkgs.k8s.io has one apt repository per minor release, from 1.24 on. */
const FIRST_PUBLISHED_MINOR = 24;

const minorOf = (v: string) => v.split('.').slice(0, 2).join('.');

export const versionRules: Rule = (lab) => {
  const out: Issue[] = [];
  for (const c of lab.clusters) {
    if (c.kind !== 'kubernetes' || !c.kubernetesVersion) continue;
    const path = [...c.path, 'kubernetes_version'];
    const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(c.kubernetesVersion);
    if (!m || Number(m[1]) !== 1 || Number(m[2]) < FIRST_PUBLISHED_MINOR) {
      out.push(
        issue(
          'kubernetes-version',
          path,
          `kubernetes_version ${c.kubernetesVersion} of ${c.name} is not a release pkgs.k8s.io publishes (1.${FIRST_PUBLISHED_MINOR}.0 or later, as 1.30.4)`,
          'on VMs, installing kubeadm, kubelet and kubectl finds no such package and the cluster never forms',
        ),
      );
      continue;
    }
    const k8s = minorOf(c.kubernetesVersion);
    // each add-on lists the Kubernetes minors its releases are tested on (testedKubernetes)
    for (const { key: addon, testedKubernetes } of ADDONS) {
      const settings = c.addons[addon] as { version?: string } | undefined;
      const version = testedKubernetes ? settings?.version : undefined;
      const tested = version ? testedKubernetes?.[minorOf(version)] : undefined;
      if (tested && !tested.includes(k8s))
        out.push(
          issue(
            'addon-untested-kubernetes',
            [...c.path, 'addons', addon, 'version'],
            `${addon} ${version} is tested on Kubernetes ${tested.join(', ')}; ${c.name} runs ${c.kubernetesVersion}`,
            'on VMs it may install and then fail in ways nobody has seen: pick a tested pair',
            'warning',
          ),
        );
    }
  }
  return out;
};
