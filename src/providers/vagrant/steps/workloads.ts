// The demo's own workloads. On Kubernetes: the HTTP backend as a DaemonSet behind a LoadBalancer
// service, and the lab's workloads as pods at the lab's addresses, each pod's network namespace then
// named on its node (`ip netns exec client curl ...` works as on the emulated node). Outside
// Kubernetes: the rendered workload tool, and nginx from the rendered configuration.

import type { RenderedFile } from '../../../contracts/role.js';
import type { Lab, Node } from '../../../core/lab.js';
import { renderTemplate } from '../../../core/templates.js';
import { VERSIONS } from '../versions.js';
import { kubernetesClusters } from './kubernetes.js';
import { kubectl } from './network.js';
import { q, type Step, script, writeFile } from './step.js';

const clusterOf = (lab: Lab, node: Node) =>
  kubernetesClusters(lab).find((c) => c.members.includes(node.name));

export function workloadSteps(lab: Lab, files: RenderedFile[]): Step[] {
  const out: Step[] = [];
  for (const cluster of kubernetesClusters(lab)) {
    const cp = cluster.controlPlane!;
    const members = lab.nodes.filter((n) => cluster.members.includes(n.name));
    const backends = members.filter((n) => n.roles.includes('http-backend'));
    const pods = lab.workloads.filter((w) => cluster.members.includes(w.node));
    const lines: string[] = [];
    if (backends.length) {
      const port = Number(backends[0].vars.http_port ?? 80);
      const path = '/etc/lab/manifests/http-backend.yaml';
      lines.push(
        ...backends.map((n) => `${kubectl} label node ${q(n.name)} lab/http-backend=true --overwrite`),
        ...writeFile(
          path,
          renderTemplate('vagrant/http-backend.yaml.njk', { lab, port, images: VERSIONS.images }),
        ),
        `${kubectl} apply -f ${path}`,
        `${kubectl} rollout status daemonset/http-backend --timeout=300s`,
      );
    }
    for (const w of pods) {
      const path = `/etc/lab/manifests/workload-${w.name}.yaml`;
      lines.push(
        ...writeFile(
          path,
          renderTemplate('vagrant/workload-pod.yaml.njk', { lab, w, images: VERSIONS.images }),
        ),
        `${kubectl} apply -f ${q(path)}`,
      );
    }
    if (pods.length)
      lines.push(
        `${kubectl} wait --for=condition=Ready pod ${pods.map((w) => q(w.name)).join(' ')} --timeout=300s`,
      );
    if (lines.length)
      out.push({
        phase: 'workloads',
        node: cp,
        title: [
          backends.length && 'HTTP backend service',
          pods.length && `pods ${pods.map((w) => w.name).join(', ')}`,
        ]
          .filter(Boolean)
          .join(', '),
        script: script(`${cp}: the demo's workloads in cluster ${cluster.name}`, lines),
        timeoutS: 600,
      });
    for (const node of members) {
      const mine = pods.filter((w) => w.node === node.name);
      if (!mine.length) continue;
      out.push({
        phase: 'attach',
        node: node.name,
        title: `name the network namespaces of ${mine.map((w) => w.name).join(', ')}`,
        script: script(
          `${node.name}: pods' network namespaces by name`,
          mine.flatMap((w) => [
            `pod=$(crictl --runtime-endpoint unix:///run/containerd/containerd.sock pods --name ${q(`^${w.name}$`)} --namespace default --state ready -q | head -n 1)`,
            `pid=$(crictl --runtime-endpoint unix:///run/containerd/containerd.sock inspectp --output go-template --template '{{.info.pid}}' "$pod")`,
            `ip netns delete ${q(w.name)} 2>/dev/null || true`,
            `ip netns attach ${q(w.name)} "$pid"`,
          ]),
        ),
        timeoutS: 120,
      });
    }
  }
  // outside Kubernetes: the emulation's own tools, which are real enough on a VM
  for (const node of lab.nodes.filter((n) => !clusterOf(lab, n))) {
    const lines: string[] = [];
    const nginx = files.find((f) => f.node === node.name && f.path === '/etc/nginx/nginx.conf');
    if (node.roles.includes('http-backend') && nginx)
      lines.push(
        ...writeFile(nginx.path, nginx.content),
        'install -d /run/nginx-tmp',
        'nginx -t',
        'systemctl restart nginx',
      );
    for (const w of lab.workloads.filter((x) => x.node === node.name))
      lines.push(`/etc/lab/bin/workload add ${q(w.name)}${w.serve ? ` ${q(w.serve)}` : ''}`);
    if (lines.length)
      out.push({
        phase: 'workloads',
        node: node.name,
        title: 'workloads',
        script: script(`${node.name}: the demo's workloads`, lines),
        timeoutS: 300,
      });
  }
  return out;
}
