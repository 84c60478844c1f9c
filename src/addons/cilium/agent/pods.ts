// Pods on this node, wired as Cilium's CNI plugin wires them: a network namespace, a veth whose host
// side is lxc<hash>, the next address of the node's pod CIDR as a /32, the router IP as gateway, the
// tunnel MTU; the pod is then registered with the cluster (its /registry/pods object), and the agent
// publishes it to the kvstore. A pod that serves answers HTTP with its text, and relays
// GET /fetch/<pod IP> to that pod: checks use it to open connections from pods of any cluster.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from './config.js';
import { runBatch } from './datapath.js';
import type { Kvstore } from './kvstore.js';
import { type K8sPod, k8sPodKey } from './layout.js';

const STATE = '/run/cilium/pods';
const IPAM = '/run/cilium/ipam';
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TEXT = /^[A-Za-z0-9 ._:,/-]*$/;
const LABEL = /^([a-z0-9.-]+\/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?=[A-Za-z0-9._-]{0,63}$/;

export class UsageError extends Error {}

interface PodState {
  name: string;
  namespace: string;
  ip: string;
  veth: string;
}

function toInt(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}
function toIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** Claims the next free address of the node's CIDR (skipping the router IP) with an exclusive file. */
function allocate(c: AgentConfig): string {
  mkdirSync(IPAM, { recursive: true });
  const [net, len] = c.podCIDR.split('/');
  const size = 2 ** (32 - Number(len));
  for (let i = 1; i < size - 1; i++) {
    const ip = toIp(toInt(net) + i);
    if (ip === c.routerIP) continue;
    try {
      closeSync(openSync(join(IPAM, ip), 'wx'));
      return ip;
    } catch {
      // taken
    }
  }
  throw new UsageError(`the node's pod CIDR ${c.podCIDR} is full`);
}

export function parseLabels(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    if (!LABEL.test(p)) throw new UsageError(`label '${p}': write key=value (letters, digits, ._-)`);
    const [k, v] = p.split('=');
    out[k] = v;
  }
  return out;
}

function nginxConfig(dir: string, text: string): string {
  return [
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log;`,
    'events { worker_connections 64; }',
    `http { access_log off; client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;`,
    '  server { listen 80;',
    `    location = / { default_type text/plain; return 200 "${text}\\n"; }`,
    '    location ~ "^/fetch/([0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+)$" { proxy_pass http://$1:80/; proxy_connect_timeout 2s; proxy_read_timeout 3s; }',
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function addPod(
  c: AgentConfig,
  store: Kvstore,
  opts: { name: string; namespace: string; labels: Record<string, string>; serve?: string },
): Promise<PodState> {
  const { name, namespace } = opts;
  if (!NAME.test(name)) throw new UsageError(`pod name '${name}': use lowercase letters, digits and dashes`);
  if (!NAME.test(namespace))
    throw new UsageError(`namespace '${namespace}': use lowercase letters, digits and dashes`);
  if (opts.serve !== undefined && !TEXT.test(opts.serve))
    throw new UsageError('the answer may hold letters, digits, spaces and ._:,/-');
  mkdirSync(STATE, { recursive: true });
  try {
    closeSync(openSync(join(STATE, name), 'wx'));
  } catch {
    throw new UsageError(`pod ${name} exists on ${c.node}`);
  }
  await store.ready(30_000);
  const ip = allocate(c);
  const veth = `lxc${createHash('sha1').update(`${namespace}/${name}`).digest('hex').slice(0, 11)}`;
  const state: PodState = { name, namespace, ip, veth };
  writeFileSync(join(STATE, name), JSON.stringify(state));
  runBatch('ip', [
    `netns add ${name}`,
    `link add ${veth} mtu ${c.mtu} type veth peer name eth0 netns ${name}`,
    `link set ${veth} up`,
    `route replace ${ip}/32 dev ${veth}`,
  ]);
  const mac = readFileSync(`/sys/class/net/${veth}/address`, 'utf8').trim();
  execFileSync('ip', ['-n', name, '-batch', '-'], {
    input: [
      'link set lo up',
      `link set eth0 mtu ${c.mtu} up`,
      `addr add ${ip}/32 dev eth0`,
      `route add ${c.routerIP} dev eth0 scope link`,
      `route add default via ${c.routerIP} dev eth0`,
      // the gateway is the host side of the veth: pinned, so no ARP proxying is needed
      `neigh replace ${c.routerIP} lladdr ${mac} dev eth0 nud permanent`,
      '',
    ].join('\n'),
  });
  if (opts.serve !== undefined) {
    const www = join(STATE, `${name}.www`);
    mkdirSync(join(www, 'tmp'), { recursive: true });
    writeFileSync(join(www, 'nginx.conf'), nginxConfig(www, opts.serve));
    execFileSync('ip', ['netns', 'exec', name, 'nginx', '-c', join(www, 'nginx.conf')]);
  }
  const pod: K8sPod = {
    metadata: { name, namespace, labels: opts.labels },
    spec: { nodeName: c.node },
    status: { podIP: ip, hostIP: c.nodeIP, phase: 'Running' },
  };
  await store.put(k8sPodKey(namespace, name), JSON.stringify(pod));
  return state;
}

export async function deletePod(c: AgentConfig, store: Kvstore, name: string): Promise<void> {
  let state: PodState;
  try {
    state = JSON.parse(readFileSync(join(STATE, name), 'utf8')) as PodState;
  } catch {
    throw new UsageError(`no pod ${name} on ${c.node}`);
  }
  // the cluster forgets it first: agents stop sending traffic to it
  await store.delete(k8sPodKey(state.namespace, name));
  const pids = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).split(/\s+/).filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone
    }
  }
  // the route first: the namespace's end takes its veth and route with it whenever the kernel gets to
  // it, so a route del after it failed now and then (and -force still exits 1): either may be gone
  // already, what counts is that the namespace is
  try {
    runBatch('ip', [`route del ${state.ip}/32`, `netns del ${name}`], true);
  } catch {
    if (existsSync(`/run/netns/${name}`))
      throw new Error(`the namespace of pod ${name} could not be removed`);
  }
  rmSync(join(STATE, name), { force: true });
  rmSync(join(STATE, `${name}.www`), { recursive: true, force: true });
  rmSync(join(IPAM, state.ip), { force: true });
}

export function listPods(): PodState[] {
  let names: string[] = [];
  try {
    names = readdirSync(STATE).filter((n) => !n.endsWith('.www'));
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    try {
      return [JSON.parse(readFileSync(join(STATE, n), 'utf8')) as PodState];
    } catch {
      return [];
    }
  });
}
