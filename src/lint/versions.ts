// The versions the full realization installs (provider vagrant), against what their publishers
// serve and test: a Kubernetes release pkgs.k8s.io publishes, and CNIs on the Kubernetes releases
// their own compatibility pages list as tested.

import type { Rule } from '../contracts/lint.js';
import type { Issue } from '../core/issue.js';
import { issue } from '../core/issue.js';

/** pkgs.k8s.io has one apt repository per minor release, from 1.24 on. */
const FIRST_PUBLISHED_MINOR = 24;

/** Kubernetes minors each CNI release lists as tested (Cilium's "Kubernetes Compatibility" and
 * Calico's "Kubernetes requirements" pages); others are untested, not known broken. */
const TESTED: Record<'cilium' | 'calico', Record<string, string[]>> = {
  cilium: {
    '1.14': ['1.24', '1.25', '1.26', '1.27'],
    '1.15': ['1.26', '1.27', '1.28', '1.29'],
    '1.16': ['1.27', '1.28', '1.29', '1.30'],
  },
  calico: {
    '3.27': ['1.27', '1.28', '1.29'],
    '3.28': ['1.27', '1.28', '1.29', '1.30'],
  },
};

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
    for (const addon of ['cilium', 'calico'] as const) {
      const version = c.addons[addon]?.version;
      const tested = version ? TESTED[addon][minorOf(version)] : undefined;
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
